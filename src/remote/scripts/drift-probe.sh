# Read-only drift probe, run by the program itself during preview and up (src/components/driftProbe.ts):
# the drift check's comparisons (drift.sh) with nothing repaired, written or locked. Runs without the
# prelude, which creates the state folder and takes the lock. stdin: the stack's content of $TARGET.
# stdout, one item a line:
#   drift <message>    a difference
#   record <base64>    the mark the repair last ran with (see keepalived-apply.sh), if any
#   end                the probe ran to its end
set -euo pipefail
export PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH"
on_drift() { printf 'drift %s\n' "$2"; }
drift_compare -
record=$(drift_record)
if [ -f "$record" ]; then printf 'record %s\n' "$(tail -n +2 "$record" | base64 -w0)"; fi
echo end
