# The packages $PACKAGES and kernel modules $MODULES a director needs, claimed as one shared object:
# ACTION=apply installs what is missing and loads the modules; ACTION=delete, when the last claim goes,
# removes exactly what pulumi-lvs installed (the packages that were missing, and the dependencies that
# came with them and nothing else needs), never what was there before.
key="packages $PACKAGES"
modules_conf=/etc/modules-load.d/pulumi-lvs.conf
installed() {
  if command -v dpkg-query >/dev/null; then has "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" "install ok installed"
  else rpm -q "$1" >/dev/null 2>&1; fi
}
# pm install|remove PACKAGES...: with the host's package manager, its output in $log.
pm() {
  local verb=$1; shift
  if command -v apt-get >/dev/null; then
    [ "$verb" = install ] && set -- --no-install-recommends "$@"
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 "$([ "$verb" = install ] && echo install || echo purge)" -y -q "$@" >> "$log" 2>&1
  elif command -v dnf >/dev/null; then dnf "$verb" -y -q "$@" >> "$log" 2>&1
  elif command -v yum >/dev/null; then yum "$verb" -y -q "$@" >> "$log" 2>&1
  else fail "no apt-get, dnf or yum on this host: $verb $* by hand"; fi || fail "$verb $* failed" "$(tail -n 20 "$log")"
}
all_debs() { { dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' 2>/dev/null || true; } | awk '$1 == "ii" { print $2 }' | sort; }
# Package names as apt-get prints them: the host's own architecture left out, any other one kept (name:i386).
apt_names() { sed "s/:$(dpkg --print-architecture 2>/dev/null || echo none)\$//" | sort -u; }
# Every package on the host in any state but gone (not installed, or its config files only): an install
# that fails half-way leaves some unpacked or half-configured.
present_debs() { { dpkg-query -W -f='${db:Status-Abbrev} ${binary:Package}\n' 2>/dev/null || true; } | awk 'substr($1, 2, 1) !~ /[nc]/ { print $2 }' | apt_names; }
# After a failed install: purges what it added, that is what is present now and was not before ($1) and
# that the install itself planned to add ($2: not what another apt run added meanwhile), and only when the
# purge would remove nothing else. Pulumi records nothing of a failed create, so nothing else would ever
# remove them. Sets undo_left to what it had to leave.
install_undo() {
  local added others
  added=$(comm -12 <(comm -13 "$1" <(present_debs)) <(sort -u "$2" 2>/dev/null || true))
  [ -n "$added" ] || return 0
  # shellcheck disable=SC2086
  others=$(comm -13 <(printf '%s\n' "$added") <(apt-get -s purge $added 2>/dev/null | awk '/^Purg /{ print $2 }' | apt_names) | tr '\n' ' ')
  if [ -n "$others" ]; then
    undo_left=$(tr '\n' ' ' <<< "$added")
    say "left what the failed install had added ($undo_left): removing it would also remove $others"
    return 0
  fi
  # Judged by what is left: apt-get may fail after dpkg removed them (a hook).
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 purge -y -q $added >> "$log" 2>&1 || true
  undo_left=$(comm -12 <(printf '%s\n' "$added") <(present_debs) | tr '\n' ' ')
  if [ -z "$undo_left" ]; then
    say "removed what the failed install had added: $(tr '\n' ' ' <<< "$added")"
  else
    say "could not remove what the failed install had added ($undo_left): remove it by hand (apt-get purge)"
  fi
}

case $ACTION in
  apply)
    claim_check "$key" share ""
    missing=""
    for p in $PACKAGES; do installed "$p" || missing="$missing $p"; done
    fresh=""; ! claim_fresh "$key" || fresh=1
    claim_prior "$key" "missing:$missing"
    if [ -n "$missing" ]; then
      say "installing$missing"
      log=$(mktemp)
      all_debs > "$log.before"
      if command -v apt-get >/dev/null; then
        present_debs > "$log.present"
        undo_left=""
        at_exit '[ "$PLVS_STATUS" = 0 ] || install_undo "$log.present" "$log.plan"'
        # A first claim whose failed install left nothing behind leaves no record either: the next create
        # records the host as it is then.
        at_exit '[ "$PLVS_STATUS" = 0 ] || [ -z "$fresh" ] || [ -n "$undo_left" ] || claim_forget "$key"'
      fi
      at_exit 'rm -f "$log" "$log.before" "$log.present" "$log.plan"'
      if command -v apt-get >/dev/null; then
        apt-get -o DPkg::Lock::Timeout=300 update -q >> "$log" 2>&1 || fail "apt-get update failed" "$(tail -n 20 "$log")"
        # shellcheck disable=SC2086
        { apt-get -s install --no-install-recommends $missing 2>/dev/null || true; } | awk '/^Inst /{ print $2 }' | apt_names > "$log.plan"
      fi
      # shellcheck disable=SC2086
      pm install $missing
      mkdir -p "$(claim_dir "$key")"
      comm -13 "$log.before" <(all_debs) >> "$(claim_dir "$key")/.installed"
    fi
    for m in $MODULES; do modprobe "$m" || fail "cannot load the kernel module $m"; done
    printf '%s\n' $MODULES > "$modules_conf"
    claim_commit "$key" share ""
    claim_prior_of "$key"; echo
    ;;
  delete)
    state=$(claim_release "$key")
    [ "$state" = last ] || { [ "$state" = none ] || say "$PACKAGES still needed by another resource: left installed"; exit 0; }
    rm -f "$modules_conf"
    remove=$(claim_prior_of "$key"); remove=${remove#missing:}
    ours=$(cat "$(claim_dir "$key")/.installed" 2>/dev/null || true)
    if [ -n "${remove// /}" ]; then
      say "removing$remove (installed by pulumi-lvs)"
      log=$(mktemp)
      at_exit 'rm -f "$log"'
      # shellcheck disable=SC2086
      pm remove $remove
      # The dependencies that came with them, once nothing needs them; other auto-removable packages stay.
      if command -v apt-get >/dev/null; then
        deps=$(apt-get -s autoremove 2>/dev/null | awk '/^Remv /{ print $2 }' | sort | comm -12 - <(sort <<< "$ours") | tr '\n' ' ')
        if [ -n "${deps// /}" ]; then
          # shellcheck disable=SC2086
          pm remove $deps
          say "removed the dependencies installed with them: $deps"
        fi
      fi
    fi
    claim_forget "$key"
    rmdir "$STATE_DIR" 2>/dev/null || true
    ;;
  *) fail "unknown ACTION $ACTION" ;;
esac
