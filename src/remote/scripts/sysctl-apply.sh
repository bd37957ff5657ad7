# Writes the sysctl.d file $FILE (content on stdin) and applies it. The first time a key is managed,
# its current value is recorded in $RECORD; delete puts those values back. Prints the record.
work=$(mktemp -d)
at_exit 'rm -rf "$work"'
cat > "$work/new"
keys_of() { sed -n 's/^[[:space:]]*\([a-z0-9_][^=[:space:]]*\)[[:space:]]*=.*/\1/p' "$1"; }
value_in() { sed -n "s/^[[:space:]]*$2[[:space:]]*=[[:space:]]*//p" "$1" | tail -n 1; }
norm() { tr -s ' \t' '  ' | sed 's/^ //; s/ $//'; }

touch "$RECORD"
chmod 0600 "$RECORD"
for k in $(keys_of "$work/new"); do
  grep -q "^$k=" "$RECORD" && continue
  v=$(sysctl -n "$k" 2>/dev/null) || fail "the sysctl $k does not exist on this host (kernel module not loaded?)"
  printf '%s=%s\n' "$k" "$v" >> "$RECORD"
done
# Keys this file no longer sets go back to their recorded values.
if [ -f "$FILE" ]; then
  for k in $(keys_of "$FILE"); do
    grep -qx -- "$k" <<< "$(keys_of "$work/new")" && continue
    v=$(sed -n "s/^$k=//p" "$RECORD")
    sysctl -q -w "$k=$v" >/dev/null || fail "could not restore $k=$v"
    sed -i "/^$k=/d" "$RECORD"
  done
  cp -p "$FILE" "$work/backup"
fi

install -m 0644 "$work/new" "$FILE.pulumi-lvs-new"
mv -f "$FILE.pulumi-lvs-new" "$FILE"
restore() {
  if [ -f "$work/backup" ]; then cp -p "$work/backup" "$FILE"; sysctl -q -p "$FILE" >/dev/null 2>&1 || true
  else rm -f "$FILE"; fi
}
if ! err=$(sysctl -q -p "$FILE" 2>&1 >/dev/null); then
  restore
  fail "sysctl -p $FILE failed ($err); the previous file was restored"
fi
for k in $(keys_of "$FILE"); do
  want=$(value_in "$FILE" "$k" | norm)
  have=$(sysctl -n "$k" | norm)
  if [ "$want" != "$have" ]; then
    restore
    fail "$k is '$have' after applying, expected '$want'; the previous file was restored"
  fi
done
cat "$RECORD"
