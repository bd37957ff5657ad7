# Loads the rules on stdin ("<family> <table> <hook> <match>" per line) into our own chains
# $SET_<hook>, each jumped to from the top of its built-in chain, with whichever iptables works on this
# kernel (nf_tables or legacy). The rules are kept in $FILE and loaded again at boot by $UNIT.
# The previous rules come back on failure.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/new"
ipt() { # ipt FAMILY args...: the first iptables of that family whose backend this kernel supports
  local fam=$1; shift
  local cands="iptables iptables-legacy"; [ "$fam" = 6 ] && cands="ip6tables ip6tables-legacy"
  # A backend works when it can create a chain (nf_tables-based iptables lists fine on kernels without nf_tables support).
  for c in $cands; do
    command -v "$c" >/dev/null || continue
    if "$c" -t "$2" -N PLVS_PROBE >/dev/null 2>&1; then "$c" -t "$2" -X PLVS_PROBE; elif ! "$c" -t "$2" -S PLVS_PROBE >/dev/null 2>&1; then continue; fi
    "$c" "$@"; return
  done
  fail "no working iptables for IPv$fam table $2 on this host (install iptables)"
}
load() { # load FILE: (re)builds our chains from FILE
  local fam table hook rest chain seen=""
  while read -r fam table hook rest; do
    case $fam in 4|6) ;; *) continue ;; esac
    chain="${SET}_${hook}"
    if ! grep -qx -- "$fam $table $hook" <<< "$seen"; then
      ipt "$fam" -t "$table" -N "$chain" 2>/dev/null || ipt "$fam" -t "$table" -F "$chain"
      ipt "$fam" -t "$table" -C "$hook" -j "$chain" 2>/dev/null || ipt "$fam" -t "$table" -I "$hook" 1 -j "$chain"
      seen+="$fam $table $hook"$'\n'
    fi
    # shellcheck disable=SC2086
    ipt "$fam" -t "$table" -A "$chain" $rest
  done < "$1"
}
unload() { # unload FILE: removes the chains FILE created
  local fam table hook rest chain
  while read -r fam table hook rest; do
    case $fam in 4|6) ;; *) continue ;; esac
    chain="${SET}_${hook}"
    ipt "$fam" -t "$table" -D "$hook" -j "$chain" 2>/dev/null || true
    ipt "$fam" -t "$table" -F "$chain" 2>/dev/null || true
    ipt "$fam" -t "$table" -X "$chain" 2>/dev/null || true
  done < "$1"
}
if [ "${FW_ACTION:-apply}" = boot ]; then load "$FILE"; exit 0; fi
mkdir -p "$(dirname "$FILE")"
[ -f "$FILE" ] && cp -p "$FILE" "$work/backup" && unload "$FILE"
if ! out=$(load "$work/new" 2>&1); then
  unload "$work/new"
  [ -f "$work/backup" ] && load "$work/backup"
  fail "loading the rules of $SET failed: $out; the previous rules were restored"
fi
install -m 0644 "$work/new" "$FILE"
# At boot the same loader runs from a copy of this script.
install -m 0755 /dev/stdin "$(dirname "$FILE")/$SET.load" <<< "$SELF"
printf '%s\n' "# Managed by pulumi-lvs: loads the firewall rules $SET at boot." "[Unit]" "Description=pulumi-lvs: firewall rules $SET" \
  "After=network-pre.target" "Before=network.target" "" "[Service]" "Type=oneshot" "RemainAfterExit=yes" \
  "ExecStart=/bin/bash $(dirname "$FILE")/$SET.load" "" "[Install]" "WantedBy=multi-user.target" > "$work/unit"
cmp -s "$work/unit" "$UNIT_DIR/$UNIT" 2>/dev/null || { install -m 0644 "$work/unit" "$UNIT_DIR/$UNIT"; systemctl daemon-reload; }
systemctl enable -q "$UNIT"
say "firewall rules $SET loaded"
echo "ok $SET"
