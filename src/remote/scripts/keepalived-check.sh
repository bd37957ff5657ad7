# config_check STAGE [SRC=TARGET | =TARGET]...: the whole keepalived configuration as it will be with
# these files put in (SRC=TARGET) or taken out (=TARGET), built in the staging folder STAGE and checked by
# keepalived itself (keepalived -t). 0: valid, or nothing to check yet (no keepalived.conf); 1: refused;
# 2: the staging tree could not be made. CHECK_OUT: keepalived's words, naming the host's paths. Every
# step is checked, as callers run it where errexit does not apply (to tell 1 from 2).
# keepalived_vrrp: keepalived.conf has a VRRP instance (a pair's director, not one director alone).
keepalived_vrrp() { grep -qs '^vrrp_instance ' "$KEEPALIVED_CONF"; }
# keepalived_idle: keepalived.conf has no VRRP instance and no service file exists (one director before its
# first VirtualService): keepalived refuses to start with nothing to run, so it is not started.
keepalived_idle() { ! keepalived_vrrp && ! compgen -G "$LVS_DIR/services/*.conf" >/dev/null; }
# keepalived_reload: reloads keepalived (systemctl's status; its words in RELOAD_OUT), then waits until keepalived has
# carried the reload out. The reload itself is a signal, sent before keepalived acts on it; keepalived
# (2.2.2 and later, core/config_notify.c) logs "Reload complete" once every child has read the new files,
# the checker after applying the IPVS changes (the VRRP child reports before applying its own). Without
# that line (an older keepalived, no journal), a second: the time the verification waited before.
keepalived_reload() {
  local cursor _
  cursor=$(journalctl -u keepalived -n 0 --show-cursor -q 2>/dev/null | sed -n 's/^-- cursor: //p') || cursor=""
  RELOAD_OUT=$(systemctl reload keepalived 2>&1) || return
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    # The parent's lines only (its children log a line per real server), and not through a pipe: grep -q
    # ends it early, and journalctl's SIGPIPE would fail it (pipefail).
    if [ -n "$cursor" ] && grep -qxF 'Reload complete' <<< "$(journalctl -u keepalived SYSLOG_IDENTIFIER=Keepalived --after-cursor "$cursor" -q -o cat 2>/dev/null || true)"; then return 0; fi
    sleep 0.1
  done
}

# ipvs_service_of VAR ARGS...: VAR gets the IPVS table's line for the service ipvsadm's ARGS name (-t
# VIP:PORT, -f MARK, ...), "" when there is none. ipvs_uses LINE SCHEDULER: the service uses SCHEDULER.
ipvs_service_of() {
  local _iv=$1
  shift
  printf -v "$_iv" '%s' "$(ipvsadm -Ln "$@" 2>/dev/null | grep -E '^(TCP|UDP|SCTP|FWM) ' || true)"
}
ipvs_uses() { grep -Eq " $2( |$)" <<< "$1"; }
# ipvs_wait ROUND CHECK ID...: runs ROUND, then CHECK ID for each ID not yet checked true, every 0.25 s,
# 40 rounds at most (the IPVS table follows a reload within moments); IPVS_PENDING: the IDs never true.
ipvs_wait() {
  local round=$1 check=$2 id _
  local -a still=()
  shift 2
  IPVS_PENDING=("$@")
  for _ in $(seq 1 40); do
    "$round"
    still=()
    for id in "${IPVS_PENDING[@]}"; do "$check" "$id" || still+=("$id"); done
    IPVS_PENDING=("${still[@]}")
    [ ${#IPVS_PENDING[@]} -gt 0 ] || return 0
    sleep 0.25
  done
}

# config_stage STAGE: the host's keepalived configuration copied into STAGE, to be changed there and checked
# (config_validate): 0, or 2 when it could not be made. The service files go in one cp, not one each.
config_stage() {
  local stage=$1 f
  local -a services=()
  rm -rf "$stage" && mkdir -p "$stage/pulumi-lvs/services" || return 2
  if [ -f "$KEEPALIVED_CONF" ]; then cp -p "$KEEPALIVED_CONF" "$stage/keepalived.conf" || return 2; fi
  if [ -f "$LVS_DIR/auth.conf" ]; then cp -p "$LVS_DIR/auth.conf" "$stage/pulumi-lvs/" || return 2; fi
  for f in "$LVS_DIR"/services/*.conf; do [ ! -f "$f" ] || services+=("$f"); done
  [ ${#services[@]} = 0 ] || cp -p -t "$stage/pulumi-lvs/services/" "${services[@]}" || return 2
}

# config_validate STAGE: keepalived -t on the configuration staged in STAGE, as config_check answers.
config_validate() {
  local stage=$1
  CHECK_OUT=""
  [ -f "$stage/keepalived.conf" ] || return 0
  sed -i "s#$LVS_DIR#$stage/pulumi-lvs#g" "$stage/keepalived.conf" || return 2
  if ! CHECK_OUT=$(keepalived -t -f "$stage/keepalived.conf" 2>&1); then
    CHECK_OUT=$(printf '%s\n' "$CHECK_OUT" | sed "s#$stage/pulumi-lvs#$LVS_DIR#g; s#$stage/#$KEEPALIVED_DIR/#g")
    return 1
  fi
}

config_check() {
  local stage=$1 spec src target
  shift
  CHECK_OUT=""
  config_stage "$stage" || return 2
  for spec in "$@"; do
    src=${spec%%=*} target=${spec#*=}
    target="$stage/${target#"$KEEPALIVED_DIR"/}"
    if [ -n "$src" ]; then cp "$src" "$target" || return 2; else rm -f "$target" || return 2; fi
  done
  config_validate "$stage"
}
