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
# `pulumi up --replace` creates a second instance of a resource with the same URN and token, then deletes
# the first. $CLAIMS/.instances/<token> counts the live instances (created, not yet deleted), so the
# first one's delete leaves everything to the second. $0 is plvs-<phase>, set by the bootstrap.
PLVS_PHASE=${0#plvs-}
instances_file="$CLAIMS/.instances/$PLVS_TOKEN"
instances() { cat "$instances_file" 2>/dev/null || echo 0; }
count_instance() { # after a create (one more) or an update (at least one: records made before counting)
  [ "$PLVS_STATUS" = 0 ] || return 0
  local n
  n=$(instances)
  if [ "$PLVS_PHASE" = create ]; then n=$((n + 1)); elif [ "$n" -lt 1 ]; then n=1; fi
  mkdir -p "${instances_file%/*}" && printf '%s\n' "$n" > "$instances_file"
}
case $PLVS_PHASE in
  # A resource without a delete (PLVS_NO_DELETE, see shell.ts) has no instances to count.
  create|update) [ -n "${PLVS_NO_DELETE:-}" ] || at_exit count_instance ;;
  delete)
    if [ "$(instances)" -gt 1 ]; then
      printf '%s\n' "$(($(instances) - 1))" > "$instances_file"
      say "another instance of $PLVS_OWNER (pulumi up --replace) now holds what this one set up: left in place"
      exit 0
    fi
    at_exit '[ "$PLVS_STATUS" != 0 ] || { rm -f "$instances_file"; rmdir "${instances_file%/*}" "$CLAIMS" 2>/dev/null; }' ;;
esac
# Bash builtins only, here and below: these run for every key a script touches, and a fork costs
# milliseconds on small or emulated hosts.
claim_dir() { local k=${1//%/%25}; k=${k//\//%2F}; printf '%s/%s' "$CLAIMS" "${k// /%20}"; }
# first_lines FILE VAR...: VAR1 gets the first line of FILE, VAR2 the second, ... ("" where there is none).
first_lines() {
  local f=$1 v
  shift
  for v in "$@"; do printf -v "$v" ''; done
  { for v in "$@"; do IFS= read -r "${v?}" || break; done; } < "$f"
}
stack_of() { local rest=${1#*::}; printf '%s::%s' "${1%%::*}" "${rest%%::*}"; }
# claimants KEY: "token<TAB>urn<TAB>value" per claim
claimants() {
  local d f
  d=$(claim_dir "$1")
  local urn value
  for f in "$d"/*; do
    [ -f "$f" ] || continue
    first_lines "$f" urn value
    printf '%s\t%s\t%s\n' "${f##*/}" "$urn" "$value"
  done
}
# claim_conflict KEY own|share VALUE: prints why another stack holds KEY (own) or wants another value
# (share), and what to do about it, on a second line; nothing when it does not.
claim_conflict() {
  local token urn value
  while IFS=$'\t' read -r token urn value; do
    [ "$urn" != "$PLVS_OWNER" ] || continue
    [ "$(stack_of "$urn")" != "$(stack_of "$PLVS_OWNER")" ] || continue
    if [ "$2" = own ] || [ "$value" != "$3" ]; then
      printf '%s\n%s\n' "$1 is managed by $urn${value:+ (wanting '$value')}, of another stack; this resource ($PLVS_OWNER) would undo its work" \
        "Remove it from that stack first (or, if that stack no longer exists, delete $(claim_dir "$1") on $HOST)."
      return 0
    fi
  done < <(claimants "$1")
}
# claim_check KEY own|share VALUE: fails when another stack holds KEY (own) or wants another value (share).
claim_check() {
  local why
  why=$(claim_conflict "$@")
  [ -z "$why" ] || fail "${why%%$'\n'*}" "${why#*$'\n'}"
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
    if [ "$2" = own ]; then
      # Kept aside: if this resource is deleted while the one it took over lives on (a failed rename,
      # then reverted), the object goes back to that one (claim_taken).
      mv "$d/$token" "$d/.displaced.$token"
      say "took over $1 from $urn"
    elif [ "$value" != "$3" ]; then
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
# claim_taken KEY (an owned object, at delete): true (and says so) when the delete must leave KEY in
# place: another resource or a replacement now holds it, or this resource took it over from one that is
# still there (its claim, kept aside, becomes the owner again).
claim_taken() {
  local d back
  d=$(claim_dir "$1")
  rm -f "$d/.displaced.$PLVS_TOKEN"
  case $(claim_state "$1") in
    replaced) say "$1 now belongs to another resource: left in place" ;;
    mine)
      back=$(ls -t "$d"/.displaced.* 2>/dev/null | head -n1)
      [ -n "$back" ] || return 1
      mv "$back" "$d/${back##*/.displaced.}"
      rm -f "$d/$PLVS_TOKEN"
      say "$1 goes back to $(sed -n 1p "$d/${back##*/.displaced.}"), which this resource took it over from: left in place" ;;
    *) return 1 ;;
  esac
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
  local d f key urn
  for d in "$CLAIMS"/*/; do
    [ -f "$d.key" ] || continue
    first_lines "$d.key" key
    case $key in "$1"*) ;; *) continue ;; esac
    if [ "${2:-}" = any ]; then
      for f in "$d"*; do
        [ -f "$f" ] || continue
        first_lines "$f" urn
        if [ "$urn" = "$PLVS_OWNER" ]; then printf '%s\n' "$key"; break; fi
      done
    elif [ -f "$d$PLVS_TOKEN" ]; then printf '%s\n' "$key"
    fi
  done
  return 0
}
