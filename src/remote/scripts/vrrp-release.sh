# Releases the secondary director held by vrrp-hold.sh, once the primary runs with the new VRRP identity:
# starts keepalived with the files installed meanwhile, waits longer than a backup waits before taking
# over ($HEAR_WAIT seconds), and checks that it stayed BACKUP (holds none of $VIPS, "addr/prefix@dev").
# A director that takes the VIPs does not hear the primary: it is stopped again and stays held.
# stdin: the hold's output (so that this runs again whenever the hold ran). Nothing held: nothing to do.
if [ ! -f "$VRRP_HOLD" ]; then
  echo "not held"
  exit 0
fi
identity=$(sed -n 1p "$VRRP_HOLD")
unit_enable keepalived 2>/dev/null || true
if ! systemctl is-active -q keepalived && ! systemctl start keepalived; then
  fail "keepalived did not start on this (secondary) director with the new VRRP settings; it stays held (stopped): the pair runs on the primary alone" \
    "$(journalctl -u keepalived -n 20 --no-pager 2>/dev/null || true)"
fi
sleep "$HEAR_WAIT"
systemctl is-active -q keepalived || fail "keepalived stopped on this (secondary) director after starting with the new VRRP settings; it stays held: the pair runs on the primary alone" \
  "$(journalctl -u keepalived -n 20 --no-pager 2>/dev/null || true)"
for v in $VIPS; do
  addr=${v%@*} dev=${v#*@}
  if has "$(ip -o addr show dev "$dev" 2>/dev/null || true)" " $addr "; then
    systemctl stop keepalived || true
    fail "this (secondary) director took the VIP $addr on $dev after starting with the new VRRP settings: it does not hear the primary (a firewall, or settings that differ?), so keepalived was stopped again and stays held; the pair runs on the primary alone" \
      "If the primary is in fact down, start keepalived here by hand: rm $VRRP_HOLD && systemctl start keepalived"
  fi
done
printf '%s\n' "$identity" > "$VRRP_IDENTITY"
rm -f "$VRRP_HOLD"
say "released: keepalived runs again on this (secondary) director, as BACKUP with the new VRRP settings"
echo "released"
