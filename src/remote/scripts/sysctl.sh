# The sysctl.d file $FILE of one resource. ACTION=apply writes it (content on stdin) and applies it;
# ACTION=delete removes it. Each key is claimed as "sysctl KEY", shared with every other resource that
# wants the same value (arp_ignore on `all` serves every RealServer on the host); the value from before
# the first claim comes back when the last claim goes, whichever resource that is.
keys_of() { sed -n 's/^[[:space:]]*\([a-z0-9_][^=[:space:]]*\)[[:space:]]*=.*/\1/p' "$1"; }
value_in() { sed -n "s/^[[:space:]]*$2[[:space:]]*=[[:space:]]*//p" "$1" | tail -n 1; }
norm() { tr -s ' \t' '  ' | sed 's/^ //; s/ $//'; }
release_key() { # KEY [any]: drops this resource's claim on KEY; the last claim puts the prior value back
  local v
  [ "$(claim_release "sysctl $1" "${2:-}")" = last ] || return 0
  v=$(claim_prior_of "sysctl $1")
  sysctl -q -w "$1=$v" >/dev/null || fail "could not restore $1 to '$v'"
  [ "$(sysctl -n "$1" | norm)" = "$(printf '%s' "$v" | norm)" ] || fail "$1 did not go back to '$v'"
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
    changing=0
    at_exit '[ "$PLVS_STATUS" = 0 ] || rollback'
    at_exit 'rm -rf "$work"'
    rollback() {
      local line k v report="" broken=""
      if [ $changing = 1 ]; then
        if [ -f "$work/backup" ]; then
          if cp -p "$work/backup" "$FILE"; then report+=" the previous $FILE;"; else broken+=" the previous $FILE;"; fi
        elif rm -f "$FILE"; then report+=" no $FILE (there was none);"
        else broken+=" removing $FILE;"; fi
        while IFS= read -r line; do
          k=${line%%=*} v=${line#*=}
          if sysctl -q -w "$line" >/dev/null 2>&1 && [ "$(sysctl -n "$k" 2>/dev/null | norm)" = "$(printf '%s' "$v" | norm)" ]; then report+=" $k=$v;"
          else broken+=" $k=$v;"; fi
        done < "$work/live"
      fi
      while IFS= read -r k; do
        # A value that could not be put back keeps its record, so that a later delete restores it.
        [ -z "$(claimants "sysctl $k")" ] && ! has "$broken" " $k=" && claim_forget "sysctl $k" || true
      done < <(cat "$work/fresh" 2>/dev/null)
      [ -z "$report" ] || printf 'pulumi-lvs[%s]: put back:%s\n' "$HOST" "${report%;}" >&8
      [ -z "$broken" ] || printf 'pulumi-lvs[%s]: FAILED: could not put back:%s\n' "$HOST" "${broken%;}" >&8
    }
    cat > "$work/new"
    want() { value_in "$work/new" "$1" | norm; }
    claim_check "file $FILE" own ""
    : > "$work/live"
    : > "$work/fresh"
    for k in $(keys_of "$work/new"); do
      claim_check "sysctl $k" share "$(want "$k")"
      v=$(sysctl -n "$k" 2>/dev/null) || fail "the sysctl $k does not exist on this host (kernel module not loaded?); nothing was changed"
      printf '%s=%s\n' "$k" "$v" >> "$work/live"
      if claim_fresh "sysctl $k"; then printf '%s\n' "$k" >> "$work/fresh"; fi
      claim_prior "sysctl $k" "$v"
    done
    [ ! -f "$FILE" ] || cp -p "$FILE" "$work/backup"
    changing=1
    install -m 0644 "$work/new" "$FILE.pulumi-lvs-new"
    mv -f "$FILE.pulumi-lvs-new" "$FILE"
    if ! err=$(sysctl -q -p "$FILE" 2>&1 >/dev/null); then
      fail "sysctl -p $FILE failed ($err)"
    fi
    for k in $(keys_of "$FILE"); do
      have=$(sysctl -n "$k" | norm)
      [ "$(want "$k")" = "$have" ] || fail "$k is '$have' after applying, expected '$(want "$k")'"
    done
    # Keys this resource set before and no longer sets are released.
    for k in $(claimed_by_me "sysctl " any | sed 's/^sysctl //'); do
      grep -qx -- "$k" <<< "$(keys_of "$FILE")" || release_key "$k" any
    done
    claim_commit "file $FILE" own ""
    for k in $(keys_of "$FILE"); do claim_commit "sysctl $k" share "$(want "$k")"; echo "$k=$(want "$k")"; done
    ;;
  delete)
    if ! claim_taken "file $FILE"; then
      rm -f "$FILE"
      claim_forget "file $FILE"
    fi
    for k in $(claimed_by_me "sysctl " | sed 's/^sysctl //'); do release_key "$k"; done
    rmdir "$STATE_DIR" 2>/dev/null || true
    ;;
  *) fail "unknown ACTION $ACTION" ;;
esac
