# `lab up`: the lab's namespace and bridges, its package repository, one UML kernel per host, and a
# 127.0.0.1 forwarder per host to its sshd. Every process it starts has a PID file in $LAB_RUN.

BOOT_TIMEOUT=${LAB_BOOT_TIMEOUT:-240}
HOST_MEM=${LAB_HOST_MEM:-256M}

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

make_network() {
  ip netns add "$LAB_NS"
  ip -n "$LAB_NS" link set lo up
  ip netns exec "$LAB_NS" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
  local seg a
  for seg in "${SEGMENTS[@]}"; do
    ip -n "$LAB_NS" link add "br-$seg" type bridge
    # Multicast snooping would drop VRRP adverts until a querier shows up.
    ip -n "$LAB_NS" link set "br-$seg" type bridge mcast_snooping 0
    ip -n "$LAB_NS" link set "br-$seg" up
    for a in ${SEGMENT_ADDRS[$seg]}; do ip -n "$LAB_NS" addr add "$a" dev "br-$seg" nodad 2>/dev/null || ip -n "$LAB_NS" addr add "$a" dev "br-$seg"; done
  done
}

start_repo() {
  setsid ip netns exec "$LAB_NS" python3 -m http.server --bind "$LAB_REPO_ADDR" --directory "$LAB_CACHE/repo/" "$LAB_REPO_PORT" \
    > "$LAB_RUN/repo.log" 2>&1 < /dev/null &
  record_pid $! "$LAB_RUN/repo.pid"
}

start_host() { # <index> <name> <role> <nics> <gw> <gw6>
  local idx=$1 name=$2 role=$3 nics=$4 gw=$5 gw6=$6 i=0 spec nic seg tap args=() cmdline_nics=()
  for spec in ${nics//,/ }; do
    nic=${spec%%@*} seg=${spec#*@}; seg=${seg%%=*}
    tap="$name-$i"
    ip -n "$LAB_NS" tuntap add dev "$tap" mode tap
    ip -n "$LAB_NS" link set "$tap" master "br-$seg" up
    args+=("vec$i:transport=tap,ifname=$tap,gro=1,mac=$(printf '02:1b:%02x:00:%02x:%02x' "$i" "$idx" "$i")")
    cmdline_nics+=("$nic=${spec#*=}")
    i=$((i + 1))
  done
  local machine_id cmdline
  machine_id=$(printf '%s-%s' "$LAB_ID" "$name" | md5sum | cut -c1-32)
  cmdline="lab.host=$name lab.role=$role lab.nics=$(IFS=,; echo "${cmdline_nics[*]}")"
  [ "$gw" != "-" ] && cmdline+=" lab.gw=$gw"
  [ "$gw6" != "-" ] && cmdline+=" lab.gw6=$gw6"
  rm -f "$LAB_RUN/$name.cow"
  # UML keeps guest memory in a file under TMPDIR: keep it in RAM.
  TMPDIR=/dev/shm setsid ip netns exec "$LAB_NS" linux \
    "ubd0=$LAB_RUN/$name.cow,$(readlink -f "$LAB_CACHE/image.ext4")" root=/dev/ubda rw "mem=$HOST_MEM" \
    init=/lib/systemd/systemd "systemd.machine_id=$machine_id" con=null con0=null,fd:1 \
    "${args[@]}" $cmdline > "$LAB_RUN/$name.console" 2>&1 < /dev/null &
  record_pid $! "$LAB_RUN/$name.pid"
}

start_forwarder() { # <name>
  local name=$1 port addr
  port=$(host_port "$name") addr=$(host_mgmt_addr "$name")
  setsid socat "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork" \
    "EXEC:ip netns exec $LAB_NS socat STDIO TCP\:$addr\:22" > "$LAB_RUN/$name.fwd.log" 2>&1 < /dev/null &
  record_pid $! "$LAB_RUN/$name.fwd.pid"
}

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
      for h in $pending; do log "$h did not answer SSH; last console lines:"; tail -n 5 "$LAB_RUN/$h.console" >&2; done
      return 1
    fi
    sleep 2
  done
}

lab_up() {
  if lab_running; then
    log "lab $LAB_NS is already up"
    return 0
  fi
  lab_build
  # Leftovers of a lab that died without `lab down`.
  lab_down_quiet
  mkdir -p "$LAB_RUN"
  local started=$SECONDS idx=1 name role nics gw gw6
  choose_ports
  make_network
  start_repo
  while IFS=$'\t' read -r name role nics gw gw6; do
    start_host "$idx" "$name" "$role" "$nics" "$gw" "$gw6"
    start_forwarder "$name"
    idx=$((idx + 1))
  done < <(hosts)
  log "booting $(host_names | wc -l) hosts ($LAB_NS)"
  if ! wait_for_ssh; then
    lab_down_quiet
    die "the lab did not come up within $BOOT_TIMEOUT s"
  fi
  log "lab up in $((SECONDS - started)) s"
  lab_status
}
