# Shared by every pulumi-lvs remote script (parameters are set above this by the renderer).
set -euo pipefail
umask 022
export PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH"
HOST=$(hostname)
say() { printf 'pulumi-lvs[%s]: %s\n' "$HOST" "$*" >&2; }
fail() { say "FAILED: $*"; exit 1; }
# True when $2 occurs in the output of a command, without a pipe (grep -q on a pipe under pipefail
# fails when the writer gets SIGPIPE).
has() { grep -qF -- "$2" <<< "$1"; }
mkdir -p "$STATE_DIR"
chmod 0700 "$STATE_DIR"
# One pulumi-lvs change at a time on this host: Pulumi runs resources in parallel.
if [ -d /run/lock ]; then exec 9>/run/lock/pulumi-lvs.lock; else exec 9>"$STATE_DIR/.lock"; fi
flock -w 600 9 || fail "another pulumi-lvs change on this host did not finish within 600 s"
