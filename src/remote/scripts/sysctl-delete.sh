# Removes the sysctl.d file $FILE and puts every key back to the value recorded before we set it.
rm -f "$FILE"
if [ -f "$RECORD" ]; then
  while IFS= read -r line; do
    [ -n "$line" ] || continue
    k=${line%%=*} v=${line#*=}
    sysctl -q -w "$k=$v" >/dev/null || fail "could not restore $k to '$v'"
    [ "$(sysctl -n "$k" | tr -s ' \t' '  ')" = "$(printf '%s' "$v" | tr -s ' \t' '  ')" ] || fail "$k did not go back to '$v'"
  done < "$RECORD"
  rm -f "$RECORD"
else
  say "no record of the values before $FILE: nothing to restore"
fi
# Leave no empty state folder behind.
rmdir "$STATE_DIR" 2>/dev/null || true
