# A VirtualServiceSet's service files on one director, changed together: one `keepalived -t` for all of
# them, one swap, one reload, one read of the IPVS table. A set is one Pulumi resource, whose inputs Pulumi
# records only when its command succeeds, so its change is all or nothing: when any file fails, every file
# it changed is put back (and keepalived reloaded with them), and the command fails naming each failed
# service and why:
#   - a change keepalived refuses is validated one file at a time, to name the files it refuses;
#   - a changed service not in IPVS as its file says after the reload fails;
#   - a failed reload, or keepalived stopping, fails them all.
# Processes are started per step, not per file (a fork costs 20-40 ms on emulated hosts): bash itself
# writes and compares the files, and each copy, move or removal of many files is one command.
# Every file is one entry: E_ACTION install|remove, E_TARGET, E_NAME (the service), E_VERIFY (ipvsadm's
# arguments for its service), E_SCHED, E_CONTENT; E_CHANGED 0|1; E_STATUS 0 (done), 1 (failed: E_MSG,
# E_DETAIL), skip (another resource holds it now) or undone (put back with the others).
SVC_DIR="$LVS_DIR/services"
E_ACTION=() E_TARGET=() E_NAME=() E_VERIFY=() E_SCHED=() E_CONTENT=() E_CHANGED=() E_STATUS=() E_MSG=() E_DETAIL=()
SET_BATCH=() SET_VERIFY=() SET_FORGET=()
SET_RUNNING=0 SET_STARTED=0 SET_SWAPPED=0
# The files this set swapped in, until keepalived has loaded them (or they were put back): a run that
# dies in between (a lost SSH connection) leaves it, and the next run loads them again even though they
# look done, and removes those it no longer lists.
SET_PENDING="$STATE_DIR/set-pending.$PLVS_TOKEN"
declare -A SET_WAS_PENDING=()
file_text FAIL_NOTE "$VRRP_PEER_HELD"

set_unstageable() { fail "cannot stage the service files of $SET_NAME in $LVS_DIR ($1: disk full or not writable?); nothing was changed"; }
set_start() {
  local t
  [ -d "$SVC_DIR" ] || { mkdir -p "$SVC_DIR" && chmod 0755 "$LVS_DIR" "$SVC_DIR"; } || set_unstageable mkdir
  # A staging folder an hour old is a killed run's (a live one's lasts seconds).
  find "$LVS_DIR" -maxdepth 1 -name '.stage.*' -mmin +60 -exec rm -rf {} + 2>/dev/null || true
  SET_WORK=$(mktemp -d "$LVS_DIR/.stage.XXXXXX" 2>/dev/null) || set_unstageable mktemp
  at_exit 'rm -rf "$SET_WORK"'
  mkdir "$SET_WORK/new" "$SET_WORK/backup" || set_unstageable mkdir
  if [ -f "$SET_PENDING" ]; then
    while IFS= read -r t; do [ -z "$t" ] || SET_WAS_PENDING[$t]=1; done < "$SET_PENDING"
  fi
}

# set_add ACTION TARGET [NAME VERIFY SCHED CONTENT]
set_add() {
  local i=${#E_TARGET[@]}
  E_ACTION[i]=$1 E_TARGET[i]=$2 E_NAME[i]=${3:-${2##*/}} E_VERIFY[i]=${4:-} E_SCHED[i]=${5:-} E_CONTENT[i]=${6:-}
  E_CHANGED[i]=0 E_STATUS[i]=0 E_MSG[i]="" E_DETAIL[i]=""
}
set_outcome() { E_STATUS[$1]=$2 E_MSG[$1]=${3:-} E_DETAIL[$1]=${4:-}; }

# set_read: the files on stdin: their number on a line, then each a line "name<TAB>file name<TAB>ipvsadm
# arguments<TAB>scheduler<TAB>bytes" followed by its content. Input cut short fails: a shorter list would
# remove the services past the cut.
set_read() {
  local count n name base verify sched size content target
  IFS= read -r count && [[ $count =~ ^[0-9]{1,6}$ ]] || fail "stdin does not start with the number of service files; nothing was changed"
  for ((n = 0; n < count; n++)); do
    IFS=$'\t' read -r name base verify sched size || fail "stdin ended after $n of $count service files; nothing was changed"
    [[ $size =~ ^[1-9][0-9]{0,8}$ && $base =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*\.conf$ ]] \
      || fail "stdin holds no service file entry here: '$name' '$base' ($size bytes); nothing was changed"
    target=$SVC_DIR/$base content=""
    IFS= read -r -N "$size" content || true
    [ "${#content}" = "$size" ] || fail "stdin ended inside the new $target; nothing was changed"
    set_add install "$target" "$name" "$verify" "$sched" "$content"
  done
  ! IFS= read -r -N 1 content || fail "stdin holds more than its $count service files; nothing was changed"
}

# set_add_held [unlisted]: an entry removing each service file this set holds here (with "unlisted": each
# one it no longer lists), and each one a killed run of it swapped in that nobody holds. Its claims another
# resource displaced (a service moved out of the set) go too.
set_add_held() {
  local t f key
  local -a held=()
  local -A listed=() added=()
  for t in "${E_TARGET[@]}"; do listed[$t]=1; done
  claimed_by_me_into held "file $SVC_DIR/"
  for t in "${held[@]}"; do
    t=$SVC_DIR/$t
    [ -n "${listed[$t]:-}" ] || { set_add remove "$t"; added[$t]=1; }
  done
  for t in "${!SET_WAS_PENDING[@]}"; do
    [ -z "${listed[$t]:-}" ] && [ -z "${added[$t]:-}" ] && [ -f "$t" ] && ! claimed "file $t" || continue
    set_add remove "$t"
  done
  for f in "$CLAIMS"/*/.displaced."$PLVS_TOKEN"; do
    [ -f "$f" ] || continue
    first_lines "${f%/*}/.key" key
    case $key in "file $SVC_DIR/"*) [ -n "${listed[${key#file }]:-}" ] || SET_FORGET+=("$f") ;; esac
  done
}

# set_plan: who owns each file (another stack's is refused), and which of them change.
set_plan() {
  local i t why cur
  for i in "${!E_TARGET[@]}"; do
    t=${E_TARGET[i]}
    if [ "${E_ACTION[i]}" = install ]; then
      claim_conflict_of why "file $t" own ""
      if [ -n "$why" ]; then set_outcome "$i" 1 "${why%%$'\n'*}" "${why#*$'\n'}"; continue; fi
      cur=""
      [ ! -f "$t" ] || { IFS= read -r -d '' cur < "$t" || true; }
      if [ ! -f "$t" ] || [ "$cur" != "${E_CONTENT[i]}" ] || [ -n "${SET_WAS_PENDING[$t]:-}" ]; then E_CHANGED[i]=1; fi
    elif claim_taken "file $t"; then
      E_STATUS[i]=skip
    elif [ -f "$t" ] || [ -n "${SET_WAS_PENDING[$t]:-}" ]; then
      E_CHANGED[i]=1
    else
      say "$t is already gone"
    fi
  done
  for i in "${!E_TARGET[@]}"; do
    [ "${E_STATUS[i]}" = 0 ] || continue
    [ "${E_CHANGED[i]}" = 0 ] || SET_BATCH+=("$i")
    # Checked after the reload: each file in force (an unchanged one only noted), each removed one gone.
    [ "${E_ACTION[i]}" = remove ] && [ "${E_CHANGED[i]}" = 0 ] || SET_VERIFY+=("$i")
  done
}
set_failed() { # any entry failed
  local i
  for i in "${!E_TARGET[@]}"; do [ "${E_STATUS[i]}" != 1 ] || return 0; done
  return 1
}

# set_valid I...: keepalived -t on the configuration with these changes: 0 valid, 1 refused (CHECK_OUT:
# keepalived's words), 2 the staging tree could not be made.
set_valid() {
  local i tree="$SET_WORK/tree"
  local -a gone=()
  config_stage "$tree" || return 2
  for i in "$@"; do
    if [ "${E_ACTION[i]}" = install ]; then printf '%s' "${E_CONTENT[i]}" > "$tree/pulumi-lvs/services/${E_TARGET[i]##*/}" || return 2
    else gone+=("$tree/pulumi-lvs/services/${E_TARGET[i]##*/}"); fi
  done
  [ ${#gone[@]} = 0 ] || rm -f "${gone[@]}" || return 2
  config_validate "$tree"
}

# set_validate: the change as a whole, checked by keepalived; when it is refused, each file alone, to name
# those it refuses.
set_validate() {
  local rc i refused=0 together
  [ ${#SET_BATCH[@]} -gt 0 ] && ! set_failed || return 0
  set_valid "${SET_BATCH[@]}" && rc=0 || rc=$?
  [ $rc != 0 ] || return 0
  [ $rc != 2 ] || set_unstageable "staging tree"
  together=$CHECK_OUT
  if [ ${#SET_BATCH[@]} -gt 1 ]; then
    for i in "${SET_BATCH[@]}"; do
      set_valid "$i" && rc=0 || rc=$?
      [ $rc != 2 ] || set_unstageable "staging tree"
      [ $rc = 0 ] || { set_refused "$i" "$CHECK_OUT"; refused=1; }
    done
  fi
  if [ $refused = 0 ]; then
    for i in "${SET_BATCH[@]}"; do set_refused "$i" "$together"; done
    [ ${#SET_BATCH[@]} = 1 ] || for i in "${SET_BATCH[@]}"; do E_MSG[i]+=" (keepalived accepts each file of this change alone, not all of them together)"; done
  fi
}
set_refused() { # I OUTPUT
  local what="with the new ${E_TARGET[$1]}"
  [ "${E_ACTION[$1]}" = install ] || what="without ${E_TARGET[$1]}"
  set_outcome "$1" 1 "keepalived rejected the configuration $what (keepalived -t)" "$2"
}

# set_swap: the files of SET_BATCH in place, the previous ones kept: each new file is written in the
# staging folder, then all are moved in (a rename each: a file is either the old one or the new one).
set_swap() {
  local i t
  local -a backup=() new=() gone=()
  [ ${#SET_BATCH[@]} -gt 0 ] && ! set_failed || return 0
  for i in "${SET_BATCH[@]}"; do
    t=${E_TARGET[i]}
    [ ! -f "$t" ] || backup+=("$t")
    if [ "${E_ACTION[i]}" = install ]; then
      printf '%s' "${E_CONTENT[i]}" > "$SET_WORK/new/${t##*/}" || set_unstageable write
      new+=("$SET_WORK/new/${t##*/}")
    else
      gone+=("$t")
    fi
  done
  [ ${#backup[@]} = 0 ] || cp -p -t "$SET_WORK/backup" "${backup[@]}" || set_unstageable backup
  { for i in "${SET_BATCH[@]}"; do printf '%s\n' "${E_TARGET[i]}"; done; } > "$SET_PENDING" || set_unstageable "$SET_PENDING"
  SET_SWAPPED=1
  if ! { { [ ${#new[@]} = 0 ] || mv -f -t "$SVC_DIR" "${new[@]}"; } && { [ ${#gone[@]} = 0 ] || rm -f "${gone[@]}"; }; }; then
    set_put_back
    fail "cannot put the new service files of $SET_NAME in $SVC_DIR; the previous files were restored"
  fi
}

# set_put_back: each file of the change as it was before it.
set_put_back() {
  local i t
  local -a back=() gone=()
  for i in "${SET_BATCH[@]}"; do
    t=${E_TARGET[i]}
    if [ -f "$SET_WORK/backup/${t##*/}" ]; then back+=("$SET_WORK/backup/${t##*/}"); else gone+=("$t"); fi
  done
  [ ${#back[@]} = 0 ] || cp -p -t "$SVC_DIR" "${back[@]}" || true
  [ ${#gone[@]} = 0 ] || rm -f "${gone[@]}" || true
}
set_flat() { tr -s '\n' ' ' <<< "$1" | sed 's/ $//'; }

# set_load: keepalived loads the swapped files: a reload, or its start where a director alone waited for
# its first service; neither on a director held out of VRRP (its release loads them).
set_load() {
  local out log i
  systemctl is-active -q keepalived && SET_RUNNING=1
  [ $SET_SWAPPED = 1 ] || return 0
  if [ $SET_RUNNING = 1 ]; then
    keepalived_reload && return 0
    out=$(set_flat "$RELOAD_OUT")
    for i in "${SET_BATCH[@]}"; do set_outcome "$i" 1 "reloading keepalived failed ($out)"; done
  elif [ -f "$VRRP_HOLD" ]; then
    say "keepalived stays stopped: this director is held while the VRRP settings change; the service files of $SET_NAME are loaded when it is released"
  elif claimed "file $KEEPALIVED_CONF" && ! keepalived_idle && ! keepalived_vrrp; then
    unit_enable keepalived 2>/dev/null || true
    if out=$(systemctl start keepalived 2>&1) && systemctl is-active -q keepalived; then
      SET_RUNNING=1 SET_STARTED=1
    else
      log=$(journalctl -u keepalived -n 20 --no-pager 2>/dev/null || true)
      systemctl stop keepalived 2>/dev/null || true
      out=$(set_flat "$out$log")
      for i in "${SET_BATCH[@]}"; do set_outcome "$i" 1 "keepalived did not start with the service files of this change ($out)"; done
    fi
  fi
}

# set_ipvs_table: IPVS_TABLE["PROTO ADDRESS"] is the scheduler of each service in the IPVS table (one
# ipvsadm for all: "TCP 10.0.0.10:80", "FWM 5", "FWM 5 IPv6").
declare -A IPVS_TABLE=()
set_ipvs_table() {
  local table
  local -a w
  IPVS_TABLE=()
  table=$(ipvsadm -Ln 2>/dev/null) || return 0
  while read -r -a w; do
    case ${w[0]:-} in
      TCP|UDP|SCTP|FWM)
        if [ "${w[2]:-}" = IPv6 ]; then IPVS_TABLE["${w[0]} ${w[1]} IPv6"]=${w[3]:-}; else IPVS_TABLE["${w[0]} ${w[1]}"]=${w[2]:-}; fi ;;
    esac
  done <<< "$table"
}
# set_table_key_of VAR I: VAR gets the entry's key in IPVS_TABLE, or "" when the table cannot tell (an
# IPv6 address, which ipvsadm writes in its own canonical form).
set_table_key_of() {
  local -a w
  read -r -a w <<< "${E_VERIFY[$2]}"
  printf -v "$1" ''
  case ${w[0]:-}:${w[1]:-} in
    *:*\[*) ;;
    -t:*) printf -v "$1" 'TCP %s' "${w[1]}" ;;
    -u:*) printf -v "$1" 'UDP %s' "${w[1]}" ;;
    --sctp-service:*) printf -v "$1" 'SCTP %s' "${w[1]}" ;;
    -f:*) printf -v "$1" 'FWM %s%s' "${w[1]}" "${w[2]:+ IPv6}" ;;
  esac
}
# set_in_force I: the entry's service is in IPVS with its scheduler (install), or gone (remove).
declare -A E_SEEN=()
set_in_force() {
  local key seen
  [ -n "${E_VERIFY[$1]}" ] || return 0
  set_table_key_of key "$1"
  if [ -n "$key" ]; then
    if [ "${E_ACTION[$1]}" = remove ]; then [ -z "${IPVS_TABLE[$key]+set}" ]; return; fi
    [ "${IPVS_TABLE[$key]:-}" = "${E_SCHED[$1]}" ] && return 0
  fi
  # ipvsadm's own lookup of this one service.
  # shellcheck disable=SC2086
  if [ "${E_ACTION[$1]}" = remove ]; then ! ipvsadm -Ln ${E_VERIFY[$1]} >/dev/null 2>&1; return; fi
  # shellcheck disable=SC2086
  ipvs_service_of seen ${E_VERIFY[$1]}
  E_SEEN[$1]=$seen
  ipvs_uses "$seen" "${E_SCHED[$1]}"
}

# set_verify: keepalived still runs, and each changed file is in force (its service in IPVS as the file
# says, or gone); an unchanged file out of force is noted (changed by hand: a drift check repairs it).
set_verify() {
  local i seen
  local -a waiting=() unchanged=()
  [ $SET_RUNNING = 1 ] && [ ${#SET_VERIFY[@]} -gt 0 ] && ! set_failed || return 0
  # A start is done when systemd says so; a reload, when keepalived says so (keepalived_reload waited).
  [ $SET_SWAPPED = 0 ] || [ $SET_STARTED = 0 ] || sleep 1
  if ! systemctl is-active -q keepalived; then
    for i in "${SET_BATCH[@]}"; do set_outcome "$i" 1 "keepalived stopped after loading the new service files"; done
    return 0
  fi
  for i in "${SET_VERIFY[@]}"; do
    if [ "${E_CHANGED[i]}" = 1 ]; then waiting+=("$i"); else unchanged+=("$i"); fi
  done
  ipvs_wait set_ipvs_table set_in_force "${waiting[@]}"
  for i in "${IPVS_PENDING[@]}"; do
    seen=${E_SEEN[$i]:-}
    if [ "${E_ACTION[i]}" = remove ]; then set_outcome "$i" 1 "the IPVS service (${E_VERIFY[i]}) is still there after the reload"
    else set_outcome "$i" 1 "after the reload the IPVS service ${E_VERIFY[i]} is ${seen:-missing}, not using scheduler ${E_SCHED[i]}"; fi
  done
  for i in "${unchanged[@]}"; do
    set_in_force "$i" || say "$SET_NAME: the IPVS service ${E_VERIFY[i]} of ${E_TARGET[i]} (unchanged) is ${E_SEEN[$i]:-missing}, not using scheduler ${E_SCHED[i]}: changed by hand? driftCheck repairs it"
  done
}

# set_undo: when anything failed, every file of the change goes back, and keepalived is reloaded with them.
set_undo() {
  local i
  set_failed || return 0
  for i in "${!E_TARGET[@]}"; do [ "${E_STATUS[i]}" != 0 ] || E_STATUS[i]=undone; done
  [ $SET_SWAPPED = 1 ] || return 0
  set_put_back
  if systemctl is-active -q keepalived; then
    keepalived_reload || true
  elif [ $SET_RUNNING = 1 ] || [ $SET_STARTED = 1 ]; then
    keepalived_idle || systemctl start keepalived || true
  fi
}

# set_commit: after a change that worked, its files become this set's (claims); what it removed, nobody's.
set_commit() {
  local i t d
  local -a dirs=() forget=("${SET_FORGET[@]}")
  ! set_failed || return 0
  for i in "${!E_TARGET[@]}"; do
    [ "${E_STATUS[i]}" = 0 ] || continue
    claim_dir_of d "file ${E_TARGET[i]}"
    if [ "${E_ACTION[i]}" = install ]; then [ -d "$d" ] || dirs+=("$d"); else forget+=("$d"); fi
  done
  [ ${#dirs[@]} = 0 ] || mkdir -p "${dirs[@]}"
  for i in "${!E_TARGET[@]}"; do
    [ "${E_STATUS[i]}" = 0 ] && [ "${E_ACTION[i]}" = install ] || continue
    claim_commit "file ${E_TARGET[i]}" own ""
  done
  [ ${#forget[@]} = 0 ] || rm -rf "${forget[@]}"
}

# set_report: the outcome, leading with what failed.
set_report() {
  local i failed=0 written=0 removed=0 details=""
  for i in "${!E_TARGET[@]}"; do
    case ${E_STATUS[i]} in
      1)
        failed=$((failed + 1))
        details+="service ${E_NAME[i]} (${E_TARGET[i]}): ${E_MSG[i]}"$'\n'
        [ -z "${E_DETAIL[i]}" ] || details+="${E_DETAIL[i]}"$'\n' ;;
      0)
        [ "${E_CHANGED[i]}" = 1 ] || continue
        if [ "${E_ACTION[i]}" = install ]; then written=$((written + 1)); else removed=$((removed + 1)); fi ;;
    esac
  done
  if [ $failed -gt 0 ]; then
    fail "$failed of the ${#E_TARGET[@]} service files of $SET_NAME failed; nothing of the set was changed (a set changes all of its files or none: Pulumi keeps its inputs as they were, and the next up tries again)" "${details%$'\n'}"
  fi
  [ $((written + removed)) = 0 ] || say "$SET_NAME: $written service files written, $removed removed, loaded together"
  echo "ok $SET_NAME: ${#E_TARGET[@]} service files"
}

set_change() {
  set_plan; set_validate; set_swap; set_load; set_verify; set_undo; set_commit
  [ ! -f "$SET_PENDING" ] || rm -f "$SET_PENDING"
  set_report
}
