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
# ipt_find FAMILY TABLE: sets IPT_CMD to the first iptables of that family whose backend works for
# TABLE on this kernel (nf_tables-based iptables lists fine on kernels without nf_tables support, so a
# backend works when it can create a chain); else returns 1 with what each one said in IPT_WHY.
declare -A IPT_FOUND=()
ipt_find() {
  local fam=$1 table=$2 c err cands="iptables iptables-legacy"
  [ "$fam" = 6 ] && cands="ip6tables ip6tables-legacy"
  IPT_CMD=${IPT_FOUND["$fam $table"]:-} IPT_WHY=""
  [ -z "$IPT_CMD" ] || return 0
  for c in $cands; do
    if ! command -v "$c" >/dev/null; then IPT_WHY+="$c: not installed; "; continue; fi
    if err=$("$c" -t "$table" -N PLVS_PROBE 2>&1); then "$c" -t "$table" -X PLVS_PROBE
    elif ! "$c" -t "$table" -S PLVS_PROBE >/dev/null 2>&1; then IPT_WHY+="$c: $(tr -s '\n' ' ' <<< "$err" | sed 's/ $//'); "; continue; fi
    IPT_FOUND["$fam $table"]=$c IPT_CMD=$c
    return 0
  done
  IPT_WHY=${IPT_WHY%; }
  return 1
}
ipt() { # ipt FAMILY -t TABLE args...: runs the iptables that works for TABLE
  local fam=$1; shift
  ipt_find "$fam" "$2" || fail "no iptables can change the IPv$fam $2 table on this host ($IPT_WHY)"
  "$IPT_CMD" "$@"
}
# check_names FILE: every chain FILE needs has a name iptables accepts.
check_names() {
  local fam table hook rest
  while read -r fam table hook rest; do
    case $fam in 4|6) ;; *) continue ;; esac
    [ ${#SET} -gt 0 ] && [ $((${#SET} + 1 + ${#hook})) -le 28 ] ||
      fail "the chain name ${SET}_$hook is longer than the 28 characters iptables allows; nothing was changed"
  done < "$1"
}
load() { # load FILE: (re)builds our chains from FILE
  local fam table hook rest chain
  local -A seen=()
  while read -r fam table hook rest; do
    case $fam in 4|6) ;; *) continue ;; esac
    chain="${SET}_${hook}"
    if [ -z "${seen["$fam $table $hook"]:-}" ]; then
      ipt "$fam" -t "$table" -N "$chain" 2>/dev/null || ipt "$fam" -t "$table" -F "$chain"
      ipt "$fam" -t "$table" -C "$hook" -j "$chain" 2>/dev/null || ipt "$fam" -t "$table" -I "$hook" 1 -j "$chain"
      seen["$fam $table $hook"]=1
    fi
    # shellcheck disable=SC2086
    ipt "$fam" -t "$table" -A "$chain" $rest
  done < "$1"
}
unload() { # unload FILE: removes the chains FILE created, and the jumps to them, from every iptables that has them
  local fam table hook rest chain c cands
  local -A done_chains=()
  while read -r fam table hook rest; do
    case $fam in 4|6) ;; *) continue ;; esac
    chain="${SET}_${hook}"
    # Once per chain, not once per rule: each iptables run costs (a fork and a full table read).
    [ -z "${done_chains["$fam $table $chain"]:-}" ] || continue
    done_chains["$fam $table $chain"]=1
    cands="iptables iptables-legacy"; [ "$fam" = 6 ] && cands="ip6tables ip6tables-legacy"
    for c in $cands; do
      # Not installed, or its backend refuses the table (then none of our chains can be there).
      command -v "$c" >/dev/null && "$c" -t "$table" -S "$chain" >/dev/null 2>&1 || continue
      while "$c" -t "$table" -D "$hook" -j "$chain" 2>/dev/null; do :; done
      "$c" -t "$table" -F "$chain" 2>/dev/null || true
      "$c" -t "$table" -X "$chain" 2>/dev/null || true
    done
  done < "$1"
}
loader="$(dirname "$FILE")/$SET.load"
case $FW_ACTION in
  boot)
    load "$FILE"
    ;;
  delete)
    # Another resource that took the set over claims the same firewalld rules: they stay.
    fwd_mine_into mine
    if claim_taken "fw $SET"; then fwd_release this "${mine[@]}"; exit 0; fi
    fwd_release this "${mine[@]}"
    [ -f "$FILE" ] && unload "$FILE"
    if [ -f "$UNIT_DIR/$UNIT" ]; then
      systemctl disable -q --no-reload "$UNIT" 2>/dev/null || true
      rm -f "$UNIT_DIR/$UNIT"
      unit_forget "$UNIT"
    fi
    rm -f "$FILE" "$loader"
    rmdir "$(dirname "$FILE")" "$(dirname "$(dirname "$FILE")")" 2>/dev/null || true
    claim_forget "fw $SET"
    rmdir "$STATE_DIR" 2>/dev/null || true
    ;;
  apply)
    claim_check "fw $SET" own ""
    cat > "$work/new"
    check_names "$work/new"
    # Where firewalld runs, it takes the INPUT admissions (firewalld.sh), and iptables the rest.
    wanted=() mine=()
    fwd_mine_into mine any
    rules="$work/new" admits=0
    ! grep -q '^firewalld ' "$work/new" || admits=1
    if [ $admits = 1 ] && fwd_running; then
      fwd_read
      fwd_wanted_into wanted "$work/new"
      grep -v '^[46] filter INPUT ' "$work/new" > "$work/ipt" || true
      rules="$work/ipt"
      fwd_add "${wanted[@]}" || fail "firewalld refused the rules of $SET: $FWD_ERROR; nothing was changed"
    elif [ $admits = 1 ] && systemctl is-enabled -q firewalld 2>/dev/null; then
      say "firewalld is enabled but not running: the INPUT admissions of $SET go into iptables, and firewalld will drop what they let in once it starts (apply them again after starting it)"
    fi
    mkdir -p "$(dirname "$FILE")"
    if [ -f "$FILE" ]; then
      cp -p "$FILE" "$work/backup" || fail "cannot keep a copy of $FILE in $work (disk full?); nothing was changed"
      unload "$FILE"
    fi
    if ! out=$(load "$rules" 2>&1); then
      unload "$rules"
      fwd_undo
      restored="there were none before"
      if [ -f "$work/backup" ]; then
        if (load "$work/backup") >/dev/null 2>&1; then restored="the previous rules were restored"; else restored="the previous rules could not be loaded again either"; fi
      fi
      fail "loading the rules of $SET failed: $(tr -s '\n' ' ' <<< "$out" | sed 's/ $//'); $restored"
    fi
    install -m 0644 "$rules" "$FILE"
    install -m 0755 /dev/stdin "$loader" <<< "$SELF"
    printf '%s\n' "# Managed by pulumi-lvs: loads the firewall rules $SET at boot." "[Unit]" "Description=pulumi-lvs: firewall rules $SET" \
      "After=network-pre.target" "Before=network.target" "" "[Service]" "Type=oneshot" "RemainAfterExit=yes" \
      "ExecStart=/bin/bash $loader" "" "[Install]" "WantedBy=multi-user.target" > "$work/unit"
    # The unit only runs at boot: systemd needs no reload for it unless it holds an older version.
    cmp -s "$work/unit" "$UNIT_DIR/$UNIT" 2>/dev/null || { install -m 0644 "$work/unit" "$UNIT_DIR/$UNIT"; unit_sync "$UNIT"; }
    unit_enable "$UNIT"
    claim_commit "fw $SET" own ""
    for p in "${wanted[@]}"; do claim_commit "firewalld ${p%%$'\t'*} ${p#*$'\t'}" share ""; done
    # What an earlier version of the rules had firewalld admit, and this one does not.
    declare -A keep=()
    for p in "${wanted[@]}"; do keep[$p]=1; done
    stale=()
    for p in "${mine[@]}"; do [ -n "${keep[$p]:-}" ] || stale+=("$p"); done
    fwd_release any "${stale[@]}"
    say "firewall rules $SET loaded${wanted[0]:+ (INPUT admissions through firewalld: ${#wanted[@]} rich rules)}"
    echo "ok $SET"
    ;;
  *) fail "unknown FW_ACTION $FW_ACTION" ;;
esac
