# Holds the secondary director out of VRRP while the pair's VRRP identity changes (router id, password,
# authentication, unicast peers, NICs, advert interval: what two directors must share to hear each other).
# Applied to one director at a time, such a change leaves two directors that do not hear each other, and
# both take the VIPs. So, before the secondary gets its new files: keepalived is stopped here (it is BACKUP,
# with nothing to hand over) and $VRRP_HOLD is written. While it exists, keepalived-apply.sh installs files
# here without starting or reloading keepalived. The primary then changes alone, and vrrp-release.sh starts
# this director again, with the new identity, once the primary has it.
# stdin: the identity (with the password definition); only its digest is kept. $VIPS: "addr/prefix@dev".
# stdout: "held <host> <nonce>" (a new nonce each time: the release and the primary's note run again) or
# "not held". ACTION=delete: a hold of a secondary whose keepalived.conf never came (a failed first deploy,
# a growth taken back) is forgotten.
if [ "$ACTION" = delete ]; then
  if claim_fresh "file $KEEPALIVED_CONF"; then rm -f "$VRRP_HOLD" "$VRRP_IDENTITY"; rmdir "$STATE_DIR" 2>/dev/null || true; fi
  exit 0
fi
# The host's keepalived.conf belongs to this stack (or to nobody yet): another stack's director is never stopped.
claim_check "file $KEEPALIVED_CONF" own ""
if systemctl is-active -q keepalived && [ -f "$KEEPALIVED_CONF" ] && ! keepalived_vrrp; then
  fail "refusing to make this host a held secondary director: it runs keepalived without VRRP (one director, serving its VIPs itself); nothing was changed" \
    "To grow one director into a pair, keep it as primary and add a new host as secondary."
fi
identity=$(sha256sum | cut -d' ' -f1)
[[ "$identity" =~ ^[0-9a-f]{64}$ ]] || fail "could not read the VRRP identity from stdin; nothing was changed"
recorded=$(cat "$VRRP_IDENTITY" 2>/dev/null || true)
held() { echo "held $HOST $(date +%s%N)"; }

if [ -f "$VRRP_HOLD" ]; then
  # An earlier change has not reached the primary yet (it failed there): stay held, now for this identity.
  printf '%s\n' "$identity" > "$VRRP_HOLD" || fail "cannot write $VRRP_HOLD; keepalived stays stopped here"
  say "still held since $(date -r "$VRRP_HOLD" '+%F %T' 2>/dev/null || echo 'an earlier run'): keepalived stays stopped until the primary has the new VRRP settings"
  held
  exit 0
fi
if [ "$identity" = "$recorded" ]; then
  echo "not held"
  exit 0
fi
if claim_fresh "file $KEEPALIVED_CONF" && ! systemctl is-active -q keepalived; then
  # A new secondary (a first deploy, a replaced host, one director grown into a pair) starts only once
  # the primary runs with the pair's VRRP: started before, it hears no primary and takes the VIPs.
  printf '%s\n' "$identity" > "$VRRP_HOLD" || fail "cannot write $VRRP_HOLD; nothing was changed"
  say "held: this new secondary director starts once the primary has the pair's VRRP settings"
  held
  exit 0
fi

# No identity recorded (a pair deployed by an earlier pulumi-lvs): it may have changed, so it is held.
if systemctl is-active -q keepalived; then
  for v in $VIPS; do
    addr=${v%@*} dev=${v#*@}
    if has "$(ip -o addr show dev "$dev" 2>/dev/null || true)" " $addr "; then
      if [ -z "$recorded" ]; then
        # Not known to change, and stopping it would drop the service: as before the hold existed.
        printf '%s\n' "$identity" > "$VRRP_IDENTITY" || fail "cannot write $VRRP_IDENTITY; nothing was changed"
        say "not held: this director holds the VIP $addr, and no earlier VRRP identity is recorded here (deployed by an earlier pulumi-lvs)"
        echo "not held"
        exit 0
      fi
      fail "refusing to stop keepalived on this (secondary) director for the change of the VRRP settings: it holds the VIP $addr on $dev, so the primary is down or does not hear it, and stopping it would drop the service; nothing was changed" \
        "Bring the primary back (it takes the VIPs back unless nopreempt is set: then restart keepalived here once the primary runs), then run pulumi up again."
    fi
  done
fi
printf '%s\n' "$identity" > "$VRRP_HOLD" || fail "cannot write $VRRP_HOLD; nothing was changed"
if systemctl is-active -q keepalived && ! out=$(systemctl stop keepalived 2>&1); then
  rm -f "$VRRP_HOLD"
  fail "could not stop keepalived on this (secondary) director for the change of the VRRP settings ($(tr -s '\n' ' ' <<< "$out" | sed 's/ $//')); nothing was changed"
fi
say "held: keepalived stopped on this (secondary) director while the VRRP settings change; it starts again, as BACKUP with the new settings, once the primary has them"
held
