#!/usr/bin/env bash
# The local lab of real Linux hosts with IPVS: `npm run lab -- <verb>`.
#   build                 build the host image and package repository (cached; rebuilt when the recipe changes)
#   up                    build if needed, boot every host by the route that works here (LAB_BACKEND=auto|uml|qemu,
#                         see lib/route.sh), wait until all answer SSH
#   down                  stop everything `up` started and remove the lab's namespace and files
#   status [--json]       the route, the CPU, hosts, SSH endpoints, addresses
#   ssh <host> [-- cmd]   a shell or a command on a host
#   ensure                `up` unless the lab is already running (used by the tests)
#   route                 the route `up` would take on this machine (or the running lab's), and the CPU
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
for f in route build up uml qemu down status ssh; do source "$LAB_DIR/lib/$f.sh"; done

[ "$(id -u)" = 0 ] || die "the lab needs root (network namespaces, taps)"
verb=${1:-status}
shift || true
case $verb in
  build) lab_build ;;
  up) lab_up ;;
  down) lab_down ;;
  status) lab_status "$@" || exit 1 ;;  # not running: said so already
  ssh) lab_ssh "$@" ;;
  ensure) lab_running || lab_up >/dev/null ;;
  route) if lab_running; then echo "route: $(running_route) (running)"; echo "cpu: $(cpu_line)"; else echo "route: $(choose_route)"; fi ;;
  *) die "unknown verb '$verb' (build, up, down, status, ssh, ensure, route)" ;;
esac
