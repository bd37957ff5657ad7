# `lab down`: ends exactly the processes `lab up` started (by their PID files: each UML kernel with its
# process group, the forwarders, the repository server), then removes the namespace and the per-host files.

stop_pidfile() { # <pidfile>: TERM the process group, then KILL what is left after a grace period
  local f=$1 pid i
  if pid=$(live_pid "$f"); then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
    for i in $(seq 1 30); do
      pgrep -g "$pid" >/dev/null 2>&1 || break
      sleep 0.1
    done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

lab_down_quiet() {
  [ -d "$LAB_RUN" ] || { ip netns del "$LAB_NS" 2>/dev/null || true; return 0; }
  local f stoppers=()
  # Forwarders and the repository first (nothing new reaches the hosts), then the hosts; in parallel.
  # Wait for the stoppers only: the lab's own processes may be children of this shell (`lab up`).
  for f in "$LAB_RUN"/*.fwd.pid "$LAB_RUN"/repo.pid; do stop_pidfile "$f" & stoppers+=($!); done
  wait "${stoppers[@]}" || true
  stoppers=()
  for f in "$LAB_RUN"/*.pid; do stop_pidfile "$f" & stoppers+=($!); done
  wait "${stoppers[@]}" || true
  # Close multiplexed SSH masters of the helpers.
  # A master that died with the machine leaves a stale socket: `-O exit` then fails, which must not stop
  # the clean-up.
  for f in "$LAB_RUN"/ssh-*; do [ -S "$f" ] && { ssh -o ControlPath="$f" -O exit x 2>/dev/null || true; }; done
  ip netns del "$LAB_NS" 2>/dev/null || true
  rm -rf "$LAB_RUN"
}

lab_down() {
  if [ ! -d "$LAB_RUN" ] && ! ip netns list 2>/dev/null | grep -qw "$LAB_NS"; then
    log "lab $LAB_NS is not running"
    return 0
  fi
  lab_down_quiet
  log "lab $LAB_NS is down"
}
