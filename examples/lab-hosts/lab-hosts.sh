#!/usr/bin/env bash
# examples/lab-hosts: the lab's hosts as one Pulumi resource. A command.local.Command runs this in the
# pulumi-lvs clone (its working directory), with LAB_NAME and KEEP_LAB from the stack's config.
#   up    boots the lab LAB_NAME (`lab up` is idempotent and returns once every host answers SSH) and
#         prints, as JSON: its hosts as `lab status --json` lists them, each with the ed25519 host key
#         its sshd presents, and whether this stack started the lab.
#   down  stops the lab if this stack started it, unless KEEP_LAB=true. A lab that was already up when
#         the stack first ran belongs to someone else (another stack, a test run): it stays up.
# Whether this stack started the lab is kept in its own output: the provider hands the previous stdout to
# the next run (an update) and to the delete as PULUMI_COMMAND_STDOUT.
set -euo pipefail
[ -f lab/lab.sh ] || { echo "lab-hosts: $(pwd) is not a pulumi-lvs clone (no lab/lab.sh)" >&2; exit 1; }
lab() { bash lab/lab.sh "$@"; }
started_before() { # this very lab, by the last run's own account
  local out=${PULUMI_COMMAND_STDOUT:-}
  grep -q '"startedByStack": true' <<< "$out" && grep -qF "\"lab\": \"$LAB_NAME\"" <<< "$out"
}

case ${1:-} in
  up)
    if lab status --json >/dev/null 2>&1; then
      if started_before; then started=true; else started=false; fi
      echo "lab-hosts: lab $LAB_NAME is up already$([ $started = true ] && echo " (started by this stack)" || echo " (not started by this stack: destroy leaves it up)")" >&2
    else
      echo "lab-hosts: booting lab $LAB_NAME" >&2
      lab up >&2
      started=true
    fi
    status=$(lab status --json)
    keys=""
    for h in $(STATUS=$status node -e 'for (const h of JSON.parse(process.env.STATUS)) console.log(h.name)'); do
      # The key the host's sshd presents, read over the lab's own SSH: it trusted that key when the host
      # first answered (accept-new, on loopback, during `lab up`) and refuses any other since.
      key=$(lab ssh "$h" -- cat /etc/ssh/ssh_host_ed25519_key.pub) || { echo "lab-hosts: cannot read the host key of $h" >&2; exit 1; }
      keys+="$h $key"$'\n'
    done
    STATUS=$status KEYS=$keys STARTED=$started node -e '
      const hosts = JSON.parse(process.env.STATUS);
      const keys = new Map(process.env.KEYS.trim().split("\n").map((l) => { const [name, type, key] = l.split(" "); return [name, `${type} ${key}`]; }));
      for (const h of hosts) h.hostKey = keys.get(h.name);
      console.log(JSON.stringify({ lab: process.env.LAB_NAME, startedByStack: process.env.STARTED === "true", hosts }, null, 1));'
    ;;
  down)
    if [ "${KEEP_LAB:-false}" = true ]; then echo "lab-hosts: keepLab is true: lab $LAB_NAME stays up" >&2; exit 0; fi
    if ! started_before; then echo "lab-hosts: lab $LAB_NAME was up before this stack: it stays up" >&2; exit 0; fi
    lab down >&2
    ;;
  *) echo "usage: lab-hosts.sh up|down" >&2; exit 2 ;;
esac
