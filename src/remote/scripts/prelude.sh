# Shared by every pulumi-lvs remote script (parameters are set above this by the renderer).
# How a script reports, so that a failed `pulumi up` leads with what failed:
#   fail "what failed; what was restored" [details]   the FAILED line first, then the details, exit 1
#   say "progress"                                     kept, and printed after the outcome
#   at_exit 'command'                                  clean-up, run however the script ends, in the order
#                                                      given; $PLVS_STATUS is the script's exit status
# Any other command that fails ends the script with a FAILED line naming it and its line. Reports go
# to the script's own stderr (fd 8) even from inside a command whose stderr is redirected; what the
# commands themselves print on stderr is held back and printed after the outcome.
set -eEuo pipefail
umask 022
export PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH"
exec 8>&2
# Bash's own copy of the host name: nothing to run, so nothing can fail before the traps below exist.
HOST=${HOSTNAME:-unknown}
STDERR_LOG=""
NOTES=""
CLEANUPS=()
# What a failure of this script leaves in place elsewhere (a held peer director): printed after a FAILED line.
FAIL_NOTE=""
say() { NOTES+="pulumi-lvs[$HOST]: $*"$'\n'; }
fail_note() { [ -z "$FAIL_NOTE" ] || printf 'pulumi-lvs[%s]: %s\n' "$HOST" "$FAIL_NOTE" >&8; }
fail() {
  printf 'pulumi-lvs[%s]: FAILED: %s\n' "$HOST" "$1" >&8
  [ -z "${2:-}" ] || printf '%s\n' "$2" >&8
  fail_note
  exit 1
}
at_exit() { CLEANUPS+=("$1"); }
plvs_exit() {
  PLVS_STATUS=$?
  local c
  for c in "${CLEANUPS[@]}"; do eval "$c" || true; done
  if [ -n "$STDERR_LOG" ]; then cat "$STDERR_LOG" >&8; rm -f "$STDERR_LOG"; fi
  [ -z "$NOTES" ] || printf '%s' "$NOTES" >&8
}
trap plvs_exit EXIT
plvs_unexpected() { # <status> <command> <line>
  # A failure inside $(...) is reported by the command that ran it.
  [ "$BASHPID" = "$$" ] || return 0
  local where="line $(($3 - BODY_START + 1)) of $SCRIPT.sh"
  [ "$3" -ge "$BODY_START" ] || where="the prelude of $SCRIPT.sh"
  printf 'pulumi-lvs[%s]: FAILED: `%s` exited with status %s (%s); nothing after it ran\n' "$HOST" "$2" "$1" "$where" >&8
  fail_note
}
trap 'plvs_unexpected $? "$BASH_COMMAND" "$LINENO"' ERR
STDERR_LOG=$(mktemp "${TMPDIR:-/tmp}/pulumi-lvs-stderr.XXXXXX" 2>/dev/null) && exec 2>"$STDERR_LOG" || STDERR_LOG=""
# True when $2 occurs in the output of a command, without a pipe (grep -q on a pipe under pipefail
# fails when the writer gets SIGPIPE).
has() { grep -qF -- "$2" <<< "$1"; }
# systemd, touched only as far as needed: a daemon-reload reloads every unit (7 s on the lab's hosts), and
# `systemctl enable` runs one of its own (and, for a unit with an init script, update-rc.d) unless told not to.
# unit_enable UNIT: enabled at boot (systemd reads the links when it starts).
unit_enable() { systemctl is-enabled -q "$1" 2>/dev/null || systemctl enable -q --no-reload "$1"; }
# unit_sync UNIT: systemd sees the unit's file as it is on disk now (one not loaded yet is read as it is).
unit_sync() {
  local s
  s=$(systemctl show -p LoadState -p NeedDaemonReload "$1" 2>/dev/null) || s=""
  { has "$s" "LoadState=loaded" && has "$s" "NeedDaemonReload=no"; } || systemctl daemon-reload
}
# unit_forget UNIT: after its file is gone, systemd forgets the unit (a reload only when it still holds it).
unit_forget() {
  [ -z "$(systemctl list-units --all --plain --no-legend "$1" 2>/dev/null)" ] || systemctl daemon-reload
}
# A director held out of VRRP while the pair's VRRP settings change (see vrrp-hold.sh), the digest of the
# settings keepalived runs with here (on the primary: .next until its keepalived.conf is in force), and, on
# the primary, the note that its peer is held.
VRRP_HOLD="$STATE_DIR/vrrp-hold" VRRP_IDENTITY="$STATE_DIR/vrrp-identity" VRRP_PEER_HELD="$STATE_DIR/vrrp-peer-held"
VRRP_IDENTITY_NEXT="$VRRP_IDENTITY.next"
mkdir -p "$STATE_DIR" || fail "cannot create $STATE_DIR (read-only or full disk?); nothing was changed"
chmod 0700 "$STATE_DIR"
# One pulumi-lvs change at a time on this host: Pulumi runs resources in parallel.
if [ -d /run/lock ]; then exec 9>/run/lock/pulumi-lvs.lock; else exec 9>"$STATE_DIR/.lock"; fi
plvs_lock() { flock -w 600 9 || fail "another pulumi-lvs change on this host did not finish within 600 s"; }
# A service file's change takes it later, once queued (see batch.sh).
[ "${PLVS_LOCK:-now}" = later ] || plvs_lock
