# Stops and removes the systemd unit $UNIT (its ExecStop takes the addresses off), checks that none
# of $EXPECT ("dev=addr/prefix") is left, and puts back the default routes recorded before $ROUTE_VIA.
path="$UNIT_DIR/$UNIT"
if [ -f "$path" ]; then
  systemctl disable -q --now "$UNIT" || systemctl stop "$UNIT" || true
  rm -f "$path"
  systemctl daemon-reload
fi
for e in $EXPECT; do
  dev=${e%%=*} a=${e#*=}
  if has "$(ip -o addr show dev "$dev" 2>/dev/null)" " $a "; then
    ip addr del "$a" dev "$dev" || fail "could not remove $a from $dev"
  fi
done
if [ -n "$ROUTE_VIA" ] && [ -f "$ROUTE_RECORD" ]; then
  while ip route show default | grep -q "via $ROUTE_VIA "; do ip route del default via "$ROUTE_VIA" || break; done
  while ip -6 route show default | grep -q "via $ROUTE_VIA "; do ip -6 route del default via "$ROUTE_VIA" || break; done
  while read -r route; do
    [ -n "$route" ] || continue
    # shellcheck disable=SC2086
    case $route in *:*) ip -6 route replace $route ;; *) ip route replace $route ;; esac || say "could not restore the route: $route"
  done < "$ROUTE_RECORD"
  rm -f "$ROUTE_RECORD"
  say "restored the default routes from before pulumi-lvs"
fi
# Leave no empty state folder behind.
rmdir "$STATE_DIR" 2>/dev/null || true
