# Removes one keepalived file ($KIND main, auth or service) if this resource still owns it (a rename or
# a replacement may have taken it over: then it stays). A service disappears from IPVS after a reload,
# in a batch with the other service files changed at the same time (batch.sh).
# keepalived.conf goes back to what was there before pulumi-lvs (or none), and when the last claim on
# the keepalived service goes, keepalived goes back to its state from before: running with its old
# configuration, or stopped.
file_key="file $TARGET" service_key="service keepalived"
# A service file goes in a batch with the others removed or changed at the same time (batch.sh).
if [ "$KIND" = service ]; then
  batch_enqueue remove
  batch_run
  rmdir "$STATE_DIR" 2>/dev/null || true
  exit 0
fi
stop_sync_daemons() {
  ipvsadm --stop-daemon master 2>/dev/null || true
  ipvsadm --stop-daemon backup 2>/dev/null || true
}
if claim_taken "$file_key"; then
  [ "$KIND" != main ] || [ "$(claim_release "$service_key")" != last ] || claim_forget "$service_key"
  exit 0
fi
case $KIND in
  main)
    had_sync=0
    [ -f "$TARGET" ] && grep -q '^[[:space:]]*lvs_sync_daemon' "$TARGET" && had_sync=1
    restore_file() {
      if [ "$(claim_prior_of "$file_key")" = present ] && [ -f "$(claim_dir "$file_key")/.content" ]; then
        cp -p "$(claim_dir "$file_key")/.content" "$TARGET"
        say "restored the keepalived.conf that was there before pulumi-lvs"
      else
        rm -f "$TARGET"
      fi
    }
    if [ "$(claim_release "$service_key")" = last ]; then
      before=$(claim_prior_of "$service_key")
      if has "$before" "active=yes"; then
        restore_file
        # The sync daemons of our configuration outlive keepalived's restart.
        [ $had_sync = 0 ] || stop_sync_daemons
        systemctl restart keepalived || fail "keepalived, running before pulumi-lvs, did not start again with its old configuration" "$(journalctl -u keepalived -n 20 --no-pager 2>/dev/null || true)"
        say "keepalived runs again with the configuration from before pulumi-lvs"
      else
        systemctl stop keepalived 2>/dev/null || true
        [ $had_sync = 0 ] || stop_sync_daemons
        restore_file
      fi
      if has "$before" "enabled=yes"; then unit_enable keepalived 2>/dev/null || true
      elif systemctl is-enabled -q keepalived 2>/dev/null; then systemctl disable -q --no-reload keepalived 2>/dev/null || true; fi
      claim_forget "$service_key"
    else
      restore_file
      if systemctl is-active -q keepalived; then systemctl reload keepalived || true; fi
    fi
    rmdir "$LVS_DIR/services" "$LVS_DIR" 2>/dev/null || true
    ;;
  auth)
    rm -f "$TARGET"
    rmdir "$LVS_DIR/services" "$LVS_DIR" 2>/dev/null || true
    ;;
  *) fail "unknown kind $KIND" ;;
esac
# Without the pair's keepalived.conf there is nothing to hold or release.
[ "$KIND" != main ] || rm -f "$VRRP_HOLD" "$VRRP_IDENTITY" "$VRRP_IDENTITY_NEXT" "$VRRP_PEER_HELD"
claim_forget "$file_key"
# Leave no empty state folder behind.
rmdir "$STATE_DIR" 2>/dev/null || true
