# Our own firewall chains: the rules ("<family> <table> <hook> <match>" per line) go into chains
# $SET_<hook>, each jumped to from the top of its built-in chain, with whichever iptables works on this
# kernel (nf_tables or legacy). $FW_ACTION:
#   apply   load the rules on stdin (the previous ones come back on failure), keep them in $FILE, and
#           install $UNIT, which loads them again at boot with a copy of this script ($SELF)
#   boot    load $FILE
#   delete  remove the chains, the jumps, $FILE and $UNIT, unless another resource took them over
# The set is one owned object, "fw $SET" (see claims.sh).
work=$(mktemp -d)
at_exit 'rm -rf "$work"'
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
unload() { # unload FILE: removes the chains FILE created, and the jumps to them
  local fam table hook rest chain
  while read -r fam table hook rest; do
    case $fam in 4|6) ;; *) continue ;; esac
    chain="${SET}_${hook}"
    ipt "$fam" -t "$table" -D "$hook" -j "$chain" 2>/dev/null || true
    ipt "$fam" -t "$table" -F "$chain" 2>/dev/null || true
    ipt "$fam" -t "$table" -X "$chain" 2>/dev/null || true
  done < "$1"
}
loader="$(dirname "$FILE")/$SET.load"
case $FW_ACTION in
  boot)
    load "$FILE"
    ;;
  delete)
    if claim_taken "fw $SET"; then exit 0; fi
    [ -f "$FILE" ] && unload "$FILE"
    if [ -f "$UNIT_DIR/$UNIT" ]; then
      systemctl disable -q "$UNIT" 2>/dev/null || true
      rm -f "$UNIT_DIR/$UNIT"
      systemctl daemon-reload
    fi
    rm -f "$FILE" "$loader"
    rmdir "$(dirname "$FILE")" "$(dirname "$(dirname "$FILE")")" 2>/dev/null || true
    claim_forget "fw $SET"
    rmdir "$STATE_DIR" 2>/dev/null || true
    ;;
  apply)
    claim_check "fw $SET" own ""
    cat > "$work/new"
    mkdir -p "$(dirname "$FILE")"
    [ -f "$FILE" ] && cp -p "$FILE" "$work/backup" && unload "$FILE"
    if ! out=$(load "$work/new" 2>&1); then
      unload "$work/new"
      [ -f "$work/backup" ] && load "$work/backup"
      fail "loading the rules of $SET failed: $out; the previous rules were restored"
    fi
    install -m 0644 "$work/new" "$FILE"
    install -m 0755 /dev/stdin "$loader" <<< "$SELF"
    printf '%s\n' "# Managed by pulumi-lvs: loads the firewall rules $SET at boot." "[Unit]" "Description=pulumi-lvs: firewall rules $SET" \
      "After=network-pre.target" "Before=network.target" "" "[Service]" "Type=oneshot" "RemainAfterExit=yes" \
      "ExecStart=/bin/bash $loader" "" "[Install]" "WantedBy=multi-user.target" > "$work/unit"
    cmp -s "$work/unit" "$UNIT_DIR/$UNIT" 2>/dev/null || { install -m 0644 "$work/unit" "$UNIT_DIR/$UNIT"; systemctl daemon-reload; }
    systemctl enable -q "$UNIT"
    claim_commit "fw $SET" own ""
    say "firewall rules $SET loaded"
    echo "ok $SET"
    ;;
  *) fail "unknown FW_ACTION $FW_ACTION" ;;
esac
