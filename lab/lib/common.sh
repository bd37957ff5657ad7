# Shared by the lab verbs: where things live, the lab's identity, the topology, logging.
LAB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO_ROOT="$(cd "$LAB_DIR/.." && pwd)"
ERR_PREFIX="[lab]"
ERR_HINT="See the lines above for the cause. \`npm run lab -- down\` removes a half-started lab; LAB_BACKEND=uml|qemu forces a route; TRACE=1 prints every step."
source "$REPO_ROOT/scripts/lib/errors.sh"
LAB_CACHE="${LAB_CACHE:-$REPO_ROOT/.cache/lab}"
# Several labs can run from one clone, sharing the image: "main" (the demo, by hand) and "test"
# (npm test), so the tests never disturb a stack deployed by hand.
LAB_NAME="${LAB_NAME:-main}"
[[ $LAB_NAME =~ ^[a-z0-9]{1,8}$ ]] || { echo "[lab] LAB_NAME must be 1-8 lowercase letters or digits" >&2; exit 1; }
LAB_RUN="$LAB_CACHE/run-$LAB_NAME"
LAB_KEY="$LAB_CACHE/keys/id_ed25519"
# The namespace name and the port block derive from the clone's path and the lab's name.
LAB_ID=$(printf '%s:%s' "$REPO_ROOT" "$LAB_NAME" | sha1sum | cut -c1-6)
LAB_NS="lvslab-$LAB_ID"
# Addresses the lab namespace itself holds: the management gateway (SSH, package repository) and the
# routers of the front and remote segments.
LAB_REPO_ADDR=10.200.0.1
LAB_REPO_PORT=8000
declare -A SEGMENT_ADDRS=(
  [mgmt]="10.200.0.1/24"
  [front]="10.201.0.1/24 fd00:201::1/64"
  [back]=""
  [remote]="10.203.0.1/24"
)
SEGMENTS=(mgmt front back remote)

log() { printf '[lab] %s\n' "$*" >&2; }
die() { printf '[lab] ERROR: %s\n' "$*" >&2; exit 1; }

# Prints "name role nics gw gw6" for every host of the topology.
hosts() { grep -v '^#' "$LAB_DIR/topology.tsv" | grep -v '^\s*$'; }
host_names() { hosts | cut -f1; }
host_field() { hosts | awk -F'\t' -v h="$1" -v f="$2" '$1 == h { print $f }'; }
# The management address (first NIC) of a host, without prefix length.
host_mgmt_addr() { host_field "$1" 3 | cut -d, -f1 | cut -d= -f2 | cut -d/ -f1; }

# A PID file holds "pid start-time": after a reboot or a crash the PID may belong to someone else's
# process, and the start time (field 22 of /proc/PID/stat) tells ours apart.
proc_start_time() { local s; s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1; s=${s##*) }; echo "$s" | cut -d' ' -f20; }
record_pid() { echo "$1 $(proc_start_time "$1")" > "$2"; } # <pid> <pidfile>
# Prints the PID recorded in <pidfile> if that very process is still running.
live_pid() {
  local pid start
  [ -f "$1" ] && read -r pid start < "$1" && [ -n "$start" ] || return 1
  [ "$(proc_start_time "$pid")" = "$start" ] && echo "$pid"
}
pid_alive() { live_pid "$1" >/dev/null; }
# Up while the process that carries the lab (a host's kernel, or the QEMU guest) runs.
lab_running() { local r; r=$(running_route); [ -n "$r" ] && pid_alive "$("${r}_main_pidfile")"; }

ssh_opts() {
  echo "-i $LAB_KEY -o BatchMode=yes -o StrictHostKeyChecking=accept-new -o UserKnownHostsFile=$LAB_RUN/known_hosts" \
       "-o ConnectTimeout=5 -o LogLevel=ERROR -o ControlMaster=auto -o ControlPath=$LAB_RUN/ssh-%C -o ControlPersist=120"
}
# The 127.0.0.1 port that forwards to a host's sshd.
host_port() { grep "^$1=" "$LAB_RUN/ports.env" | cut -d= -f2; }
