# Removes those of $PACKAGES that packages-create installed (not those that were there before).
record="$STATE_DIR/packages.prior"
rm -f /etc/modules-load.d/pulumi-lvs.conf
[ -f "$record" ] || { say "no record of what was installed: leaving packages alone"; exit 0; }
before=$(sed -n 's/^preinstalled://p' "$record")
remove=""
for p in $PACKAGES; do case " $before " in *" $p "*) ;; *) remove="$remove $p" ;; esac; done
if [ -n "$remove" ]; then
  say "removing$remove (installed by pulumi-lvs)"
  log="$STATE_DIR/remove.log"
  # shellcheck disable=SC2086
  if command -v apt-get >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 purge -y -q --autoremove $remove > "$log" 2>&1 ||
      fail "apt-get purge$remove failed" "$(tail -n 20 "$log")"
  elif command -v dnf >/dev/null; then dnf remove -y -q $remove > "$log" 2>&1 || fail "dnf remove$remove failed"
  else yum remove -y -q $remove > "$log" 2>&1 || fail "yum remove$remove failed"; fi
fi
rm -f "$record" "$STATE_DIR/install.log" "$STATE_DIR/remove.log"
# Leave no empty state folder behind.
rmdir "$STATE_DIR" 2>/dev/null || true
