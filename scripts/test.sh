#!/usr/bin/env bash
# `npm test`: the whole suite. Installs what it needs on first use (npm deps, the Pulumi toolchain,
# the lab), type-checks, then runs the unit and toolchain tests (while the lab starts), then the lab
# end-to-end tests.
# The end-to-end tests need the lab; when it cannot start, they are skipped and the output says why
# (under CI=true that fails the run).
set -euo pipefail
ERR_PREFIX="[test]"
ERR_HINT="See the lines above for the cause; \`npm test\` installs and starts what it needs again on the next run (TRACE=1 prints every step)."
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"

bash scripts/setup-toolchain.sh --languages python,go
echo "[test] type-checking (tsc --noEmit)"
npx tsc -p tsconfig.json --noEmit

# The end-to-end tests get a lab of their own, so a stack deployed by hand (npm run demo) is untouched.
# It builds and boots while the unit and toolchain tests run (they need neither).
export LAB_NAME=test
lab_pid="" lab_log=$(mktemp)
if [ -d test/e2e ]; then
  bash lab/lab.sh status >/dev/null 2>&1 || trap 'echo "[test] stopping the test lab"; bash lab/lab.sh down' EXIT
  # The unit tests' iptables comes from Debian's mirror: fetched before the lab's apt-get update runs beside them.
  npx tsx -e 'require("./test/helpers/iptables").iptablesBin()' || true
  echo "[test] starting the lab in the background (its output follows the unit tests)"
  # Then the bench's peer, Debian's ansible, so bench.test does not wait for it (it checks it again).
  {
    lab_rc=0
    bash lab/lab.sh ensure || lab_rc=$?
    [ ! -f test/e2e/bench.test.ts ] || bash bench/ensure-ansible.sh || echo "[test] ansible not installed ahead: bench.test will try"
    exit "$lab_rc"
  } > "$lab_log" 2>&1 & lab_pid=$!
fi

passed=0 failed=0 skipped=0 status=0
run_mocha() { # specs...: one mocha run, its counts added to the totals
  local log n
  log=$(mktemp)
  npx mocha "$@" "${MOCHA_ARGS[@]}" 2>&1 | tee "$log" || status=${PIPESTATUS[0]}
  n=$(grep -oE '^\s+[0-9]+ passing' "$log" | grep -oE '[0-9]+' | tail -n1 || true); passed=$((passed + ${n:-0}))
  n=$(grep -oE '^\s+[0-9]+ failing' "$log" | grep -oE '[0-9]+' | tail -n1 || true); failed=$((failed + ${n:-0}))
  n=$(grep -oE '^\s+[0-9]+ pending' "$log" | grep -oE '[0-9]+' | tail -n1 || true); skipped=$((skipped + ${n:-0}))
  rm -f "$log"
}
MOCHA_ARGS=("$@")
run_mocha "test/unit/**/*.test.ts" "test/toolchain/**/*.test.ts"

if [ -n "$lab_pid" ]; then
  lab_ok=1
  wait "$lab_pid" || lab_ok=0
  cat "$lab_log"
  if [ $lab_ok = 1 ]; then
    echo "[test] lab $(bash lab/lab.sh route | tr '\n' ' ')"
    run_mocha "test/e2e/**/*.test.ts"
  else
    printf '\n%s\n%s\n%s\n\n' "######## LAB END-TO-END TESTS SKIPPED ########" \
      "The lab could not start (see the lab output above), so nothing ran against real hosts." \
      "##############################################"
    [ "${CI:-}" = "true" ] && { echo "[test] CI requires the end-to-end tests: failing"; status=1; }
  fi
fi
rm -f "$lab_log"
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
