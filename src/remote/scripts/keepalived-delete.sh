# Removes one keepalived file ($KIND main, auth or service), reverting what apply did: a service
# disappears from IPVS after a reload; removing main stops keepalived and puts back the keepalived.conf
# that was there before pulumi-lvs (or none).
case $KIND in
  service)
    [ -f "$TARGET" ] || { say "$TARGET is already gone"; exit 0; }
    backup=$(mktemp)
    at_exit 'rm -f "$backup"'
    cp -p "$TARGET" "$backup"
    rm -f "$TARGET"
    if systemctl is-active -q keepalived; then
      systemctl reload keepalived || { cp -p "$backup" "$TARGET"; fail "reloading keepalived failed; $TARGET was restored"; }
      if [ -n "$VERIFY_IPVS" ]; then
        gone=0
        for _ in $(seq 1 40); do
          # shellcheck disable=SC2086
          if ! ipvsadm -Ln $VERIFY_IPVS >/dev/null 2>&1; then gone=1; break; fi
          sleep 0.25
        done
        [ $gone = 1 ] || { cp -p "$backup" "$TARGET"; systemctl reload keepalived || true; fail "the IPVS service ($VERIFY_IPVS) is still there after the reload; $TARGET was restored"; }
      fi
    fi
    ;;
  main)
    systemctl disable -q --now keepalived 2>/dev/null || systemctl stop keepalived 2>/dev/null || true
    # The sync daemons keepalived started outlive it.
    if [ -f "$TARGET" ] && grep -q '^[[:space:]]*lvs_sync_daemon' "$TARGET"; then
      ipvsadm --stop-daemon master 2>/dev/null || true
      ipvsadm --stop-daemon backup 2>/dev/null || true
    fi
    if [ -f "$STATE_DIR/prior-keepalived.conf" ]; then
      cp -p "$STATE_DIR/prior-keepalived.conf" "$TARGET"
      say "restored the keepalived.conf that was there before pulumi-lvs"
    else
      rm -f "$TARGET"
    fi
    rm -f "$STATE_DIR/prior-keepalived.conf" "$STATE_DIR/prior-keepalived.conf.absent"
    rmdir "$LVS_DIR/services" "$LVS_DIR" 2>/dev/null || true
    ;;
  auth)
    rm -f "$TARGET"
    rmdir "$LVS_DIR/services" "$LVS_DIR" 2>/dev/null || true
    ;;
  *) fail "unknown kind $KIND" ;;
esac
# Leave no empty state folder behind.
rmdir "$STATE_DIR" 2>/dev/null || true
