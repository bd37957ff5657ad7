#!/usr/bin/env bash
# `npm test`: the whole suite. Installs what it needs on first use (npm deps, the Pulumi toolchain,
# the lab), type-checks, then runs unit, toolchain and lab end-to-end tests in one mocha run.
# The end-to-end tests need the lab; when it cannot start, they are skipped and the output says why
# (under CI=true that fails the run).
set -euo pipefail
ERR_PREFIX="[test]"
ERR_HINT="See the lines above for the cause; \`npm test\` installs and starts what it needs again on the next run (TRACE=1 prints every step)."
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"

bash scripts/setup-toolchain.sh
echo "[test] type-checking (tsc --noEmit)"
npx tsc -p tsconfig.json --noEmit

specs=("test/unit/**/*.test.ts" "test/toolchain/**/*.test.ts")
# The end-to-end tests get a lab of their own, so a stack deployed by hand (npm run demo) is untouched.
export LAB_NAME=test
if [ -d test/e2e ]; then
  started_lab=0
  bash lab/lab.sh status >/dev/null 2>&1 || started_lab=1
  if bash lab/lab.sh ensure; then
    [ $started_lab = 1 ] && trap 'echo "[test] stopping the test lab"; bash lab/lab.sh down' EXIT
    specs+=("test/e2e/**/*.test.ts")
    echo "[test] lab $(bash lab/lab.sh route | tr '\n' ' ')"
  else
    printf '\n%s\n%s\n%s\n\n' "######## LAB END-TO-END TESTS SKIPPED ########" \
      "The lab could not start (see the lab output above), so nothing ran against real hosts." \
      "##############################################"
    [ "${CI:-}" = "true" ] && { echo "[test] CI requires the end-to-end tests: failing"; exit 1; }
  fi
fi

log=$(mktemp)
status=0
npx mocha "${specs[@]}" "$@" 2>&1 | tee "$log" || status=${PIPESTATUS[0]}
passed=$(grep -oE '^\s+[0-9]+ passing' "$log" | grep -oE '[0-9]+' | tail -n1 || true)
failed=$(grep -oE '^\s+[0-9]+ failing' "$log" | grep -oE '[0-9]+' | tail -n1 || true)
skipped=$(grep -oE '^\s+[0-9]+ pending' "$log" | grep -oE '[0-9]+' | tail -n1 || true)
rm -f "$log"
echo "${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
exit "$status"
