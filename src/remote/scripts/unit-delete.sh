# Stops and removes the systemd unit $UNIT (its ExecStop takes the addresses off lo) and checks
# that none of $EXPECT_LO is left on lo.
path="$UNIT_DIR/$UNIT"
if [ -f "$path" ]; then
  systemctl disable -q --now "$UNIT" || systemctl stop "$UNIT" || true
  rm -f "$path"
  systemctl daemon-reload
fi
for a in $EXPECT_LO; do
  if has "$(ip -o addr show dev lo)" " $a "; then
    ip addr del "$a" dev lo || fail "could not remove $a from lo"
  fi
done
# Leave no empty state folder behind.
rmdir "$STATE_DIR" 2>/dev/null || true
