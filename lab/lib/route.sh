# Which route boots the lab's hosts on this machine (LAB_BACKEND=auto|uml|qemu; auto by default):
#   uml   one user-mode-linux kernel per host (Debian 12's user-mode-linux): boots in seconds, but
#         panics on some CPUs (Intel Sapphire Rapids, with AMX: "ptrace set fp regs failed").
#   qemu  one QEMU guest under software emulation (TCG) running Debian 12's amd64 kernel, with every
#         host a systemd-nspawn container inside it: boots on any x86-64 CPU, in about a minute.
# Both boot the same image, serve the same package repository and give the same hosts, addresses
# and SSH endpoints. auto takes uml when a quick probe shows it boots here, else qemu.

cpu_model() { sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1; }
cpu_line() {
  local family model
  family=$(sed -n 's/^cpu family[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
  model=$(sed -n 's/^model[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
  printf '%s (family %s, model %s%s)\n' "$(cpu_model)" "$family" "$model" \
    "$(grep -qw amx_tile /proc/cpuinfo && echo ', AMX' || true)"
}

# Boots user-mode-linux on the machine's own root (hostfs, read-only) with /bin/true as init. A kernel
# that runs user space ends with init's exit status 0; on CPUs it cannot handle it dies as init
# starts (exitcode 0x0000000b). Prints the kernel's last words when it fails.
uml_probe() {
  local out
  command -v linux >/dev/null || { echo "user-mode-linux is not installed"; return 1; }
  out=$(cd / && TMPDIR=/dev/shm timeout 60 linux mem=64M rootfstype=hostfs rootflags=/ ro init=/bin/true \
        con=null con0=null,fd:1 2>&1 < /dev/null || true)
  grep -q 'Attempted to kill init! exitcode=0x00000000' <<< "$out" && return 0
  grep -m 2 -E 'fp regs|Kernel panic|errno' <<< "$out" | tr '\n' ' ' || echo "no output within 60 s"
  return 1
}

# Prints the route `lab up` uses now, with the reason on stderr.
choose_route() {
  local want=${LAB_BACKEND:-auto} why
  case $want in
    uml)
      ensure_machine_packages
      why=$(uml_probe) || die "LAB_BACKEND=uml, but user-mode-linux does not boot on this CPU ($(cpu_model)): $why. Use LAB_BACKEND=qemu (or auto)."
      log "route: uml (forced by LAB_BACKEND)" ;;
    qemu)
      log "route: qemu (forced by LAB_BACKEND)" ;;
    auto)
      ensure_machine_packages
      if why=$(uml_probe); then
        log "route: uml (user-mode-linux boots on this CPU; LAB_BACKEND=qemu forces the other route)"
        want=uml
      else
        log "route: qemu (user-mode-linux cannot boot on this CPU: $why)"
        want=qemu
      fi ;;
    *) die "LAB_BACKEND must be auto, uml or qemu, not '$want'" ;;
  esac
  log "cpu: $(cpu_line)"
  echo "$want"
}

# The route of the running lab (empty when it is not running).
running_route() { cat "$LAB_RUN/route" 2>/dev/null || true; }
