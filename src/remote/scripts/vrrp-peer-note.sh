# On the primary director: notes whether the secondary is held (stdin: vrrp-hold.sh's output, "held <host>
# <nonce>" or "not held"). keepalived-apply.sh adds the note to any failure here, and removes it once this
# director's keepalived.conf is in force: after that the release runs, or fails with its own message.
read -r state host _ || true
if [ "$state" = held ]; then
  printf '%s\n' "the secondary director ($host) is held (keepalived stopped there) for this change of the VRRP settings: the pair runs on this director alone, with no split brain; the secondary starts again when a pulumi up applies this director's keepalived.conf ($RELEASE_STEP)" > "$VRRP_PEER_HELD" \
    || fail "cannot write $VRRP_PEER_HELD"
  echo "peer held"
else
  rm -f "$VRRP_PEER_HELD"
  echo "peer not held"
fi
