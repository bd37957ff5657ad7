# Sourced by every bash entry point (scripts/, lab/, .ci/run): a command that fails under `set -e`
# never ends the script silently. The user sees the command, its exit status, the file and line, and
# what to do next ($ERR_HINT, set by the entry point). TRACE=1 prints every command as it runs.
# An interactive shell that sources scripts/env.sh is left as it is.
case $- in *i*) return 0 ;; esac
set -E
[ "${TRACE:-}" = 1 ] && set -x

report_failure() { # <status> <command> <file> <line>
  # A failure inside a subshell or $(...) is reported once, by the line of the caller that ran it.
  [ "$BASHPID" = "$$" ] || return 0
  local file=$3
  [ -n "${REPO_ROOT:-}" ] && file=${file#"$REPO_ROOT"/}
  printf '%s ERROR: `%s` failed (exit status %s) at %s:%s\n' "${ERR_PREFIX:-[error]}" "$2" "$1" "$file" "$4" >&2
  printf '%s %s\n' "${ERR_PREFIX:-[error]}" "${ERR_HINT:-See the output above for the cause; run again with TRACE=1 to see every command.}" >&2
}
trap 'report_failure $? "$BASH_COMMAND" "${BASH_SOURCE[0]:-$0}" "$LINENO"' ERR
