# The sysctl.d file $FILE of one resource. ACTION=apply writes it (content on stdin) and applies it;
# ACTION=delete removes it. Each key is claimed as "sysctl KEY", shared with every other resource that
# wants the same value (arp_ignore on `all` serves every RealServer on the host); the value from before
# the first claim comes back when the last claim goes, whichever resource that is.
# Without starting a process (see claims.sh): the file is read once, values are squeezed the way the
# kernel prints them.
# norm_of VAR TEXT: VAR gets TEXT with tabs as spaces, runs of spaces squeezed, no space at either end.
norm_of() {
  local _nv=${2//$'\t'/ }
  while [[ $_nv == *'  '* ]]; do _nv=${_nv//'  '/ }; done
  _nv=${_nv# }
  printf -v "$1" '%s' "${_nv% }"
}
# read_conf FILE: CONF_KEYS gets its keys (in order, as `sysctl -p` applies them), WANT[key] each key's
# last value, normalized.
declare -A WANT
read_conf() {
  local line k v
  CONF_KEYS=() WANT=()
  while IFS= read -r line || [ -n "$line" ]; do
    [[ $line =~ ^[[:space:]]*([a-z0-9_][^=[:space:]]*)[[:space:]]*=[[:space:]]*(.*)$ ]] || continue
    k=${BASH_REMATCH[1]}
    norm_of v "${BASH_REMATCH[2]}"
    [ -n "${WANT[$k]+set}" ] || CONF_KEYS+=("$k")
    WANT[$k]=$v
  done < "$1"
}
# live_raw_of VAR KEY: VAR gets KEY's value now as the kernel prints it (from /proc/sys, or sysctl when the
# key's path is not plain, such as an interface name with a dot); false when the key does not exist.
live_raw_of() {
  local _lp=/proc/sys/${2//.//} _lv
  # A key whose file cannot be read (write-only, or EIO while unset) goes to sysctl, as it always did.
  if [[ $2 != */* ]] && [ -f "$_lp" ]; then { IFS= read -r -d '' _lv < "$_lp"; } 2>/dev/null || true; fi
  if [ -z "${_lv+set}" ]; then _lv=$(sysctl -n "$2" 2>/dev/null) || return 1; fi
  printf -v "$1" '%s' "${_lv%$'\n'}"
}
# live_of VAR KEY: the same, normalized.
live_of() { local _lr; live_raw_of _lr "$2" || return 1; norm_of "$1" "${_lr//$'\n'/ }"; }
release_key() { # KEY [any]: drops this resource's claim on KEY; the last claim puts the prior value back
  local v state have want
  claim_release_of state "sysctl $1" "${2:-}"
  [ "$state" = last ] || return 0
  claim_prior_into v "sysctl $1"
  sysctl -q -w "$1=$v" >/dev/null || fail "could not restore $1 to '$v'"
  live_of have "$1" || have=""
  norm_of want "$v"
  [ "$have" = "$want" ] || fail "$1 did not go back to '$v'"
  claim_forget "sysctl $1"
  say "$1 back to '$v'"
}

case $ACTION in
  apply)
    work=$(mktemp -d)
    # However this apply ends early, rollback puts back what it changed; then the scratch folder goes.
    # Once changing=1 (sysctl -p sets every valid line before it fails), that is the previous file and
    # the live values from before this apply (.prior holds those from before the first claim, which
    # another resource may have changed since). Always: no record of a key this apply recorded first.
    # What it did is reported on the script's stderr, after its FAILED line.
    changing=0 live=() fresh=()
    at_exit '[ "$PLVS_STATUS" = 0 ] || rollback'
    at_exit 'rm -rf "$work"'
    rollback() {
      local line k v report="" broken=""
      if [ $changing = 1 ]; then
        if [ -f "$work/backup" ]; then
          if cp -p "$work/backup" "$FILE"; then report+=" the previous $FILE;"; else broken+=" the previous $FILE;"; fi
        elif rm -f "$FILE"; then report+=" no $FILE (there was none);"
        else broken+=" removing $FILE;"; fi
        local have want
        for line in "${live[@]}"; do
          k=${line%%=*} v=${line#*=}
          norm_of want "$v"
          if sysctl -q -w "$line" >/dev/null 2>&1 && live_of have "$k" && [ "$have" = "$want" ]; then report+=" $k=$v;"
          else broken+=" $k=$v;"; fi
        done
      fi
      for k in "${fresh[@]}"; do
        # A value that could not be put back keeps its record, so that a later delete restores it.
        ! claimed "sysctl $k" && [[ $broken != *" $k="* ]] && claim_forget "sysctl $k" || true
      done
      [ -z "$report" ] || printf 'pulumi-lvs[%s]: put back:%s\n' "$HOST" "${report%;}" >&8
      [ -z "$broken" ] || printf 'pulumi-lvs[%s]: FAILED: could not put back:%s\n' "$HOST" "${broken%;}" >&8
    }
    cat > "$work/new"
    read_conf "$work/new"
    claim_check "file $FILE" own ""
    for k in "${CONF_KEYS[@]}"; do
      claim_check "sysctl $k" share "${WANT[$k]}"
      live_raw_of v "$k" || fail "the sysctl $k does not exist on this host (kernel module not loaded?); nothing was changed"
      live+=("$k=$v")
      if claim_fresh "sysctl $k"; then fresh+=("$k"); fi
      claim_prior "sysctl $k" "$v"
    done
    [ ! -f "$FILE" ] || cp -p "$FILE" "$work/backup"
    changing=1
    install -m 0644 "$work/new" "$FILE.pulumi-lvs-new"
    mv -f "$FILE.pulumi-lvs-new" "$FILE"
    if ! err=$(sysctl -q -p "$FILE" 2>&1 >/dev/null); then
      fail "sysctl -p $FILE failed ($err)"
    fi
    for k in "${CONF_KEYS[@]}"; do
      live_of have "$k" || have=""
      [ "${WANT[$k]}" = "$have" ] || fail "$k is '$have' after applying, expected '${WANT[$k]}'"
    done
    # Keys this resource set before and no longer sets are released.
    claimed_by_me_into mine "sysctl " any
    for k in "${mine[@]}"; do
      [ -n "${WANT[$k]+set}" ] || release_key "$k" any
    done
    claim_commit "file $FILE" own ""
    for k in "${CONF_KEYS[@]}"; do claim_commit "sysctl $k" share "${WANT[$k]}"; echo "$k=${WANT[$k]}"; done
    ;;
  delete)
    if ! claim_taken "file $FILE"; then
      rm -f "$FILE"
      claim_forget "file $FILE"
    fi
    claimed_by_me_into mine "sysctl "
    for k in "${mine[@]}"; do release_key "$k"; done
    rmdir "$STATE_DIR" 2>/dev/null || true
    ;;
  *) fail "unknown ACTION $ACTION" ;;
esac
