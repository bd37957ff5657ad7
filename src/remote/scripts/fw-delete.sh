# Removes our chains $SET_<hook>, the jumps to them, the rules file and the boot unit.
ipt() {
  local fam=$1; shift
  local cands="iptables iptables-legacy"; [ "$fam" = 6 ] && cands="ip6tables ip6tables-legacy"
  # A backend works when it can create a chain (nf_tables-based iptables lists fine on kernels without nf_tables support).
  for c in $cands; do
    command -v "$c" >/dev/null || continue
    if "$c" -t "$2" -N PLVS_PROBE >/dev/null 2>&1; then "$c" -t "$2" -X PLVS_PROBE; elif ! "$c" -t "$2" -S PLVS_PROBE >/dev/null 2>&1; then continue; fi
    "$c" "$@"; return
  done
  return 1
}
if [ -f "$FILE" ]; then
  while read -r fam table hook rest; do
    case $fam in 4|6) ;; *) continue ;; esac
    chain="${SET}_${hook}"
    ipt "$fam" -t "$table" -D "$hook" -j "$chain" 2>/dev/null || true
    ipt "$fam" -t "$table" -F "$chain" 2>/dev/null || true
    ipt "$fam" -t "$table" -X "$chain" 2>/dev/null || true
  done < "$FILE"
fi
if [ -f "$UNIT_DIR/$UNIT" ]; then
  systemctl disable -q "$UNIT" 2>/dev/null || true
  rm -f "$UNIT_DIR/$UNIT"
  systemctl daemon-reload
fi
rm -f "$FILE" "$(dirname "$FILE")/$SET.load"
rmdir "$(dirname "$FILE")" "$(dirname "$(dirname "$FILE")")" 2>/dev/null || true
rmdir "$STATE_DIR" 2>/dev/null || true
