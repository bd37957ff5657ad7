# Installs the systemd unit $UNIT (content on stdin), enables and (re)starts it when it changed, and
# verifies that each of $EXPECT ("dev=addr/prefix" list) is there, and that the default route goes
# via $ROUTE_VIA when set (its previous default routes are recorded once, for delete). Restores the
# previous unit on failure.
work=$(mktemp -d)
at_exit 'rm -rf "$work"'
cat > "$work/new"
path="$UNIT_DIR/$UNIT"
changed=1
if [ -f "$path" ] && cmp -s "$work/new" "$path"; then changed=0; fi
[ -f "$path" ] && cp -p "$path" "$work/backup"
if [ -n "$ROUTE_VIA" ] && [ ! -e "$ROUTE_RECORD" ]; then
  { ip -4 route show default; ip -6 route show default; } > "$ROUTE_RECORD.new" 2>/dev/null || true
  mv -f "$ROUTE_RECORD.new" "$ROUTE_RECORD"
fi
restore() {
  systemctl stop "$UNIT" 2>/dev/null || true
  if [ -f "$work/backup" ]; then cp -p "$work/backup" "$path"; else rm -f "$path"; fi
  systemctl daemon-reload
  if [ -f "$path" ]; then systemctl start "$UNIT" || true; fi
}
if [ $changed = 1 ]; then
  # Stop with the old unit file, so its ExecStop takes the old addresses off lo.
  [ -f "$path" ] && { systemctl stop "$UNIT" 2>/dev/null || true; }
  install -m 0644 "$work/new" "$path.pulumi-lvs-new"
  mv -f "$path.pulumi-lvs-new" "$path"
  systemctl daemon-reload
  systemctl enable -q "$UNIT"
  systemctl start "$UNIT" || { restore; fail "$UNIT failed to start; the previous unit was restored"; }
else
  systemctl enable -q "$UNIT"
  systemctl start "$UNIT" || fail "$UNIT failed to start"
fi
for e in $EXPECT; do
  dev=${e%%=*} a=${e#*=}
  has "$(ip -o addr show dev "$dev" 2>/dev/null)" " $a " || { restore; fail "$a is not on $dev after starting $UNIT; the previous unit was restored"; }
done
if [ -n "$ROUTE_VIA" ]; then
  has "$(ip route show default; ip -6 route show default)" "via $ROUTE_VIA " || { restore; fail "the default route does not go via $ROUTE_VIA after starting $UNIT; the previous unit was restored"; }
fi
[ $changed = 1 ] && say "$UNIT installed and started" || true
echo "ok $UNIT"
