# Installs $PACKAGES when missing and loads $MODULES; records what was there before (stdout too).
record="$STATE_DIR/packages.prior"
installed() {
  if command -v dpkg-query >/dev/null; then has "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" "install ok installed"
  else rpm -q "$1" >/dev/null 2>&1; fi
}
if [ ! -f "$record" ]; then
  before=""
  for p in $PACKAGES; do if installed "$p"; then before="$before $p"; fi; done
  echo "preinstalled:$before" > "$record"
fi
missing=""
for p in $PACKAGES; do installed "$p" || missing="$missing $p"; done
if [ -n "$missing" ]; then
  say "installing$missing"
  log="$STATE_DIR/install.log"
  if command -v apt-get >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get -o DPkg::Lock::Timeout=300 update -q > "$log" 2>&1 || fail "apt-get update failed" "$(tail -n 20 "$log")"
    # shellcheck disable=SC2086
    apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends $missing >> "$log" 2>&1 ||
      fail "apt-get install$missing failed" "$(tail -n 20 "$log")"
  elif command -v dnf >/dev/null; then
    # shellcheck disable=SC2086
    dnf install -y -q $missing > "$log" 2>&1 || fail "dnf install$missing failed" "$(tail -n 20 "$log")"
  elif command -v yum >/dev/null; then
    # shellcheck disable=SC2086
    yum install -y -q $missing > "$log" 2>&1 || fail "yum install$missing failed" "$(tail -n 20 "$log")"
  else
    fail "no apt-get, dnf or yum on this host: install$missing by hand"
  fi
fi
for m in $MODULES; do modprobe "$m" || fail "cannot load the kernel module $m"; done
printf '%s\n' $MODULES > /etc/modules-load.d/pulumi-lvs.conf
cat "$record"
