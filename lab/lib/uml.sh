# The "uml" route: on the machine, the lab's network namespace holds one bridge per segment (and the
# routers of the front and remote segments) and the package repository; each host is a user-mode-linux
# kernel with tap NICs on those bridges, reached through a forwarder on 127.0.0.1.

HOST_MEM=${LAB_HOST_MEM:-256M}

uml_make_network() {
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

uml_start_repo() {
  setsid ip netns exec "$LAB_NS" python3 -m http.server --bind "$LAB_REPO_ADDR" --directory "$LAB_CACHE/repo/" "$LAB_REPO_PORT" \
    > "$LAB_RUN/repo.log" 2>&1 < /dev/null &
  record_pid $! "$LAB_RUN/repo.pid"
}

uml_start_host() { # <index> <name> <role> <nics> <gw> <gw6>
  local idx=$1 name=$2 i=0 seg tap args=()
  for seg in $(host_segments "$4"); do
    tap="$name-$i"
    ip -n "$LAB_NS" tuntap add dev "$tap" mode tap
    ip -n "$LAB_NS" link set "$tap" master "br-$seg" up
    args+=("vec$i:transport=tap,ifname=$tap,gro=1,mac=$(host_mac "$idx" "$i")")
    i=$((i + 1))
  done
  rm -f "$LAB_RUN/$name.cow"
  # UML keeps guest memory in a file under TMPDIR: keep it in RAM.
  # shellcheck disable=SC2046
  TMPDIR=/dev/shm setsid ip netns exec "$LAB_NS" linux \
    "ubd0=$LAB_RUN/$name.cow,$(readlink -f "$LAB_CACHE/image.ext4")" root=/dev/ubda rw "mem=$HOST_MEM" \
    init=/lib/systemd/systemd con=null con0=null,fd:1 \
    "${args[@]}" $(host_words "$2" "$3" "$4" "$5" "$6") > "$LAB_RUN/$name.console" 2>&1 < /dev/null &
  record_pid $! "$LAB_RUN/$name.pid"
}

uml_start_forwarder() { # <name>
  local name=$1 port addr
  port=$(host_port "$name") addr=$(host_mgmt_addr "$name")
  setsid socat "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork" \
    "EXEC:ip netns exec $LAB_NS socat STDIO TCP\:$addr\:22" > "$LAB_RUN/$name.fwd.log" 2>&1 < /dev/null &
  record_pid $! "$LAB_RUN/$name.fwd.pid"
}

uml_start() {
  local idx=1 name role nics gw gw6
  uml_make_network
  uml_start_repo
  while IFS=$'\t' read -r name role nics gw gw6; do
    uml_start_host "$idx" "$name" "$role" "$nics" "$gw" "$gw6"
    uml_start_forwarder "$name"
    idx=$((idx + 1))
  done < <(hosts)
}

uml_console_tail() { tail -n 5 "$LAB_RUN/$1.console"; } # <host>
# The process whose life is the lab's.
uml_main_pidfile() { echo "$LAB_RUN/dir1.pid"; }
# The processes that must live while the hosts boot: every host's kernel.
uml_boot_pidfiles() { local h; for h in $(host_names); do echo "$LAB_RUN/$h.pid"; done; }
