# Reads what the configuration depends on: keepalived's version (and refuses one older than
# $MIN_KEEPALIVED, for $MIN_REASON), the global addresses of every NIC, and the VIPs of the
# keepalived.conf in force, which keepalived may hold now (so they are no director's own address).
# Changes nothing.
version=$(keepalived --version 2>&1 | sed -n 's/^Keepalived v\([0-9.]*\).*/\1/p' | head -n 1)
[ -n "$version" ] || fail "cannot read keepalived's version (is keepalived installed?)"
if [ -n "$MIN_KEEPALIVED" ] && [ "$(printf '%s\n%s\n' "$MIN_KEEPALIVED" "$version" | sort -V | head -n 1)" != "$MIN_KEEPALIVED" ]; then
  fail "$MIN_REASON needs keepalived $MIN_KEEPALIVED or later; this host has keepalived $version. Upgrade keepalived or use another option; nothing was changed"
fi
echo "keepalived $version"
if [ -r "$KEEPALIVED_CONF" ]; then
  awk '/^[ \t]*[#!]/ { next }
       /virtual_ipaddress(_excluded)?[ \t]*\{/ { inside = 1; next }
       inside && /\}/ { inside = 0; next }
       inside && NF { print "vip", $1 }' "$KEEPALIVED_CONF"
fi
ip -o addr show scope global | awk '{ print "addr", $2, $4 }'
