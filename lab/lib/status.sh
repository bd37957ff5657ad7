# `lab status [--json]`: every host with its SSH endpoint, whether it answers, and its addresses.

host_answers() { # shellcheck disable=SC2046
  ssh -n $(ssh_opts) -o ConnectTimeout=3 -p "$(host_port "$1")" root@127.0.0.1 true 2>/dev/null
}

status_json() {
  local first=1 name role nics gw gw6 spec seg addr a
  printf '['
  while IFS=$'\t' read -r name role nics gw gw6; do
    [ $first -eq 1 ] || printf ','
    first=0
    printf '\n  {"name": "%s", "role": "%s", "ssh": {"host": "127.0.0.1", "port": %s, "user": "root", "privateKeyPath": "%s"}, "addresses": [' \
      "$name" "$role" "$(host_port "$name")" "$LAB_KEY"
    local afirst=1
    for spec in ${nics//,/ }; do
      seg=${spec#*@}; seg=${seg%%=*}
      IFS=+ read -ra addrs <<< "${spec#*=}"
      for a in "${addrs[@]}"; do
        addr=${a%/*}
        [ $afirst -eq 1 ] || printf ', '
        afirst=0
        printf '{"segment": "%s", "interface": "%s", "address": "%s", "prefixLength": %s}' "$seg" "${spec%%@*}" "$addr" "${a#*/}"
      done
    done
    printf ']}'
  done < <(hosts)
  printf '\n]\n'
}

lab_status() {
  if ! lab_running; then
    [ "${1:-}" = "--json" ] && { echo "[]"; return 1; }
    log "lab $LAB_NS is not running (npm run lab -- up)"
    return 1
  fi
  if [ "${1:-}" = "--json" ]; then status_json; return 0; fi
  local name role nics gw gw6 state
  printf 'route: %s   cpu: %s\n\n' "$(running_route)" "$(cpu_line)"
  printf '%-7s %-9s %-17s %-5s %s\n' HOST ROLE SSH STATE ADDRESSES
  while IFS=$'\t' read -r name role nics gw gw6; do
    if host_answers "$name"; then state=up; else state=DOWN; fi
    printf '%-7s %-9s %-17s %-5s %s\n' "$name" "$role" "127.0.0.1:$(host_port "$name")" "$state" \
      "$(echo "$nics" | sed -E 's/@[a-z]+=/ /g; s/,/  /g; s/\+/ /g')"
  done < <(hosts)
  printf '\nkey: %s   users: root, ops (sudo)   lab package repository: http://%s:%s/ (inside the lab)\n' \
    "$LAB_KEY" "$LAB_REPO_ADDR" "$LAB_REPO_PORT"
}
