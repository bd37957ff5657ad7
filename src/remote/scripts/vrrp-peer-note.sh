# On the primary director: notes whether the secondary is held (stdin: vrrp-hold.sh's output, "held <host>
# <nonce>" or "not held", on a line, then the pair's VRRP identity as vrrp-hold.sh gets it).
# keepalived-apply.sh adds the note to any failure here, and removes it once this director's keepalived.conf
# is in force: after that the release runs, or fails with its own message. It then also records the
# identity, so that this director, made the secondary later (roles swapped), knows what it runs.
IFS= read -r line || true
read -r state host _ <<< "$line" || true
identity=$(sha256sum | cut -d' ' -f1)
[[ "$identity" =~ ^[0-9a-f]{64}$ ]] || fail "could not read the VRRP identity from stdin"
printf '%s\n' "$identity" > "$VRRP_IDENTITY_NEXT" || fail "cannot write $VRRP_IDENTITY_NEXT"
if [ "$state" = held ]; then
  printf '%s\n' "the secondary director ($host) is held (keepalived stopped there) for this change of the VRRP settings: the pair runs on this director alone, with no split brain; the secondary starts again when a pulumi up applies this director's keepalived.conf ($RELEASE_STEP)" > "$VRRP_PEER_HELD" \
    || fail "cannot write $VRRP_PEER_HELD"
  echo "peer held"
else
  rm -f "$VRRP_PEER_HELD"
  echo "peer not held"
fi
