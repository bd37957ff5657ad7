# Transactional change of one keepalived file: $TARGET (content on stdin, mode $MODE), $KIND being
# main (keepalived.conf), auth (the password definition) or service (one virtual_server).
#   stage -> validate the whole config as it will be (keepalived -t) -> back up -> swap atomically
#   -> reload (start, the first time, for main) -> verify (keepalived active, $VERIFY_IPVS present)
# Any failure after the swap restores the previous file and reloads again, then exits non-zero.
# A service file goes through the same steps in a batch with the others changed at once (batch.sh).
# On a director held out of VRRP ($VRRP_HOLD, see vrrp-hold.sh) keepalived is neither started nor
# reloaded: the files are validated and installed, and vrrp-release.sh loads them.
# With $COMPANION (auth.conf's keepalived.conf, as it will be, sent ahead of the content), the two are
# validated together, and changed together when the host's companion differs (see below).
held=0
[ ! -f "$VRRP_HOLD" ] || held=1
# On the primary, while its secondary is held: every failure says so (see vrrp-peer-note.sh).
FAIL_NOTE=$(cat "$VRRP_PEER_HELD" 2>/dev/null || true)
staging_failed() { fail "cannot stage the new $TARGET in $LVS_DIR ($1: disk full or not writable?); nothing was changed"; }
[ -d "$LVS_DIR/services" ] || { mkdir -p "$LVS_DIR/services" && chmod 0755 "$LVS_DIR" "$LVS_DIR/services"; } || staging_failed "mkdir"
work=$(mktemp -d "$LVS_DIR/.stage.XXXXXX" 2>/dev/null) || staging_failed "mktemp"
at_exit 'rm -rf "$work"'
if [ -n "$COMPANION" ]; then
  # stdin: the companion's size in bytes on a line, the companion, then this file.
  IFS= read -r size && [[ "$size" =~ ^[0-9]+$ ]] || fail "stdin does not start with the size of the new $COMPANION"
  head -c "$size" > "$work/companion" || staging_failed "write"
  [ "$(wc -c < "$work/companion")" -eq "$size" ] || fail "stdin ended inside the new $COMPANION; nothing was changed"
fi
# A drift check's stdin starts with its mark (the value of its trigger), recorded when it is done.
drift_mark=""
if [ "$DRIFT" = 1 ]; then IFS= read -r drift_mark || fail "stdin does not start with the drift check's mark"; fi
cat > "$work/new" || staging_failed "write"
[ -s "$work/new" ] || fail "refusing to write an empty $TARGET"
# A service file (not a drift check) changes in a batch with the others changed at the same time (batch.sh).
if [ "$KIND" = service ] && [ "$DRIFT" != 1 ]; then
  batch_enqueue install "$work/new"
  batch_run
  echo "ok $TARGET"
  exit 0
fi

# Ownership (see claims.sh): the file is owned; keepalived.conf also claims the keepalived service, whose
# state before pulumi-lvs (running? enabled?) comes back when the last claim goes. A drift check acts for
# the owner and claims nothing.
file_key="file $TARGET" service_key="service keepalived"
if [ "$DRIFT" != 1 ]; then
  claim_check "$file_key" own ""
  [ "$KIND" != main ] || claim_check "$service_key" share ""
  if [ "$KIND" = main ] && claim_fresh "$file_key"; then
    if [ -f "$TARGET" ] && ! grep -q '^# Managed by pulumi-lvs' "$TARGET"; then
      mkdir -p "$(claim_dir "$file_key")" && cp -p "$TARGET" "$(claim_dir "$file_key")/.content"
      claim_prior "$file_key" present
    else
      claim_prior "$file_key" absent
    fi
  fi
  if [ "$KIND" = main ] && claim_fresh "$service_key"; then
    claim_prior "$service_key" "active=$(systemctl is-active -q keepalived && echo yes || echo no) enabled=$(systemctl is-enabled -q keepalived 2>/dev/null && echo yes || echo no)"
  fi
fi

# The whole configuration as it will be, in a staging tree, checked by keepalived itself.
staged=("$work/new=$TARGET")
[ -z "$COMPANION" ] || staged+=("$work/companion=$COMPANION")
config_check "$work/tree" "${staged[@]}" && checked=0 || checked=$?
[ $checked != 2 ] || staging_failed "staging tree"
if [ $checked = 1 ]; then
  fail "keepalived rejected the new $TARGET${COMPANION:+ with the new $COMPANION} (keepalived -t); nothing was changed" "$CHECK_OUT"
fi

changed=1
if [ -f "$TARGET" ] && cmp -s "$work/new" "$TARGET"; then changed=0; fi
# When the host's companion differs from the one validated with this file, loading this file alone
# would give keepalived a pair nobody validated (a new authType: an HMAC key as auth_pass). So:
#   - keepalived.conf already belongs to the pair: both are installed and loaded by one reload (its own
#     command, which runs next, then finds it in place);
#   - it does not yet (a fresh host, or one with a keepalived.conf from before pulumi-lvs): this file is
#     installed but not loaded; keepalived.conf's command records what was there, installs it, loads both.
companion_changed=0 load=1
if [ -n "$COMPANION" ] && ! { [ -f "$COMPANION" ] && cmp -s "$work/companion" "$COMPANION"; }; then
  if claim_fresh "file $COMPANION"; then
    load=0
  else
    claim_check "file $COMPANION" own ""
    companion_changed=1
  fi
fi
# Drift check (DRIFT=1): report what differs from the stack (drift.sh), then repair it.
drift=0 ipvs_missing=0
on_drift() {
  if [ "$1" = stopped ] && [ $held = 1 ]; then
    say "keepalived is held (stopped) on this director while the VRRP settings change: not started"
    return 0
  fi
  drift=1
  case $1 in
    file) say "DRIFT: $2: rewriting it" ;;
    stopped) say "DRIFT: $2: starting it" ;;
    ipvs) say "DRIFT: $2: re-adding it"; ipvs_missing=1 ;;
    vip) say "DRIFT: $2: adding it back"; ip addr add "$3" dev "$4" || fail "could not add the VIP $3 back on $4" ;;
  esac
}
if [ "$DRIFT" = 1 ]; then
  drift_compare "$work/new"
  [ $drift = 1 ] || say "no drift"
fi
[ -f "$TARGET" ] && cp -p "$TARGET" "$work/backup"
if [ $companion_changed = 1 ] && [ -f "$COMPANION" ]; then cp -p "$COMPANION" "$work/companion.backup"; fi
running=0
systemctl is-active -q keepalived && running=1

settled=0
reload_keepalived() { keepalived_reload && settled=1; }
restore() {
  if [ -f "$work/backup" ]; then cp -p "$work/backup" "$TARGET"; else rm -f "$TARGET"; fi
  if [ $companion_changed = 1 ]; then
    if [ -f "$work/companion.backup" ]; then cp -p "$work/companion.backup" "$COMPANION"; else rm -f "$COMPANION"; fi
  fi
  if systemctl is-active -q keepalived; then reload_keepalived || true; fi
}
restored="the previous $TARGET was restored"
[ $companion_changed = 0 ] || restored="the previous $TARGET and $COMPANION were restored"
# Both new files are written next to their targets first, then moved in: nothing changes unless both can.
install_new() { install -m "$2" "$1" "$3.pulumi-lvs-new" 2>/dev/null || { rm -f "$3.pulumi-lvs-new"; return 1; }; }
if [ $changed = 1 ]; then install_new "$work/new" "$MODE" "$TARGET" || staging_failed "install"; fi
if [ $companion_changed = 1 ]; then install_new "$work/companion" 0644 "$COMPANION" || { rm -f "$TARGET.pulumi-lvs-new"; staging_failed "install"; }; fi
[ $changed = 0 ] || mv -f "$TARGET.pulumi-lvs-new" "$TARGET"
[ $companion_changed = 0 ] || mv -f "$COMPANION.pulumi-lvs-new" "$COMPANION"

if [ $ipvs_missing = 1 ] && [ "$KIND" = service ]; then
  # keepalived does not re-add a service it believes it has: reload once without the file (it forgets
  # the service), then once with it (it adds it as new).
  mv -f "$TARGET" "$work/aside"
  reload_keepalived || true
  mv -f "$work/aside" "$TARGET"
  settled=0
fi
if [ $running = 1 ]; then
  if { [ $changed = 1 ] || [ $companion_changed = 1 ] || [ $drift = 1 ]; } && [ $load = 1 ] && ! reload_keepalived; then
    out=$RELOAD_OUT
    restore
    fail "reloading keepalived failed ($(tr -s '\n' ' ' <<< "$out" | sed 's/ $//')); $restored"
  fi
elif [ $held = 1 ]; then
  say "keepalived stays stopped: this director is held while the VRRP settings change; $TARGET is loaded when it is released"
elif { [ "$KIND" = main ] || [ $drift = 1 ]; } && keepalived_idle; then
  say "keepalived starts with the first VirtualService: with no VRRP instance and no service it has nothing to run"
elif [ "$KIND" = main ] || [ $drift = 1 ]; then
  unit_enable keepalived 2>/dev/null || true
  if ! systemctl start keepalived; then
    log=$(journalctl -u keepalived -n 20 --no-pager 2>/dev/null || true)
    restore
    fail "keepalived did not start with the new $TARGET; the previous file was restored" "$log"
  fi
fi

# Verify: keepalived still runs, and the IPVS service this file defines exists.
if [ $load = 1 ] && systemctl is-active -q keepalived; then
  # A second after a start, after a reload keepalived did not confirm, and after a VRRP change: keepalived
  # confirms a reload once its checker has applied the IPVS changes, but before VRRP has (keepalived_reload).
  [ $settled = 1 ] && [ "$KIND" = service ] || sleep 1
  if ! systemctl is-active -q keepalived; then
    restore
    keepalived_idle || systemctl start keepalived || true
    fail "keepalived stopped after loading the new $TARGET; $restored"
  fi
  if [ -n "$VERIFY_IPVS" ]; then
    # The service must exist with the scheduler this file asks for (a reload that cannot apply a
    # change leaves the old service in place).
    ok=0 seen=""
    for _ in $(seq 1 40); do
      # shellcheck disable=SC2086
      ipvs_service_of seen $VERIFY_IPVS
      if ipvs_uses "$seen" "$VERIFY_SCHED"; then ok=1; break; fi
      sleep 0.25
    done
    [ $ok = 1 ] || { restore; fail "after the reload the IPVS service $VERIFY_IPVS is ${seen:-missing}, not using scheduler $VERIFY_SCHED; $restored"; }
  fi
fi
# keepalived starts IPVS sync daemons for lvs_sync_daemon, but leaves them running when the option is
# removed (seen with 2.2.7): stop them, or the backup keeps receiving connections nobody asked for.
if [ "$KIND" = main ] && ! grep -q '^[[:space:]]*lvs_sync_daemon' "$TARGET" && ipvsadm -L --daemon 2>/dev/null | grep -q 'sync daemon'; then
  ipvsadm --stop-daemon master 2>/dev/null || true
  ipvsadm --stop-daemon backup 2>/dev/null || true
  say "stopped the IPVS sync daemons (lvs_sync_daemon is no longer configured)"
fi
if [ "$DRIFT" != 1 ]; then
  claim_commit "$file_key" own ""
  [ "$KIND" != main ] || claim_commit "$service_key" share ""
  # The pair's files are in force here (auth.conf's command loads keepalived.conf with it when that
  # changes too): on the primary, its held secondary is now the release's business, and the identity sent
  # ahead (see vrrp-peer-note.sh) is the one keepalived runs with.
  if [ "$KIND" != service ] && [ $load = 1 ] && [ $held = 0 ]; then
    rm -f "$VRRP_PEER_HELD"
    [ ! -f "$VRRP_IDENTITY_NEXT" ] || mv -f "$VRRP_IDENTITY_NEXT" "$VRRP_IDENTITY"
  fi
fi
[ $changed = 1 ] && say "$TARGET updated" || true
[ $companion_changed = 0 ] || say "$COMPANION updated with it (validated and loaded together)"
[ $load = 1 ] || [ $changed = 0 ] || say "$TARGET is loaded with the new $COMPANION, which its own command installs next"
if [ "$DRIFT" = 1 ]; then
  record=$(drift_record)
  mkdir -p "${record%/*}" && printf '%s\n%s' "$PLVS_TOKEN" "$drift_mark" > "$record.new" && mv -f "$record.new" "$record" \
    || fail "cannot record the drift check in ${record%/*} (read-only or full disk?); the drift was repaired"
fi
[ $drift = 1 ] && echo "repaired drift on $HOST" || true
echo "ok $TARGET"
