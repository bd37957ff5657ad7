# The systemd unit $UNIT of one RealServer (or of one director's VIPs on lo), which puts its VIPs on a device or its default route via the
# directors, and keeps them there across reboots. ACTION=apply installs it (content on stdin), starts it
# and verifies $EXPECT ("dev=addr/prefix" list), the default route via $ROUTE_VIA and device $LINK up;
# ACTION=delete removes it. The unit file is owned; each address ("addr DEV CIDR"), the default route
# ("route default4|6", wanting its gateway) and the device ("link DEV") are shared, so two RealServers on
# one host (a rename, two stacks) never take away what the other still needs. The last claim puts back
# what was there before: no address, the old default routes, the device down. The kernel module $MODULE
# the unit loads (ipip for tunl0) is shared too ("module NAME"): its prior state is the list of modules
# (it and those it needs) that were not loaded before the first claim, and the last claim unloads those
# again unless something else uses them (another tunnel of the module, an address on $LINK, a module
# depending on them). A module loaded before, or built in, stays.
path="$UNIT_DIR/$UNIT"
fam_of() { case $1 in *:*) echo 6 ;; *) echo 4 ;; esac; }
routes_of() { ip -"$1" route show default 2>/dev/null || true; }
link_state() { if ! ip link show "$1" >/dev/null 2>&1; then echo absent; elif has "$(ip -o link show "$1")" ",UP"; then echo up; else echo down; fi; }
addr_on() { has "$(ip -o addr show dev "$1" 2>/dev/null)" " $2 "; }
release_addr() { # "addr DEV CIDR" [any]
  local k=$1 dev cidr
  local released; claim_release_of released "$k" "${2:-}"; [ "$released" = last ] || return 0
  read -r _ dev cidr <<< "$k"
  local prior; claim_prior_into prior "$k"
  if [ "$prior" != present ] && addr_on "$dev" "$cidr"; then
    ip addr del "$cidr" dev "$dev" || fail "could not remove $cidr from $dev"
    say "$cidr taken off $dev"
  fi
  claim_forget "$k"
}
release_route() { # "route defaultN" [any]
  local k=$1 fam gw route
  fam=${k#route default}
  gw=$(claimants "$k" | awk -F'\t' -v me="$PLVS_OWNER" '$2 == me && g == "" { g = $3 } END { print g }')
  local released; claim_release_of released "$k" "${2:-}"; [ "$released" = last ] || return 0
  if [ -n "$gw" ]; then
    while has "$(routes_of "$fam")" "via $gw "; do ip -"$fam" route del default via "$gw" || break; done
  fi
  while read -r route; do
    [ -n "$route" ] || continue
    # shellcheck disable=SC2086
    ip -"$fam" route replace $route || say "could not restore the route: $route"
  done <<< "$(claim_prior_of "$k")"
  claim_forget "$k"
  say "restored the IPv$fam default routes from before pulumi-lvs"
}
release_link() { # "link DEV" [any]
  local k=$1
  local released; claim_release_of released "$k" "${2:-}"; [ "$released" = last ] || return 0
  local prior; claim_prior_into prior "$k"
  [ "$prior" = up ] || ip link set "${k#link }" down 2>/dev/null || true
  claim_forget "$k"
}
# module_prior NAME: the modules `modprobe NAME` would load that are not loaded now, NAME first; nothing
# when NAME is loaded or built in, or when lsmod or modprobe cannot tell (then nothing is ever unloaded).
module_prior() {
  local deps loaded kind file m out=""
  command -v lsmod >/dev/null && command -v modprobe >/dev/null || return 0
  deps=$(modprobe --show-depends "$1" 2>/dev/null) || return 0
  loaded=$(lsmod | awk 'NR > 1 { print $1 }')
  while read -r kind file _; do
    [ "$kind" = insmod ] || continue
    m=${file##*/}; m=${m%%.ko*}; m=${m//-/_}
    grep -qxF -- "$m" <<< "$loaded" || out="$m${out:+ $out}"
  done <<< "$deps"
  printf '%s' "$out"
}
module_users() { lsmod | awk -v m="$1" '$1 == m { print $3; f = 1 } END { if (!f) print "-" }'; }
# module_busy NAME: prints why NAME must stay loaded (and succeeds), or nothing (fails).
module_busy() {
  local others
  [ "$(module_users "$1")" = 0 ] || [ "$(module_users "$1")" = - ] || { echo "$1 is in use ($(module_users "$1") users)"; return 0; }
  if [ "$1" = ipip ]; then
    others=$(ip -o link show type ipip 2>/dev/null | awk -F': ' '{ sub(/@.*/, "", $2); if ($2 != "tunl0") print $2 }' | tr '\n' ' ')
    [ -z "$others" ] || { echo "other ipip tunnels use it: ${others% }"; return 0; }
    [ -z "$(ip -o addr show dev tunl0 2>/dev/null)" ] || { echo "tunl0 still has addresses"; return 0; }
  fi
  return 1
}
# unload_prior "module NAME": unloads what the first claim found unloaded, unless something uses it.
unload_prior() {
  local name=${1#module } prior m why done=""
  prior=$(claim_prior_of "$1")
  [ -n "$prior" ] || return 0
  if why=$(module_busy "$name"); then say "left $name loaded (pulumi-lvs loaded it): $why"; return 0; fi
  for m in $prior; do
    [ "$(module_users "$m")" = 0 ] || continue
    if rmmod "$m" 2>/dev/null; then done+=" $m"; else say "could not unload $m"; fi
  done
  [ -z "$done" ] || say "unloaded$done (not loaded before pulumi-lvs)"
}
release_module() { # "module NAME" [any]
  local k=$1
  local released; claim_release_of released "$k" "${2:-}"; [ "$released" = last ] || return 0
  unload_prior "$k"
  claim_forget "$k"
}

case $ACTION in
  apply)
    work=$(mktemp -d)
    at_exit 'rm -rf "$work"'
    cat > "$work/new"
    route_key="" link_key="" module_key=""
    claim_check "file $path" own ""
    [ -z "$GUARD" ] || claim_check "file $GUARD" own ""
    wanted=""
    for e in $EXPECT; do
      k="addr ${e%%=*} ${e#*=}"
      wanted+="$k"$'\n'
      claim_check "$k" share ""
      if addr_on "${e%%=*}" "${e#*=}"; then claim_prior "$k" present; else claim_prior "$k" absent; fi
    done
    if [ -n "$ROUTE_VIA" ]; then
      fam=$(fam_of "$ROUTE_VIA")
      route_key="route default$fam"
      claim_check "$route_key" share "$ROUTE_VIA"
      routes_of "$fam" > "$work/routes"
      claim_prior "$route_key" "$(cat "$work/routes")"
    fi
    if [ -n "$LINK" ]; then
      link_key="link $LINK"
      claim_check "$link_key" share up
      claim_prior "$link_key" "$(link_state "$LINK")"
    fi
    if [ -n "$MODULE" ]; then
      module_key="module $MODULE"
      claim_check "$module_key" share loaded
      if claim_fresh "$module_key"; then claim_prior "$module_key" "$(module_prior "$MODULE")"; fi
    fi

    changed=1
    if [ -f "$path" ] && cmp -s "$work/new" "$path"; then changed=0; fi
    [ -f "$path" ] && cp -p "$path" "$work/backup"
    restore() {
      local e
      systemctl stop "$UNIT" 2>/dev/null || true
      if [ -f "$work/backup" ]; then cp -p "$work/backup" "$path"; unit_sync "$UNIT"; else rm -f "$path"; unit_forget "$UNIT"; fi
      # What the new unit added and nobody had before goes.
      for e in $EXPECT; do
        [ "$(claim_prior_of "addr ${e%%=*} ${e#*=}")" = absent ] && [ -z "$(claimants "addr ${e%%=*} ${e#*=}")" ] &&
          ip addr del "${e#*=}" dev "${e%%=*}" 2>/dev/null || true
      done
      if [ -n "$route_key" ] && [ "$(routes_of "$fam")" != "$(cat "$work/routes")" ]; then
        while read -r route; do [ -z "$route" ] || ip -"$fam" route replace $route 2>/dev/null || true; done < "$work/routes"
      fi
      if [ -f "$path" ]; then systemctl start "$UNIT" || true; fi
      if [ -n "$module_key" ] && [ -z "$(claimants "$module_key")" ]; then unload_prior "$module_key"; fi
    }
    if [ $changed = 1 ]; then
      install -m 0644 "$work/new" "$path.pulumi-lvs-new"
      mv -f "$path.pulumi-lvs-new" "$path"
      unit_sync "$UNIT"
      unit_enable "$UNIT"
      systemctl restart "$UNIT" || { restore; fail "$UNIT failed to start; the previous unit was restored"; }
    else
      unit_enable "$UNIT"
      systemctl start "$UNIT" || fail "$UNIT failed to start"
    fi
    for e in $EXPECT; do
      addr_on "${e%%=*}" "${e#*=}" || { restore; fail "${e#*=} is not on ${e%%=*} after starting $UNIT; the previous unit was restored"; }
    done
    if [ -n "$ROUTE_VIA" ]; then
      has "$(routes_of "$fam")" "via $ROUTE_VIA " || { restore; fail "the default route does not go via $ROUTE_VIA after starting $UNIT; the previous unit was restored"; }
    fi
    # What this resource held before and no longer wants (fewer VIPs, another mode) is released.
    for k in $(claimed_by_me "addr " any | tr ' ' '|'); do
      k=${k//|/ }
      grep -qxF -- "$k" <<< "$wanted" || release_addr "$k" any
    done
    for k in $(claimed_by_me "route " any | tr ' ' '|'); do k=${k//|/ }; [ "$k" = "$route_key" ] || release_route "$k" any; done
    for k in $(claimed_by_me "link " any | tr ' ' '|'); do k=${k//|/ }; [ "$k" = "$link_key" ] || release_link "$k" any; done
    for k in $(claimed_by_me "module " any | tr ' ' '|'); do k=${k//|/ }; [ "$k" = "$module_key" ] || release_module "$k" any; done
    claim_commit "file $path" own ""
    for e in $EXPECT; do claim_commit "addr ${e%%=*} ${e#*=}" share ""; done
    [ -z "$route_key" ] || claim_commit "$route_key" share "$ROUTE_VIA"
    [ -z "$link_key" ] || claim_commit "$link_key" share up
    [ -z "$module_key" ] || claim_commit "$module_key" share loaded
    [ $changed = 1 ] && say "$UNIT installed and started" || true
    echo "ok $UNIT"
    ;;
  delete)
    if ! claim_taken "file $path"; then
      if [ -f "$path" ]; then
        systemctl disable -q --no-reload --now "$UNIT" || systemctl stop "$UNIT" || true
        rm -f "$path"
        unit_forget "$UNIT"
      fi
      claim_forget "file $path"
    fi
    for k in $(claimed_by_me "addr " | tr ' ' '|'); do release_addr "${k//|/ }"; done
    for k in $(claimed_by_me "route " | tr ' ' '|'); do release_route "${k//|/ }"; done
    for k in $(claimed_by_me "link " | tr ' ' '|'); do release_link "${k//|/ }"; done
    for k in $(claimed_by_me "module " | tr ' ' '|'); do release_module "${k//|/ }"; done
    rmdir "$STATE_DIR" 2>/dev/null || true
    ;;
  *) fail "unknown ACTION $ACTION" ;;
esac
