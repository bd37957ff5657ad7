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
# instances_of VAR: VAR gets the number of live instances of this resource (0 when none is recorded).
instances_of() { printf -v "$1" 0; [ ! -f "$instances_file" ] || { read -r "$1" < "$instances_file" || true; }; }
count_instance() { # after a create (one more) or an update (at least one: records made before counting)
  [ "$PLVS_STATUS" = 0 ] || return 0
  local n
  instances_of n
  if [ "$PLVS_PHASE" = create ]; then n=$((n + 1)); elif [ "$n" -lt 1 ]; then n=1; fi
  mkdir -p "${instances_file%/*}" && printf '%s\n' "$n" > "$instances_file"
}
case $PLVS_PHASE in
  # A resource without a delete (PLVS_NO_DELETE, see shell.ts) has no instances to count.
  create|update) [ -n "${PLVS_NO_DELETE:-}" ] || at_exit count_instance ;;
  delete)
    instances_of live
    if [ "$live" -gt 1 ]; then
      printf '%s\n' "$((live - 1))" > "$instances_file"
      say "another instance of $PLVS_OWNER (pulumi up --replace) now holds what this one set up: left in place"
      exit 0
    fi
    # The last of a host's records to go takes the state folder with it (each rmdir only when empty).
    at_exit '[ "$PLVS_STATUS" != 0 ] || { rm -f "$instances_file"; rmdir "${instances_file%/*}" "$CLAIMS" "$STATE_DIR" 2>/dev/null; }' ;;
esac
# No process is started from here on, not even a $(...) subshell: these run for every key a script
# touches, and a fork costs 40 ms or more on emulated hosts (the lab's). A function that answers sets
# the variable named by its first argument (printf -v); the printing forms serve the rarer paths.
# claim_dir_of VAR KEY: VAR gets the folder of KEY's claims.
claim_dir_of() { local _ck=${2//%/%25}; _ck=${_ck//\//%2F}; printf -v "$1" '%s/%s' "$CLAIMS" "${_ck// /%20}"; }
claim_dir() { local _cd; claim_dir_of _cd "$1"; printf '%s' "$_cd"; }
# first_lines FILE VAR...: VAR1 gets the first line of FILE, VAR2 the second, ... ("" where there is none).
first_lines() {
  local f=$1 v
  shift
  for v in "$@"; do printf -v "$v" ''; done
  { for v in "$@"; do IFS= read -r "${v?}" || break; done; } < "$f"
}
# file_text VAR FILE: VAR gets FILE's text without its trailing newlines, like $(cat FILE) ("" when unreadable).
file_text() {
  local _ft=""
  [ ! -r "$2" ] || { IFS= read -r -d '' _ft < "$2" || true; }
  while [[ $_ft == *$'\n' ]]; do _ft=${_ft%$'\n'}; done
  printf -v "$1" '%s' "$_ft"
}
# dir_empty DIR: DIR has no entry.
dir_empty() { local e; for e in "$1"/* "$1"/.[!.]* "$1"/..?*; do { [ -e "$e" ] || [ -L "$e" ]; } && return 1; done; return 0; }
# stack_of VAR URN: VAR gets URN's stack and project (urn:pulumi:<stack>::<project>).
stack_of() { local _cr=${2#*::}; printf -v "$1" '%s::%s' "${2%%::*}" "${_cr%%::*}"; }
# claims_of KEY: CLAIM_TOKENS, CLAIM_URNS and CLAIM_VALUES get one entry per claim on KEY (callers that
# call another claim function while looping copy them first).
claims_of() {
  local _cd _cf _cu _cv
  claim_dir_of _cd "$1"
  CLAIM_TOKENS=() CLAIM_URNS=() CLAIM_VALUES=()
  for _cf in "$_cd"/*; do
    [ -f "$_cf" ] || continue
    first_lines "$_cf" _cu _cv
    CLAIM_TOKENS+=("${_cf##*/}") CLAIM_URNS+=("$_cu") CLAIM_VALUES+=("$_cv")
  done
}
# claimed KEY: somebody claims KEY.
claimed() { claims_of "$1"; [ ${#CLAIM_TOKENS[@]} -gt 0 ]; }
# claimants KEY: "token<TAB>urn<TAB>value" per claim
claimants() {
  local i
  claims_of "$1"
  for i in "${!CLAIM_TOKENS[@]}"; do printf '%s\t%s\t%s\n' "${CLAIM_TOKENS[i]}" "${CLAIM_URNS[i]}" "${CLAIM_VALUES[i]}"; done
}
# claim_conflict_of VAR KEY own|share VALUE: VAR gets why another stack holds KEY (own) or wants another
# value (share), and what to do about it, on a second line; "" when it does not.
claim_conflict_of() {
  local _cw=$1 _ci _cu _cval _cs _mine _cd
  shift
  printf -v "$_cw" ''
  claims_of "$1"
  stack_of _mine "$PLVS_OWNER"
  for _ci in "${!CLAIM_URNS[@]}"; do
    _cu=${CLAIM_URNS[_ci]} _cval=${CLAIM_VALUES[_ci]}
    [ "$_cu" != "$PLVS_OWNER" ] || continue
    stack_of _cs "$_cu"
    [ "$_cs" != "$_mine" ] || continue
    if [ "$2" = own ] || [ "$_cval" != "$3" ]; then
      claim_dir_of _cd "$1"
      printf -v "$_cw" '%s\n%s' "$1 is managed by $_cu${_cval:+ (wanting '$_cval')}, of another stack; this resource ($PLVS_OWNER) would undo its work" \
        "Remove it from that stack first (or, if that stack no longer exists, delete $_cd on $HOST)."
      return 0
    fi
  done
}
# claim_conflict KEY own|share VALUE: prints what claim_conflict_of finds.
claim_conflict() { local _why; claim_conflict_of _why "$@"; [ -z "$_why" ] || printf '%s\n' "$_why"; }
# claim_check KEY own|share VALUE: fails when another stack holds KEY (own) or wants another value (share).
claim_check() {
  local why
  claim_conflict_of why "$@"
  [ -z "$why" ] || fail "${why%%$'\n'*}" "${why#*$'\n'}"
}
# claim_prior KEY TEXT: records the state from before pulumi-lvs, once, while nobody claims KEY.
claim_prior() {
  local d
  claim_dir_of d "$1"
  ! claimed "$1" || return 0
  [ -f "$d/.prior" ] && return 0
  { [ -d "$d" ] || mkdir -p "$d"; } && printf '%s\n' "$1" > "$d/.key" && printf '%s' "$2" > "$d/.prior"
}
# claim_fresh KEY: nobody claims KEY and no prior state is recorded (the first claim is about to be made).
claim_fresh() { local d; claim_dir_of d "$1"; ! claimed "$1" && [ ! -f "$d/.prior" ]; }
# claim_prior_into VAR KEY: VAR gets the state recorded by claim_prior ("" when none); claim_prior_of prints it.
claim_prior_into() { local _cd; claim_dir_of _cd "$2"; file_text "$1" "$_cd/.prior"; }
claim_prior_of() { local _cp; claim_prior_into _cp "$1"; printf '%s' "$_cp"; }
# claim_commit KEY own|share VALUE: after the change worked, the claim becomes this resource's.
claim_commit() {
  local d i token urn value
  claim_dir_of d "$1"
  [ -d "$d" ] || mkdir -p "$d"
  printf '%s\n' "$1" > "$d/.key"
  claims_of "$1"
  local -a tokens=("${CLAIM_TOKENS[@]}") urns=("${CLAIM_URNS[@]}") values=("${CLAIM_VALUES[@]}")
  for i in "${!tokens[@]}"; do
    token=${tokens[i]} urn=${urns[i]} value=${values[i]}
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
  done
  printf '%s\n%s\n' "$PLVS_OWNER" "$3" > "$d/$PLVS_TOKEN"
}
# claim_state_of VAR KEY: mine (this version holds it), replaced (a newer version of this resource or
# another resource of this stack took it over), or unclaimed; claim_state prints it.
claim_state_of() {
  local _cd
  claim_dir_of _cd "$2"
  if [ -f "$_cd/$PLVS_TOKEN" ]; then printf -v "$1" mine
  elif claimed "$2"; then printf -v "$1" replaced
  else printf -v "$1" unclaimed; fi
}
claim_state() { local _cs; claim_state_of _cs "$1"; printf '%s\n' "$_cs"; }
# claim_taken KEY (an owned object, at delete): true (and says so) when the delete must leave KEY in
# place: another resource or a replacement now holds it, or this resource took it over from one that is
# still there (its claim, kept aside, becomes the owner again).
claim_taken() {
  local d back state owner
  claim_dir_of d "$1"
  [ ! -e "$d/.displaced.$PLVS_TOKEN" ] || rm -f "$d/.displaced.$PLVS_TOKEN"
  claim_state_of state "$1"
  case $state in
    replaced) say "$1 now belongs to another resource: left in place" ;;
    mine)
      local -a displaced=("$d"/.displaced.*)
      local f
      [ -e "${displaced[0]}" ] || return 1
      # The newest claim kept aside (the first in name order among equals).
      back=${displaced[0]}
      for f in "${displaced[@]}"; do [ ! "$f" -nt "$back" ] || back=$f; done
      mv "$back" "$d/${back##*/.displaced.}"
      rm -f "$d/$PLVS_TOKEN"
      first_lines "$d/${back##*/.displaced.}" owner
      say "$1 goes back to $owner, which this resource took it over from: left in place" ;;
    *) return 1 ;;
  esac
}
# claim_release_of VAR KEY [any]: drops this version's claim (with "any": every claim of this resource);
# VAR gets last (nobody claims KEY any more: put .prior back, then claim_forget), kept (others still
# claim it) or none (it held no claim). claim_release prints it.
# claim_mine_at I [any]: claim I of the last claims_of is this version's (with "any": this resource's).
claim_mine_at() { [ "${CLAIM_TOKENS[$1]}" = "$PLVS_TOKEN" ] || { [ "${2:-}" = any ] && [ "${CLAIM_URNS[$1]}" = "$PLVS_OWNER" ]; }; }
claim_release_of() {
  local _cd _ci _cfound=0
  claim_dir_of _cd "$2"
  claims_of "$2"
  for _ci in "${!CLAIM_TOKENS[@]}"; do
    if claim_mine_at "$_ci" "${3:-}"; then
      rm -f "$_cd/${CLAIM_TOKENS[_ci]}"; _cfound=1
    fi
  done
  if [ $_cfound = 0 ]; then printf -v "$1" none
  elif claimed "$2"; then printf -v "$1" kept
  else printf -v "$1" last; fi
}
claim_release() { local _cr; claim_release_of _cr "$@"; printf '%s\n' "$_cr"; }
claim_forget() {
  local d
  claim_dir_of d "$1"
  [ ! -e "$d" ] || rm -rf "$d"
  ! dir_empty "$CLAIMS" 2>/dev/null || rmdir "$CLAIMS" "$STATE_DIR" 2>/dev/null || true
}
# claimed_by_me PREFIX [any]: the keys starting with PREFIX that this version (or, with "any", any
# version of this resource) claims; claimed_by_me_into ARRAY PREFIX [any] puts them in ARRAY, PREFIX cut off.
claimed_by_me_into() {
  local -n _cm_out=$1
  local d f key urn
  _cm_out=()
  for d in "$CLAIMS"/*/; do
    [ -f "$d.key" ] || continue
    first_lines "$d.key" key
    case $key in "$2"*) ;; *) continue ;; esac
    if [ "${3:-}" = any ]; then
      for f in "$d"*; do
        [ -f "$f" ] || continue
        first_lines "$f" urn
        if [ "$urn" = "$PLVS_OWNER" ]; then _cm_out+=("${key#"$2"}"); break; fi
      done
    elif [ -f "$d$PLVS_TOKEN" ]; then _cm_out+=("${key#"$2"}")
    fi
  done
  return 0
}
claimed_by_me() { local -a _cb; local k; claimed_by_me_into _cb "$@"; for k in "${_cb[@]}"; do printf '%s%s\n' "$1" "$k"; done; }
