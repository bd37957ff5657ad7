# Service files change in batches (group commit). Pulumi runs the commands of independent VirtualServices
# together; each would otherwise validate the whole configuration and reload keepalived on its own, one
# after another under the host lock: N services, N validations, N reloads. Instead each command queues
# its change without the lock ($BATCH_QUEUE/<entry>: action, target, new content, owner), then takes the
# lock. The first to get it leads: it gathers every change queued (waiting while the queue still grows),
# validates the configuration with all of them (keepalived -t), swaps them in, reloads once, verifies
# each, and writes each change's outcome. The others find theirs done when they get the lock, and report
# it as their own. Each change still succeeds or fails alone:
#   - a batch keepalived refuses is validated again one file at a time; only the files it refuses fail,
#     with keepalived's message, and the rest go on (validated together again);
#   - a service missing from IPVS after the reload fails its own change: its previous file is put back,
#     and one more reload loads the others without it;
#   - a failed reload, or keepalived stopping, puts every file of the batch back and fails them all.
# An entry stays queued until a leader has written its outcome. One whose command is gone (cancelled, or
# timed out waiting for the lock) before a leader swapped it in is dropped, so no later batch applies a
# change nobody waits for; one a leader swapped in before dying is carried on by the next leader (marked
# swapped: reloaded and verified even though its file already looks done).
BATCH_DIR="$STATE_DIR/batch"
BATCH_QUEUE="$BATCH_DIR/queue" BATCH_DONE="$BATCH_DIR/done"
BATCH_ENTRY=""

# batch_enqueue install|remove [FILE]: queues this script's change of $TARGET (FILE: the new content).
batch_enqueue() {
  local e="" name try
  for try in 1 2 3; do
    # Another script may remove the empty folders between mkdir and mktemp (see batch_tidy).
    mkdir -p "$BATCH_QUEUE" "$BATCH_DONE" 2>/dev/null && e=$(mktemp -d "$BATCH_DIR/.new.XXXXXX" 2>/dev/null) && break
  done
  [ -n "$e" ] || fail "cannot queue the change of $TARGET in $BATCH_DIR (disk full or not writable?); nothing was changed"
  at_exit "rm -rf '$e'"
  {
    printf '%s\n' "$1" > "$e/action" && printf '%s\n' "$TARGET" > "$e/target" && printf '%s\n' "$MODE" > "$e/mode" &&
      printf '%s\n' "$VERIFY_IPVS" > "$e/verify_ipvs" && printf '%s\n' "$VERIFY_SCHED" > "$e/verify_sched" &&
      printf '%s\n' "$PLVS_OWNER" > "$e/owner" && printf '%s\n' "$PLVS_TOKEN" > "$e/token" && : > "$e/notes" &&
      printf '%s %s\n' "$$" "$(batch_started $$)" > "$e/process" &&
      { [ -z "${2:-}" ] || cp "$2" "$e/new"; }
  } 2>/dev/null || fail "cannot queue the change of $TARGET in $BATCH_DIR (disk full or not writable?); nothing was changed"
  name="$(date +%s%N).$$"
  for try in 1 2 3; do
    mkdir -p "$BATCH_QUEUE" "$BATCH_DONE" 2>/dev/null && mv "$e" "$BATCH_QUEUE/$name" 2>/dev/null && break
  done
  [ -d "$BATCH_QUEUE/$name" ] || fail "cannot queue the change of $TARGET in $BATCH_QUEUE (not writable?); nothing was changed"
  BATCH_ENTRY=$name
}

# batch_started PID: when the process started (since boot), to tell it from a later one with its PID.
batch_started() { cut -d' ' -f22 "/proc/$1/stat" 2>/dev/null || true; }
# batch_alive ENTRY: the command that queued it still runs.
batch_alive() {
  local pid start
  read -r pid start < "$1/process" 2>/dev/null || return 1
  [ -n "$start" ] && [ "$(batch_started "$pid")" = "$start" ]
}

# batch_run: takes the host lock, leads a batch unless a leader has done this change, reports its outcome.
batch_run() {
  local round
  plvs_lock
  # However this command ends from here on, its change is not left queued for a later batch: no leader
  # runs while it holds the lock.
  at_exit 'rm -rf "${BATCH_QUEUE:?}/${BATCH_ENTRY:?}"'
  for round in 1 2 3; do
    [ -d "$BATCH_DONE/$BATCH_ENTRY" ] && break
    batch_lead
  done
  batch_report
}

batch_report() {
  local d="$BATCH_DONE/$BATCH_ENTRY" status msg detail notes
  [ -d "$d" ] || fail "the change of $TARGET was queued ($BATCH_QUEUE/$BATCH_ENTRY) but no batch carried it out; nothing was reported as changed"
  file_text status "$d/status"; file_text msg "$d/msg"; file_text detail "$d/detail"; file_text notes "$d/notes"
  rm -rf "$d"
  [ -z "$notes" ] || NOTES+="$notes"$'\n'
  batch_tidy
  [ "$status" = 0 ] || fail "$msg" "$detail"
}

# Leaves no empty batch folder behind (the state folder goes when nothing else is in it).
batch_tidy() { rmdir "$BATCH_QUEUE" "$BATCH_DONE" "$BATCH_DIR" "$STATE_DIR" 2>/dev/null || true; }

# batch_become ENTRY ... batch_return ENTRY: what runs between them acts as the entry's resource (its
# owner and token), and its notes go to that resource's report.
batch_become() {
  BATCH_KEEP=("$PLVS_OWNER" "$PLVS_TOKEN" "$NOTES")
  file_text PLVS_OWNER "$1/owner"; file_text PLVS_TOKEN "$1/token"; NOTES=""
}
batch_return() {
  printf '%s' "$NOTES" >> "$1/notes"
  PLVS_OWNER=${BATCH_KEEP[0]} PLVS_TOKEN=${BATCH_KEEP[1]} NOTES=${BATCH_KEEP[2]}
}
# batch_as ENTRY COMMAND...: runs COMMAND as the entry's resource, returning its status.
batch_as() {
  local s=0
  batch_become "$1"
  "${@:2}" || s=$?
  batch_return "$1"
  return $s
}
# batch_as_do ENTRY COMMAND...: the same for a command that must work (a failure stops the leader, as any
# failing command stops a script; the entry stays queued for the next leader).
batch_as_do() {
  batch_become "$1"
  "${@:2}"
  batch_return "$1"
}

declare -A B_TARGET B_ACTION B_VERIFY B_SCHED B_STATUS B_MSG B_DETAIL B_CHANGED

batch_outcome() { # ENTRY 0|1 [message [details]]
  B_STATUS[$1]=$2 B_MSG[$1]=${3:-} B_DETAIL[$1]=${4:-}
}
batch_note() { printf '%s\n' "pulumi-lvs[$HOST]: $2" >> "$1/notes"; }

# batch_valid ENTRY...: the configuration with these changes, checked by keepalived (see config_check):
# 0 valid, 1 refused, 2 the staging tree could not be made; CHECK_OUT: keepalived's words.
batch_valid() {
  local e
  local -a staged=()
  for e in "$@"; do
    if [ "${B_ACTION[$e]}" = install ]; then staged+=("$e/new=${B_TARGET[$e]}"); else staged+=("=${B_TARGET[$e]}"); fi
  done
  config_check "$BATCH_WORK/tree" "${staged[@]}"
}

# batch_put_back ENTRY...: each target as it was before the batch.
batch_put_back() {
  local e t
  for e in "$@"; do
    t=${B_TARGET[$e]}
    if [ -f "$e/backup" ]; then cp -p "$e/backup" "$t"; else rm -f "$t"; fi
  done
}

batch_restored() { # ENTRY: what a failure after the swap says was done about its file
  if [ "${B_ACTION[$1]}" = install ]; then echo "the previous ${B_TARGET[$1]} was restored"; else echo "${B_TARGET[$1]} was restored"; fi
}

# batch_verified ENTRY: its IPVS service is there with its scheduler (install), or gone (remove).
batch_verified() {
  local v=${B_VERIFY[$1]} s=${B_SCHED[$1]} seen
  [ -n "$v" ] || return 0
  # shellcheck disable=SC2086
  if [ "${B_ACTION[$1]}" = remove ]; then ! ipvsadm -Ln $v >/dev/null 2>&1; return; fi
  # shellcheck disable=SC2086
  ipvs_service_of seen $v
  printf '%s' "$seen" > "$1/seen"
  ipvs_uses "$seen" "$s"
}

batch_lead() {
  local -a entries=() batch=() ok=() verify=()
  local -A seen_target=()
  local e t v seen n last=-1 rounds=0 out rc held=0 running=0 started=0 log action sched mode
  # Gather: wait while changes still arrive (0.3 s without a new one; 3 s at most).
  while [ $rounds -lt 10 ]; do
    n=0; for e in "$BATCH_QUEUE"/[0-9]*; do [ ! -e "$e" ] || n=$((n + 1)); done
    [ "$n" != "$last" ] || break
    last=$n rounds=$((rounds + 1))
    sleep 0.3
  done
  find "$BATCH_DONE" -mindepth 1 -maxdepth 1 -mmin +60 -exec rm -rf {} + 2>/dev/null || true
  for e in "$BATCH_QUEUE"/[0-9]*; do
    [ -d "$e" ] || continue
    # A command that is gone no longer waits for its change: it must not happen (unless it is half done).
    if [ ! -f "$e/swapped" ] && ! batch_alive "$e"; then rm -rf "$e"; continue; fi
    file_text t "$e/target"
    # The same file twice (a replacement queued behind its original): the later one waits for the next batch.
    [ -z "${seen_target[$t]:-}" ] || continue
    seen_target[$t]=1
    entries+=("$e")
    file_text action "$e/action"; file_text v "$e/verify_ipvs"; file_text sched "$e/verify_sched"
    B_TARGET[$e]=$t B_ACTION[$e]=$action B_VERIFY[$e]=$v B_SCHED[$e]=$sched B_CHANGED[$e]=0
    batch_outcome "$e" 0
  done

  # Ownership first, as each resource (see claims.sh). An entry a dead leader swapped in counts as changed.
  for e in "${entries[@]}"; do
    t=${B_TARGET[$e]}
    if [ "${B_ACTION[$e]}" = install ]; then
      batch_as "$e" claim_conflict_of out "file $t" own ""
      if [ -n "$out" ]; then batch_outcome "$e" 1 "${out%%$'\n'*}" "${out#*$'\n'}"; continue; fi
      verify+=("$e")
      if [ -f "$e/swapped" ] || ! { [ -f "$t" ] && cmp -s "$e/new" "$t"; }; then B_CHANGED[$e]=1 batch+=("$e"); fi
    elif [ -f "$e/swapped" ]; then
      B_CHANGED[$e]=1 batch+=("$e") verify+=("$e")
    elif batch_as "$e" claim_taken "file $t"; then
      continue
    elif [ ! -f "$t" ]; then
      batch_note "$e" "$t is already gone"
      batch_as_do "$e" claim_forget "file $t"
    else
      B_CHANGED[$e]=1 batch+=("$e") verify+=("$e")
    fi
  done

  if [ ${#batch[@]} -gt 0 ]; then
    mkdir -p "$LVS_DIR/services" && chmod 0755 "$LVS_DIR" "$LVS_DIR/services" \
      || fail "cannot create $LVS_DIR/services (disk full or not writable?); nothing was changed"
    BATCH_WORK=$(mktemp -d "$LVS_DIR/.stage.XXXXXX" 2>/dev/null) \
      || fail "cannot stage the new service files in $LVS_DIR (mktemp: disk full or not writable?); nothing was changed"
    at_exit "rm -rf '$BATCH_WORK'"
  fi
  batch_refuse() { # ENTRY OUTPUT: keepalived refused it
    batch_outcome "$1" 1 "keepalived rejected the new ${B_TARGET[$1]} (keepalived -t); nothing was changed" "$2"
    batch_drop "$1"
  }
  batch_drop() { # ENTRY: out of the batch, not verified
    local x
    local -a rest=()
    for x in "${batch[@]}"; do [ "$x" = "$1" ] || rest+=("$x"); done
    batch=("${rest[@]}") rest=()
    for x in "${verify[@]}"; do [ "$x" = "$1" ] || rest+=("$x"); done
    verify=("${rest[@]}")
  }
  batch_unstageable() {
    local x
    for x in "${batch[@]}"; do batch_outcome "$x" 1 "cannot stage the new ${B_TARGET[$x]} in $LVS_DIR (disk full or not writable?); nothing was changed"; done
    for x in "${batch[@]}"; do batch_drop "$x"; done
  }

  # Validation: all together; when keepalived refuses that, one file at a time, then the rest together.
  if [ ${#batch[@]} -gt 0 ]; then
    batch_valid "${batch[@]}" && rc=0 || rc=$?
    if [ $rc = 2 ]; then
      batch_unstageable
    elif [ $rc = 1 ] && [ ${#batch[@]} = 1 ]; then
      batch_refuse "${batch[0]}" "$CHECK_OUT"
    elif [ $rc = 1 ]; then
      ok=()
      for e in "${batch[@]}"; do
        batch_valid "$e" && rc=0 || rc=$?
        if [ $rc = 0 ]; then ok+=("$e"); elif [ $rc = 1 ]; then batch_refuse "$e" "$CHECK_OUT"; else batch_unstageable; break; fi
      done
      if [ ${#batch[@]} -gt 0 ]; then
        batch_valid "${batch[@]}" && rc=0 || rc=$?
        if [ $rc = 2 ]; then batch_unstageable
        elif [ $rc = 1 ]; then
          for e in "${batch[@]}"; do
            batch_outcome "$e" 1 "keepalived rejected the new ${B_TARGET[$e]} together with the other service files changed with it, though it accepts it alone (keepalived -t); nothing was changed" "$CHECK_OUT"
          done
          for e in "${batch[@]}"; do batch_drop "$e"; done
        fi
      fi
    fi
  fi

  # Swap: every new file written next to its target first (and the old one kept), then all moved in.
  for e in "${batch[@]}"; do
    t=${B_TARGET[$e]}
    if [ ! -f "$e/swapped" ] && [ -f "$t" ]; then cp -p "$t" "$e/backup.new" 2>/dev/null && mv -f "$e/backup.new" "$e/backup" 2>/dev/null || { batch_unstageable; break; }; fi
    if [ "${B_ACTION[$e]}" = install ]; then file_text mode "$e/mode"; install -m "$mode" "$e/new" "$t.pulumi-lvs-new" 2>/dev/null || { batch_unstageable; break; }; fi
  done
  for e in "${batch[@]}"; do touch "$e/swapped"; done
  for e in "${batch[@]}"; do
    t=${B_TARGET[$e]}
    if [ "${B_ACTION[$e]}" = install ]; then mv -f "$t.pulumi-lvs-new" "$t"; else rm -f "$t"; fi
  done
  for e in "${entries[@]}"; do rm -f "${B_TARGET[$e]}.pulumi-lvs-new"; done

  # One reload for the batch (none on a director held out of VRRP, or where keepalived does not run).
  [ ! -f "$VRRP_HOLD" ] || held=1
  if systemctl is-active -q keepalived; then running=1; fi
  if [ $running = 0 ] && [ $held = 0 ] && [ ${#batch[@]} -gt 0 ] && [ -n "$(claimants "file $KEEPALIVED_CONF")" ] && ! keepalived_idle \
    && ! keepalived_vrrp; then
    # One director's keepalived had nothing to run before its first service (keepalived_idle): it starts now.
    unit_enable keepalived 2>/dev/null || true
    if out=$(systemctl start keepalived 2>&1) && systemctl is-active -q keepalived; then running=1 started=1; else
      log=$(journalctl -u keepalived -n 20 --no-pager 2>/dev/null || true)
      systemctl stop keepalived 2>/dev/null || true
      batch_put_back "${batch[@]}"
      out=$(tr -s '\n' ' ' <<< "$out$log" | sed 's/ $//')
      for e in "${verify[@]}"; do
        if [ "${B_CHANGED[$e]}" = 1 ]; then batch_outcome "$e" 1 "keepalived did not start with the service files of this change ($out); $(batch_restored "$e")"
        else batch_outcome "$e" 1 "keepalived did not start with the service files of this change ($out); ${B_TARGET[$e]} is unchanged"; fi
      done
      batch=() verify=()
    fi
  fi
  if [ ${#batch[@]} -gt 0 ] && [ $running = 1 ] && [ $started = 0 ] && ! keepalived_reload; then
    batch_put_back "${batch[@]}"
    systemctl reload keepalived 2>/dev/null || true
    for e in "${batch[@]}"; do batch_outcome "$e" 1 "reloading keepalived failed ($(tr -s '\n' ' ' <<< "$RELOAD_OUT" | sed 's/ $//')); $(batch_restored "$e")"; done
    verify=()
  elif [ $running = 0 ] && [ $held = 1 ]; then
    for e in "${batch[@]}"; do
      t="is loaded"
      [ "${B_ACTION[$e]}" = install ] || t="is gone from it"
      batch_note "$e" "keepalived stays stopped: this director is held while the VRRP settings change; ${B_TARGET[$e]} $t when it is released"
    done
  fi

  # Verify, where keepalived ran: it still runs, and each service is in IPVS as its file says (or gone).
  if [ $running = 1 ] && [ ${#verify[@]} -gt 0 ]; then
    # A start is done when systemd says so; a reload, when keepalived says so (keepalived_reload waited).
    [ ${#batch[@]} -eq 0 ] || [ $started = 0 ] || sleep 1
    if ! systemctl is-active -q keepalived; then
      batch_put_back "${batch[@]}"
      keepalived_idle || systemctl start keepalived || true
      for e in "${verify[@]}"; do
        if [ "${B_CHANGED[$e]}" = 1 ]; then batch_outcome "$e" 1 "keepalived stopped after loading the new ${B_TARGET[$e]}; $(batch_restored "$e")"
        else batch_outcome "$e" 1 "keepalived stopped after loading the service files changed with ${B_TARGET[$e]} (unchanged); they were restored"; fi
      done
    else
      local -a failed=()
      ipvs_wait : batch_verified "${verify[@]}"
      for e in "${IPVS_PENDING[@]}"; do
        v=${B_VERIFY[$e]}
        if [ "${B_ACTION[$e]}" = remove ]; then
          batch_outcome "$e" 1 "the IPVS service ($v) is still there after the reload; $(batch_restored "$e")"
          failed+=("$e")
          continue
        fi
        file_text seen "$e/seen"
        if [ "${B_CHANGED[$e]}" = 1 ]; then
          batch_outcome "$e" 1 "after the reload the IPVS service $v is ${seen:-missing}, not using scheduler ${B_SCHED[$e]}; $(batch_restored "$e")"
          failed+=("$e")
        else
          # Nothing to put back: the file is as wanted, and IPVS differs (changed by hand? a drift check repairs it).
          batch_outcome "$e" 1 "the IPVS service $v is ${seen:-missing}, not using scheduler ${B_SCHED[$e]}, although ${B_TARGET[$e]} is unchanged (changed by hand? driftCheck repairs it); nothing was changed"
        fi
      done
      if [ ${#failed[@]} -gt 0 ]; then
        batch_put_back "${failed[@]}"
        systemctl reload keepalived || true
        systemctl is-active -q keepalived || keepalived_idle || systemctl start keepalived || true
      fi
    fi
  fi

  # Outcomes: what worked becomes its resource's (claims), then each entry is done.
  mkdir -p "$BATCH_DONE"
  for e in "${entries[@]}"; do
    t=${B_TARGET[$e]}
    if [ "${B_STATUS[$e]}" = 0 ]; then
      if [ "${B_ACTION[$e]}" = install ]; then
        batch_as_do "$e" claim_commit "file $t" own ""
        [ "${B_CHANGED[$e]}" = 0 ] || batch_note "$e" "$t updated"
      elif [ "${B_CHANGED[$e]}" = 1 ]; then
        batch_as_do "$e" claim_forget "file $t"
      fi
    fi
    printf '%s\n' "${B_STATUS[$e]}" > "$e/status" && printf '%s' "${B_MSG[$e]}" > "$e/msg" && printf '%s' "${B_DETAIL[$e]}" > "$e/detail"
    mv "$e" "$BATCH_DONE/${e##*/}"
  done
  [ -z "${BATCH_WORK:-}" ] || rm -rf "$BATCH_WORK"
}
