# The "qemu" route: one QEMU guest, under software emulation (TCG: /dev/kvm here boots only PVM
# guests), runs Debian's amd64 kernel from the image. Its first process, image/usr/local/sbin/lab-guest,
# plays the lab namespace (bridges, routers, package repository) and boots every host as a
# systemd-nspawn container of the same image, each in its own network namespace. QEMU's user network
# (restrict=on: no way out) forwards each host's 127.0.0.1 port to the guest, which passes it on to the
# host's sshd. The guest reads its plan from $LAB_RUN/guest (a 9p share), where the hosts' consoles go.

QEMU_MEM=${LAB_QEMU_MEM:-4096}
QEMU_SMP=${LAB_QEMU_SMP:-$(nproc)}
# Inside the guest, host N's SSH is forwarded from port GUEST_PORT_BASE+N.
GUEST_PORT_BASE=2200

qemu_plan() {
  local seg idx=1 name role nics gw gw6 i macs
  for seg in "${SEGMENTS[@]}"; do echo "segment $seg ${SEGMENT_ADDRS[$seg]}"; done
  echo "repo $LAB_REPO_ADDR $LAB_REPO_PORT"
  while IFS=$'\t' read -r name role nics gw gw6; do
    i=0 macs=()
    for seg in $(host_segments "$nics"); do macs+=("$seg@$(host_mac "$idx" "$i")"); i=$((i + 1)); done
    echo "host $name $((GUEST_PORT_BASE + idx)) $(host_mgmt_addr "$name") $(IFS=,; echo "${macs[*]}") -- $(host_words "$name" "$role" "$nics" "$gw" "$gw6")"
    idx=$((idx + 1))
  done < <(hosts)
}

qemu_start() {
  ensure_machine_packages $QEMU_PACKAGES
  local guest="$LAB_RUN/guest" idx=1 name fwds=""
  mkdir -p "$guest"
  qemu_plan > "$guest/plan"
  for name in $(host_names); do
    fwds+=",hostfwd=tcp:127.0.0.1:$(host_port "$name")-:$((GUEST_PORT_BASE + idx))"
    idx=$((idx + 1))
  done
  # -nodefaults: no VGA, no default NIC, no option ROMs to look for.
  setsid qemu-system-x86_64 -name "lvslab-$LAB_NAME" \
    -accel tcg,thread=multi,tb-size=256 -cpu max -smp "$QEMU_SMP" -m "$QEMU_MEM" \
    -nodefaults -display none -no-reboot \
    -kernel "$(readlink -f "$LAB_CACHE/kernel")/vmlinuz" -initrd "$(readlink -f "$LAB_CACHE/kernel")/initrd.img" \
    -append "root=/dev/vda ro console=ttyS0 net.ifnames=0 panic=-1 quiet init=/usr/local/sbin/lab-guest" \
    -drive "file=$(readlink -f "$LAB_CACHE/image.ext4"),if=virtio,format=raw,readonly=on" \
    -virtfs "local,path=$guest,mount_tag=lab,security_model=none" \
    -virtfs "local,path=$(readlink -f "$LAB_CACHE/repo"),mount_tag=repo,security_model=none,readonly=on" \
    -netdev "user,id=net0,restrict=on$fwds" -device virtio-net-pci,netdev=net0,romfile= \
    -serial "file:$LAB_RUN/guest.console" > "$LAB_RUN/qemu.log" 2>&1 < /dev/null &
  record_pid $! "$LAB_RUN/qemu.pid"
}

qemu_console_tail() { # <host>
  tail -n 5 "$LAB_RUN/guest/$1.console" 2>/dev/null || true
  tail -n 3 "$LAB_RUN/guest.console" "$LAB_RUN/qemu.log" 2>/dev/null || true
}
qemu_main_pidfile() { echo "$LAB_RUN/qemu.pid"; }
# The processes that must live while the hosts boot.
qemu_boot_pidfiles() { echo "$LAB_RUN/qemu.pid"; }
