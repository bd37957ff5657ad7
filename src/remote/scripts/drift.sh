# The drift comparisons, shared by the repair (keepalived-apply.sh with DRIFT=1) and the read-only probe
# the program runs during preview and up (drift-probe.sh). Each difference goes to the caller's
#   on_drift <kind> <message> [<addr/prefix> <dev>]
# file: $TARGET differs from the stack's content (the file $1, "-" for stdin) or is missing;
# stopped: keepalived is not running; ipvs: the IPVS service $VERIFY_IPVS is missing;
# vip: a MASTER lacks one of $VIPS ("addr/prefix@dev").
drift_compare() {
  local expected=$1 since state v addr dev
  if ! { [ -f "$TARGET" ] && cmp -s "$expected" "$TARGET"; }; then
    on_drift file "$TARGET differs from the stack (edited or removed on the host)"
  fi
  if ! systemctl is-active -q keepalived; then
    keepalived_idle || on_drift stopped "keepalived is not running"
    return 0
  fi
  if [ -n "$VERIFY_IPVS" ]; then
    # shellcheck disable=SC2086
    ipvsadm -Ln $VERIFY_IPVS >/dev/null 2>&1 || on_drift ipvs "the IPVS service $VERIFY_IPVS is missing (removed by hand?)"
  fi
  if [ "$KIND" = main ] && [ -n "$VIPS" ]; then
    # A MASTER must hold all its VIPs. The state is read from keepalived's log since it started (its
    # SIGUSR1 state dump would write the VRRP password to /tmp in plaintext).
    since=$(systemctl show -p ActiveEnterTimestamp --value keepalived)
    state=$(journalctl -u keepalived --since "$since" -o cat --no-pager 2>/dev/null | grep -oE 'Entering (MASTER|BACKUP|FAULT) STATE' | tail -n 1 || true)
    if [ "$state" = "Entering MASTER STATE" ]; then
      for v in $VIPS; do
        addr=${v%@*} dev=${v#*@}
        grep -qF -- " $addr " <<< "$(ip -o addr show dev "$dev")" || on_drift vip "VIP $addr is missing on $dev while this director is MASTER" "$addr" "$dev"
      done
    fi
  fi
}

# Where the repair records the mark (the trigger value) it last ran with, after its owner's token: the
# probe reports it, so that a stack in sync after a repair keeps the trigger of that repair.
drift_record() { printf '%s/drift/%s' "$STATE_DIR" "${TARGET##*/}"; }
