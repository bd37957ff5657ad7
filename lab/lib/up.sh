# `lab up`: chooses the route (lab/lib/route.sh), gives the lab a block of 127.0.0.1 ports, boots
# every host of the topology by that route (lab/lib/uml.sh or lab/lib/qemu.sh), and waits until all
# answer SSH. Every process it starts on the machine has a PID file in $LAB_RUN.

BOOT_TIMEOUT=${LAB_BOOT_TIMEOUT:-300}

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

wait_for_ssh() {
  local deadline=$((SECONDS + BOOT_TIMEOUT)) pending h
  pending=$(host_names)
  while [ -n "$pending" ]; do
    local still=""
    for h in $pending; do
      # shellcheck disable=SC2046
      ssh $(ssh_opts) -p "$(host_port "$h")" root@127.0.0.1 true 2>/dev/null || still+=" $h"
    done
    pending=$still
    [ -z "$pending" ] && break
    if [ $SECONDS -ge $deadline ]; then
      for h in $pending; do log "$h did not answer SSH; last console lines:"; "$(running_route)_console_tail" "$h" >&2 || true; done
      return 1
    fi
    sleep 2
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
  # Leftovers of a lab that died without `lab down`.
  lab_down_quiet
  mkdir -p "$LAB_RUN"
  echo "$route" > "$LAB_RUN/route"
  echo "$route" > "$LAB_CACHE/last-route-$LAB_NAME"
  local started=$SECONDS
  choose_ports
  "${route}_start"
  log "booting $(host_names | wc -l) hosts ($LAB_NS, route $route)"
  if ! wait_for_ssh; then
    lab_down_quiet
    die "the lab did not come up within $BOOT_TIMEOUT s (route $route; LAB_BOOT_TIMEOUT raises the limit)"
  fi
  log "lab up in $((SECONDS - started)) s (route $route)"
  lab_status
}
