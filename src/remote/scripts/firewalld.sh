# firewalld, where it runs (used by fw.sh, whose $work it writes in): an iptables ACCEPT cannot let in
# what firewalld's own table drops, so a set's INPUT admissions go in through firewalld's own tooling
# instead, as rich rules in its zones, runtime and permanent. The rules file carries them as "firewalld <nic|*> <rich rule>" lines:
# the zone of that NIC (the default zone when none is bound to it), or with "*" every zone in use and
# the default one. Each zone's rule is a shared object "firewalld <zone> <rule>" (see claims.sh), so a
# rule that was there before (the admin's own) stays when the last set that wanted it goes.
fwd_running() { command -v firewall-cmd >/dev/null && systemctl is-active -q firewalld 2>/dev/null; }
# fwd_default_into VAR: VAR gets the default zone (firewall-cmd --set-default-zone writes it to the conf).
fwd_default_into() {
  local line
  printf -v "$1" public
  [ -r /etc/firewalld/firewalld.conf ] || return 0
  while IFS= read -r line; do
    [[ ! $line =~ ^[[:space:]]*DefaultZone[[:space:]]*=[[:space:]]*([^[:space:]]+) ]] || printf -v "$1" '%s' "${BASH_REMATCH[1]}"
  done < /etc/firewalld/firewalld.conf
}
# fwd_read: FWD_ACTIVE gets the zones with an interface or a source bound (runtime), FWD_IF_ZONE[nic] the
# zone a NIC is bound to, FWD_HAS["rt|pm <zone>\t<rule>"] each rich rule present (runtime, permanent).
declare -A FWD_IF_ZONE=() FWD_HAS=()
FWD_ACTIVE=() FWD_ADDED_RT=() FWD_ADDED_PM=() FWD_FRESH=()
fwd_read() {
  local mode out line zone field nic
  local -a args
  for mode in rt pm; do
    args=(--list-all-zones); [ $mode = rt ] || args=(--permanent --list-all-zones)
    out=$(firewall-cmd "${args[@]}" 2>"$work/fwd-err") || fail "firewall-cmd ${args[*]} failed: $(<"$work/fwd-err")$out; nothing was changed"
    zone="" field=""
    while IFS= read -r line; do
      case $line in
        "") zone="" ;;
        $'\t'*) [ "$field" != "rich rules" ] || FWD_HAS["$mode $zone"$'\t'"${line#$'\t'}"]=1 ;;
        "  "*:*)
          field=${line#  } field=${field%%:*}
          if [ $mode = rt ] && [ "$field" = interfaces ]; then
            for nic in ${line#*:}; do FWD_IF_ZONE[$nic]=$zone; done
          fi ;;
        *)
          zone=${line%% *}
          [ $mode != rt ] || [[ $line != *" (active)" ]] || FWD_ACTIVE+=("$zone") ;;
      esac
    done <<< "$out"
  done
}
# fwd_wanted_into ARRAY FILE: the "<zone><TAB><rule>" pairs FILE's firewalld lines ask for (after fwd_read).
fwd_wanted_into() {
  local -n _fw_out=$1
  local fam nic rule default zone
  local -A seen=()
  local -a zones
  _fw_out=()
  fwd_default_into default
  while read -r fam nic rule; do
    [ "$fam" = firewalld ] || continue
    if [ "$nic" = "*" ]; then zones=("$default" "${FWD_ACTIVE[@]}"); else zones=("${FWD_IF_ZONE[$nic]:-$default}"); fi
    for zone in "${zones[@]}"; do
      [ -z "${seen["$zone"$'\t'"$rule"]:-}" ] || continue
      seen["$zone"$'\t'"$rule"]=1 _fw_out+=("$zone"$'\t'"$rule")
    done
  done < "$2"
}
# fwd_key_of VAR PAIR: VAR gets the claim key of a "<zone><TAB><rule>" pair.
fwd_key_of() { printf -v "$1" 'firewalld %s %s' "${2%%$'\t'*}" "${2#*$'\t'}"; }
# fwd_change add|remove MODE PAIR...: adds or removes rich rules (runtime, or with MODE pm permanent),
# one firewall-cmd run per zone, every zone even after one failed; with firewalld stopped, the permanent
# ones through firewall-offline-cmd. Returns 1 with FWD_ERROR when any rule was refused: with several
# rules in one run, firewall-cmd only warns about a refused one and exits 0 if another one went in.
fwd_change() {
  local op=$1 mode=$2 p zone out line
  shift 2
  local -A by_zone=()
  FWD_ERROR=""
  for p in "$@"; do by_zone[${p%%$'\t'*}]+="${p#*$'\t'}"$'\n'; done
  for zone in "${!by_zone[@]}"; do
    local -a cmd=(firewall-cmd) rules=()
    [ $mode = rt ] || cmd+=(--permanent)
    if [ $mode = pm ] && ! fwd_running; then cmd=(firewall-offline-cmd); fi
    while IFS= read -r p; do [ -z "$p" ] || rules+=("--$op-rich-rule=$p"); done <<< "${by_zone[$zone]}"
    if ! out=$("${cmd[@]}" "--zone=$zone" "${rules[@]}" 2>&1); then
      FWD_ERROR+="${FWD_ERROR:+; }${cmd[*]} --zone=$zone --$op-rich-rule: ${out//$'\n'/ }"
      continue
    fi
    while IFS= read -r line; do
      case $line in
        *Warning:\ ALREADY_ENABLED*|*Warning:\ NOT_ENABLED*) ;;
        *Warning:*|*Error:*) FWD_ERROR+="${FWD_ERROR:+; }${cmd[*]} --zone=$zone --$op-rich-rule: $line" ;;
      esac
    done <<< "$out"
  done
  [ -z "$FWD_ERROR" ]
}
# fwd_add PAIR...: records what was there before, then adds what is missing, runtime and permanent; on a
# failure, takes back what it added and returns 1 with FWD_ERROR. FWD_ADDED_RT/PM get what it added, and
# FWD_FRESH the keys nobody had claimed or recorded before (what a roll-back forgets again). Called with
# ||, so errexit does not hold here: each step that changes state is checked.
fwd_add() {
  local p key rt pm why
  local -a add_rt=() add_pm=()
  FWD_ADDED_RT=() FWD_ADDED_PM=() FWD_FRESH=()
  for p in "$@"; do
    fwd_key_of key "$p"
    rt=${FWD_HAS["rt $p"]:-0} pm=${FWD_HAS["pm $p"]:-0}
    if claim_fresh "$key"; then
      claim_prior "$key" "rt=$rt pm=$pm" || { FWD_ERROR="cannot record the state of $key in $CLAIMS (disk full or read-only?)"; fwd_forget_fresh; return 1; }
      FWD_FRESH+=("$key")
    fi
    [ "$rt" = 1 ] || add_rt+=("$p")
    [ "$pm" = 1 ] || add_pm+=("$p")
  done
  FWD_ADDED_RT=("${add_rt[@]}") FWD_ADDED_PM=("${add_pm[@]}")
  fwd_change add rt "${add_rt[@]}" && fwd_change add pm "${add_pm[@]}" && return 0
  why=$FWD_ERROR
  fwd_undo
  FWD_ERROR=$why
  return 1
}
fwd_forget_fresh() { local k; for k in "${FWD_FRESH[@]}"; do claimed "$k" || claim_forget "$k"; done; }
# fwd_undo: takes back what fwd_add added (its set could not be applied after all).
fwd_undo() {
  fwd_change remove rt "${FWD_ADDED_RT[@]}" || true
  fwd_change remove pm "${FWD_ADDED_PM[@]}" || true
  fwd_forget_fresh
}
# fwd_release this|any PAIR...: drops this version's claims (with "any": every version's of this resource);
# a rule nobody else claims goes where it was not there before pulumi-lvs (runtime only while firewalld
# runs: a stopped firewalld has no runtime rules). The last claims are dropped only once the rules are
# gone, so a failed removal is tried again by the next run.
fwd_release() {
  local p key state prior i others scope=${1#this}
  local -a rm_rt=() rm_pm=() last=()
  shift
  [ $# -gt 0 ] || return 0
  for p in "$@"; do
    fwd_key_of key "$p"
    claims_of "$key"
    others=0
    for i in "${!CLAIM_TOKENS[@]}"; do claim_mine_at "$i" "$scope" || others=1; done
    if [ $others = 1 ]; then claim_release_of state "$key" $scope; continue; fi
    claim_prior_into prior "$key"
    [[ $prior == *rt=1* ]] || rm_rt+=("$p")
    [[ $prior == *pm=1* ]] || rm_pm+=("$p")
    last+=("$key")
  done
  local why=""
  if fwd_running; then fwd_change remove rt "${rm_rt[@]}" || why=$FWD_ERROR; fi
  if command -v firewall-cmd >/dev/null; then fwd_change remove pm "${rm_pm[@]}" || why+="${why:+; }$FWD_ERROR"; fi
  [ -z "$why" ] || fail "removing firewalld rules failed: $why; they stay claimed, and the next run tries again"
  for key in "${last[@]}"; do claim_release_of state "$key" $scope; claim_forget "$key"; done
}
# fwd_mine_into ARRAY [any]: the pairs this version (with "any": any version) of this resource claims.
fwd_mine_into() {
  local -n _fm_out=$1
  local -a keys
  local k
  claimed_by_me_into keys "firewalld " "${2:-}"
  _fm_out=()
  for k in "${keys[@]}"; do _fm_out+=("${k%% *}"$'\t'"${k#* }"); done
}
