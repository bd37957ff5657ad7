# Installs the systemd unit $UNIT (content on stdin), enables and (re)starts it when it changed, and
# verifies that each of $EXPECT_LO ("addr/prefix" list) is on lo. Restores the previous unit on failure.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/new"
path="$UNIT_DIR/$UNIT"
changed=1
if [ -f "$path" ] && cmp -s "$work/new" "$path"; then changed=0; fi
[ -f "$path" ] && cp -p "$path" "$work/backup"
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
for a in $EXPECT_LO; do
  has "$(ip -o addr show dev lo)" " $a " || { restore; fail "$a is not on lo after starting $UNIT; the previous unit was restored"; }
done
[ $changed = 1 ] && say "$UNIT installed and started" || true
echo "ok $UNIT"
