# `lab ssh <host> [-- command...]`: a shell or one command on a lab host, as root.
lab_ssh() {
  local host=${1:-}
  [ -n "$host" ] || die "usage: lab ssh <host> [-- command...]"
  [ -n "$(host_field "$host" 1)" ] || die "no host '$host' in the lab (hosts: $(host_names | tr '\n' ' '))"
  lab_running || die "the lab is not running (npm run lab -- up)"
  shift
  [ "${1:-}" = "--" ] && shift
  # shellcheck disable=SC2046
  exec ssh $(ssh_opts) -p "$(host_port "$host")" root@127.0.0.1 "$@"
}
