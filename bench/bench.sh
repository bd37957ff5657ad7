#!/usr/bin/env bash
# `npm run bench`: pulumi-lvs against Ansible on the lab (bench/run.ts). Installs what it needs on first
# use: the Pulumi toolchain, Debian's ansible package, and a lab of its own (LAB_NAME=bench), which it
# leaves running (`LAB_NAME=bench npm run lab -- down` stops it).
set -euo pipefail
ERR_PREFIX="[bench]"
ERR_HINT="See the lines above for the cause; \`npm run bench\` starts again from the beginning (TRACE=1 prints every step)."
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/env.sh"
cd "$REPO_ROOT"
export LAB_NAME=${LAB_NAME:-bench}

bash scripts/setup-toolchain.sh
bash bench/ensure-ansible.sh
bash lab/lab.sh ensure
exec npx tsx bench/run.ts "$@"
