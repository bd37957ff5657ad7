# firewalld, where it runs (used by fw.sh, whose $work it writes in): an iptables ACCEPT cannot let in what firewalld's own table
# drops, so a set's INPUT admissions go in through firewalld's own tooling instead, as rich rules in its
# zones, runtime and permanent. The rules file carries them as "firewalld <nic|*> <rich rule>" lines:
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
    case $line in DefaultZone=?*) printf -v "$1" '%s' "${line#DefaultZone=}" ;; esac
  done < /etc/firewalld/firewalld.conf
}
# fwd_read: FWD_ACTIVE gets the zones with an interface or a source bound (runtime), FWD_IF_ZONE[nic] the
# zone a NIC is bound to, FWD_HAS["rt|pm <zone>\t<rule>"] each rich rule present (runtime, permanent).
declare -A FWD_IF_ZONE=() FWD_HAS=()
FWD_ACTIVE=()
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
# fwd_change add|remove MODE PAIR...: adds or removes rich rules (runtime, or with MODE pm permanent),
# one firewall-cmd run per zone; with firewalld stopped, the permanent ones through firewall-offline-cmd.
fwd_change() {
  local op=$1 mode=$2 p zone out
  shift 2
  local -A by_zone=()
  for p in "$@"; do by_zone[${p%%$'\t'*}]+="${p#*$'\t'}"$'\n'; done
  for zone in "${!by_zone[@]}"; do
    local -a cmd=(firewall-cmd) rules=()
    [ $mode = rt ] || cmd+=(--permanent)
    if [ $mode = pm ] && ! fwd_running; then cmd=(firewall-offline-cmd); fi
    while IFS= read -r p; do [ -z "$p" ] || rules+=("--$op-rich-rule=$p"); done <<< "${by_zone[$zone]}"
    out=$("${cmd[@]}" "--zone=$zone" "${rules[@]}" 2>&1) || { FWD_ERROR="${cmd[*]} --zone=$zone --$op-rich-rule: $out"; return 1; }
  done
}
# fwd_add PAIR...: records what was there before, then adds what is missing, runtime and permanent; on a
# failure, takes back what it added and returns 1 with FWD_ERROR. FWD_ADDED_RT/PM get what it added.
fwd_add() {
  local p key rt pm
  local -a add_rt=() add_pm=()
  FWD_ADDED_RT=() FWD_ADDED_PM=()
  for p in "$@"; do
    key="firewalld ${p%%$'\t'*} ${p#*$'\t'}"
    rt=${FWD_HAS["rt $p"]:-0} pm=${FWD_HAS["pm $p"]:-0}
    claim_prior "$key" "rt=$rt pm=$pm"
    [ "$rt" = 1 ] || add_rt+=("$p")
    [ "$pm" = 1 ] || add_pm+=("$p")
  done
  if fwd_change add rt "${add_rt[@]}" && fwd_change add pm "${add_pm[@]}"; then
    FWD_ADDED_RT=("${add_rt[@]}") FWD_ADDED_PM=("${add_pm[@]}")
    return 0
  fi
  local why=$FWD_ERROR
  fwd_change remove rt "${add_rt[@]}" || true
  fwd_change remove pm "${add_pm[@]}" || true
  FWD_ERROR=$why
  for p in "$@"; do claimed "firewalld ${p%%$'\t'*} ${p#*$'\t'}" || claim_forget "firewalld ${p%%$'\t'*} ${p#*$'\t'}"; done
  return 1
}
# fwd_undo PAIR...: takes back a fwd_add whose set could not be applied after all.
fwd_undo() {
  local p
  fwd_change remove rt "${FWD_ADDED_RT[@]}" || true
  fwd_change remove pm "${FWD_ADDED_PM[@]}" || true
  for p in "$@"; do claimed "firewalld ${p%%$'\t'*} ${p#*$'\t'}" || claim_forget "firewalld ${p%%$'\t'*} ${p#*$'\t'}"; done
}
# fwd_release this|any PAIR...: drops this version's claims (with "any": every version's of this resource);
# a rule nobody claims any more goes where it was not there before pulumi-lvs (runtime only while
# firewalld runs: a stopped firewalld has no runtime rules).
fwd_release() {
  local p key state prior scope=${1#this}
  local -a rm_rt=() rm_pm=()
  shift
  [ $# -gt 0 ] || return 0
  for p in "$@"; do
    key="firewalld ${p%%$'\t'*} ${p#*$'\t'}"
    claim_release_of state "$key" $scope
    [ "$state" = last ] || continue
    claim_prior_into prior "$key"
    [[ $prior == *rt=1* ]] || rm_rt+=("$p")
    [[ $prior == *pm=1* ]] || rm_pm+=("$p")
    claim_forget "$key"
  done
  if fwd_running; then fwd_change remove rt "${rm_rt[@]}" || fail "$FWD_ERROR"; fi
  if command -v firewall-cmd >/dev/null; then fwd_change remove pm "${rm_pm[@]}" || fail "$FWD_ERROR"; fi
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
