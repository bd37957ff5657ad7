# `lab up`: chooses the route (lab/lib/route.sh), gives the lab a block of 127.0.0.1 ports, boots
# every host of the topology by that route (lab/lib/uml.sh or lab/lib/qemu.sh), and waits until all
# answer SSH. Every process it starts on the machine has a PID file in $LAB_RUN.

BOOT_TIMEOUT=${LAB_BOOT_TIMEOUT:-300}
# A boot whose emulator is killed by a signal is tried again, up to this many boots in all. QEMU 7.2's
# multi-threaded TCG (Debian 12) now and then crashes while the guest kernel boots (a NULL MemoryRegion
# in memory_region_dispatch_write); a second boot of the same image comes up.
BOOT_ATTEMPTS=${LAB_BOOT_ATTEMPTS:-3}

choose_ports() {
  # A block of ports derived from the lab id, moved on while any port in it is busy.
  local n base p busy i
  n=$(host_names | wc -l)
  base=$((20000 + (16#$LAB_ID % 1000) * 16))
  for i in $(seq 1 50); do
    busy=0
    for p in $(seq "$base" $((base + n - 1))); do
      ss -ltnH "sport = :$p" | grep -q . && { busy=1; break; }
    done
    [ $busy -eq 0 ] && break
    base=$((base + 16))
  done
  [ $busy -eq 0 ] || die "no free block of $n ports on 127.0.0.1"
  : > "$LAB_RUN/ports.env"
  p=$base
  for h in $(host_names); do echo "$h=$p" >> "$LAB_RUN/ports.env"; p=$((p + 1)); done
}

# What a host is told at boot, on its kernel command line (uml) or as its init's arguments (qemu):
# its name, role, NICs with addresses, gateways, and a machine-id of its own. See image/usr/local/sbin/lab-net.
host_words() { # <name> <role> <nics> <gw> <gw6>
  local name=$1 role=$2 nics=$3 gw=$4 gw6=$5 spec words=() machine_id
  local names=()
  for spec in ${nics//,/ }; do names+=("${spec%%@*}=${spec#*=}"); done
  machine_id=$(printf '%s-%s' "$LAB_ID" "$name" | md5sum | cut -c1-32)
  words=("lab.host=$name" "lab.role=$role" "lab.nics=$(IFS=,; echo "${names[*]}")")
  [ "$gw" != "-" ] && words+=("lab.gw=$gw")
  [ "$gw6" != "-" ] && words+=("lab.gw6=$gw6")
  words+=("systemd.machine_id=$machine_id")
  echo "${words[*]}"
}
# The MAC of a host's NIC: stable per host and NIC.
host_mac() { printf '02:1b:%02x:00:%02x:%02x' "$2" "$1" "$2"; } # <host index> <nic index>
# The segments a host's NICs are on, in order.
host_segments() { local spec seg; for spec in ${1//,/ }; do seg=${spec#*@}; echo "${seg%%=*}"; done; } # <nics>

# Says how the boot process of <pidfile> ended: its exit status (this shell started it, so `wait`
# reaps it here, not in a subshell) and, when a signal killed it, the kernel's line about it (a segfault)
# logged since the boot began ($BOOT_UPTIME). Returns 0 when a signal killed it (an emulator crash).
report_boot_death() { # <pidfile> <route>
  local pid rc how line="" crashed=1
  read -r pid _ < "$1"
  wait "$pid" 2>/dev/null && rc=0 || rc=$?
  if [ "$rc" -eq 127 ]; then how="ended"
  elif [ "$rc" -gt 128 ] && [ "$rc" -le 192 ]; then
    how="was killed by signal $((rc - 128)) (SIG$(kill -l $((rc - 128)) 2>/dev/null || echo '?'))" crashed=0
    line=$(dmesg 2>/dev/null | awk -v t="${BOOT_UPTIME:-0}" -v p="[$pid]: " '{ s = $0; sub(/^\[ */, "", s) } s + 0 >= t + 0 && index($0, p)' | tail -n 1 || true)
  else how="exited with status $rc"; fi
  log "$(basename "$1" .pid) (route $2) $how before every host answered SSH${line:+; the kernel logged: ${line#*] }}"
  return $crashed
}

# Returns 0 once every host answers SSH, 1 at the deadline, 2 as soon as a process the boot needs was
# killed by a signal (worth another boot), 3 when it ended otherwise (the guest powered off, a setup
# failure that another boot would repeat).
wait_for_ssh() { # <route>
  local route=$1 deadline=$((SECONDS + BOOT_TIMEOUT)) pending h f rc
  pending=$(host_names)
  while [ -n "$pending" ]; do
    for f in $("${route}_boot_pidfiles"); do
      # The shell reaps a child that died (its /proc entry goes), so pid_alive tells.
      pid_alive "$f" && continue
      if report_boot_death "$f" "$route"; then rc=2; else rc=3; fi
      # The console of the host whose kernel died (uml), else of the first host still waiting.
      h=$(basename "$f" .pid)
      host_names | grep -qx "$h" || h=$(set -- $pending; echo "$1")
      log "last console lines:"
      "${route}_console_tail" "$h" >&2 || true
      return $rc
    done
    local still=""
    for h in $pending; do
      # shellcheck disable=SC2046
      ssh $(ssh_opts) -p "$(host_port "$h")" root@127.0.0.1 true 2>/dev/null || still+=" $h"
    done
    pending=$still
    [ -z "$pending" ] && break
    if [ $SECONDS -ge $deadline ]; then
      for h in $pending; do log "$h did not answer SSH; last console lines:"; "${route}_console_tail" "$h" >&2 || true; done
      return 1
    fi
    sleep 2
  done
}

# Boots every host by <route> and waits for SSH. A boot whose emulator crashed (killed by a signal) is
# tried again from clean.
boot_hosts() { # <route>
  local route=$1 attempt=1 again="" rc
  while :; do
    # Leftovers of a lab that died without `lab down`, or of the boot before.
    lab_down_quiet
    mkdir -p "$LAB_RUN"
    echo "$route" > "$LAB_RUN/route"
    echo "$route" > "$LAB_CACHE/last-route-$LAB_NAME"
    choose_ports
    BOOT_UPTIME=$(cut -d' ' -f1 /proc/uptime)
    "${route}_start"
    log "booting $(host_names | wc -l) hosts ($LAB_NS, route $route$again)"
    if wait_for_ssh "$route"; then return 0; else rc=$?; fi
    lab_down_quiet
    [ "$rc" -ne 1 ] || die "the lab did not come up within $BOOT_TIMEOUT s (route $route; LAB_BOOT_TIMEOUT raises the limit)"
    [ "$rc" -ne 3 ] || die "a process the lab's boot needs ended before every host answered SSH (route $route): see the console lines above"
    [ "$attempt" -lt "$BOOT_ATTEMPTS" ] || die "the lab's emulator died in each of $BOOT_ATTEMPTS boots (route $route; see above; LAB_BOOT_ATTEMPTS raises the limit)"
    attempt=$((attempt + 1))
    again=", boot $attempt of $BOOT_ATTEMPTS"
  done
}

lab_up() {
  if lab_running; then
    if [ "${LAB_BACKEND:-auto}" = auto ] || [ "$LAB_BACKEND" = "$(running_route)" ]; then
      log "lab $LAB_NS is already up (route $(running_route))"
      return 0
    fi
    log "lab $LAB_NS is up on route $(running_route), LAB_BACKEND=$LAB_BACKEND: restarting it"
    lab_down_quiet
  fi
  local route
  route=$(choose_route)
  lab_build
  local started=$SECONDS
  boot_hosts "$route"
  log "lab up in $((SECONDS - started)) s (route $route)"
  lab_status
}
