# Who owns what on this host. Every object a script changes (a file, a sysctl key, an address, a route,
# a package set, the keepalived service) is a KEY such as "file /etc/keepalived/keepalived.conf" or
# "sysctl net.ipv4.conf.all.arp_ignore". Its claims live in $STATE_DIR/claims/<KEY>/, one file per
# claimant named by its token, holding the claimant's URN and the value it wants; .prior holds the state
# from before the first claim, put back when the last claim goes.
#   own    one owner: a claimant of the same stack (a rename, a replacement) takes it over, and the old
#          resource's delete then leaves it alone; another stack's claim is refused.
#   share  any number of claimants wanting the same value (a sysctl, a VIP on lo); the prior state comes
#          back only when the last one goes. Another value is refused from another stack, and taken over
#          from the same stack.
# $PLVS_OWNER is the URN of the resource running this script; $PLVS_TOKEN tells a replacement (same
# URN, created before the old one is deleted) from the resource it replaces.
CLAIMS="$STATE_DIR/claims"
[ -n "${PLVS_OWNER:-}" ] && [ -n "${PLVS_TOKEN:-}" ] || fail "no owner given (PLVS_OWNER, PLVS_TOKEN): run this script through pulumi-lvs"
claim_dir() { printf '%s/%s' "$CLAIMS" "$(printf '%s' "$1" | sed 's/%/%25/g; s#/#%2F#g; s/ /%20/g')"; }
stack_of() { local rest=${1#*::}; printf '%s::%s' "${1%%::*}" "${rest%%::*}"; }
# claimants KEY: "token<TAB>urn<TAB>value" per claim
claimants() {
  local d f
  d=$(claim_dir "$1")
  for f in "$d"/*; do
    [ -f "$f" ] || continue
    printf '%s\t%s\t%s\n' "${f##*/}" "$(sed -n 1p "$f")" "$(sed -n 2p "$f")"
  done
}
# claim_check KEY own|share VALUE: fails when another stack holds KEY (own) or wants another value (share).
claim_check() {
  local token urn value
  while IFS=$'\t' read -r token urn value; do
    [ "$urn" != "$PLVS_OWNER" ] || continue
    [ "$(stack_of "$urn")" != "$(stack_of "$PLVS_OWNER")" ] || continue
    if [ "$2" = own ] || [ "$value" != "$3" ]; then
      fail "$1 is managed by $urn${value:+ (wanting '$value')}, of another stack; this resource ($PLVS_OWNER) would undo its work" \
        "Remove it from that stack first (or, if that stack no longer exists, delete $(claim_dir "$1") on $HOST)."
    fi
  done < <(claimants "$1")
}
# claim_prior KEY TEXT: records the state from before pulumi-lvs, once, while nobody claims KEY.
claim_prior() {
  local d
  d=$(claim_dir "$1")
  [ -z "$(claimants "$1")" ] || return 0
  [ -f "$d/.prior" ] && return 0
  mkdir -p "$d" && printf '%s\n' "$1" > "$d/.key" && printf '%s' "$2" > "$d/.prior"
}
# claim_fresh KEY: nobody claims KEY and no prior state is recorded (the first claim is about to be made).
claim_fresh() { [ -z "$(claimants "$1")" ] && [ ! -f "$(claim_dir "$1")/.prior" ]; }
claim_prior_of() { cat "$(claim_dir "$1")/.prior" 2>/dev/null || true; }
# claim_commit KEY own|share VALUE: after the change worked, the claim becomes this resource's.
claim_commit() {
  local d token urn value
  d=$(claim_dir "$1")
  mkdir -p "$d"
  printf '%s\n' "$1" > "$d/.key"
  while IFS=$'\t' read -r token urn value; do
    if [ "$urn" = "$PLVS_OWNER" ]; then rm -f "$d/$token"; continue; fi
    if [ "$2" = own ] || [ "$value" != "$3" ]; then
      rm -f "$d/$token"
      say "took over $1 from $urn"
    fi
  done < <(claimants "$1")
  printf '%s\n%s\n' "$PLVS_OWNER" "$3" > "$d/$PLVS_TOKEN"
}
# claim_state KEY: mine (this version holds it), replaced (a newer version of this resource or another
# resource of this stack took it over), or unclaimed.
claim_state() {
  local d
  d=$(claim_dir "$1")
  if [ -f "$d/$PLVS_TOKEN" ]; then echo mine
  elif [ -n "$(claimants "$1")" ]; then echo replaced
  else echo unclaimed; fi
}
# claim_taken KEY: true (and says so) when another resource or a replacement now holds KEY, so a delete
# leaves it in place.
claim_taken() {
  [ "$(claim_state "$1")" = replaced ] || return 1
  say "$1 now belongs to another resource: left in place"
}
# claim_release KEY [any]: drops this version's claim (with "any": every claim of this resource) and
# prints last (nobody claims KEY any more: put .prior back, then claim_forget), kept (others still claim
# it) or none (it held no claim).
claim_release() {
  local d token urn value found=0
  d=$(claim_dir "$1")
  while IFS=$'\t' read -r token urn value; do
    if [ "$token" = "$PLVS_TOKEN" ] || { [ "${2:-}" = any ] && [ "$urn" = "$PLVS_OWNER" ]; }; then rm -f "$d/$token"; found=1; fi
  done < <(claimants "$1")
  if [ $found = 0 ]; then echo none
  elif [ -n "$(claimants "$1")" ]; then echo kept
  else echo last; fi
}
claim_forget() { rm -rf "$(claim_dir "$1")"; rmdir "$CLAIMS" 2>/dev/null || true; }
# claimed_by_me PREFIX [any]: the keys starting with PREFIX that this version (or, with "any", any
# version of this resource) claims.
claimed_by_me() {
  local d f
  for d in "$CLAIMS"/*/; do
    [ -f "$d.key" ] || continue
    case $(cat "$d.key") in "$1"*) ;; *) continue ;; esac
    if [ "${2:-}" = any ]; then
      for f in "$d"*; do [ -f "$f" ] && [ "$(sed -n 1p "$f")" = "$PLVS_OWNER" ] && { cat "$d.key"; break; }; done
    else
      [ -f "$d$PLVS_TOKEN" ] && cat "$d.key"
    fi
  done
  return 0
}
