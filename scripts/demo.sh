#!/usr/bin/env bash
# `npm run demo`: from a fresh clone to traffic through a VIP.
#   1. the Pulumi toolchain (scripts/setup-toolchain.sh) and the lab (lab/lab.sh up)
#   2. a real `pulumi up` of examples/lab-dr (the repo's Pulumi.yaml) on the local stack "lab"
#   3. requests from the lab's client host to the VIP, counted per real server, beside the weights
set -euo pipefail
ERR_PREFIX="[demo]"
ERR_HINT="See the lines above for the cause; once it is fixed, \`npm run demo\` picks up where it stopped (TRACE=1 prints every step)."
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"
STACK=${DEMO_STACK:-lab}
VIP=10.201.0.100
REQUESTS=${DEMO_REQUESTS:-300}

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "Pulumi toolchain"
bash scripts/setup-toolchain.sh

step "The lab (two directors, real servers, a client)"
bash lab/lab.sh up

step "Stack '$STACK' pointed at the lab"
pulumi stack select --create "$STACK" >/dev/null
pulumi config set lab:hosts "$(bash lab/lab.sh status --json)"
pulumi config set --secret lab:privateKey < "$REPO_ROOT/.cache/lab/keys/id_ed25519"
if ! pulumi config get vrrpPassword >/dev/null 2>&1; then
  # A fresh random VRRP password (8 characters, keepalived's limit), through stdin, stored encrypted.
  head -c 64 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 8 | pulumi config set --secret vrrpPassword
fi

step "pulumi up (examples/lab-dr: LvsDirectorPair + 3 RealServers + VirtualService 'web', DR mode, wrr)"
pulumi up --yes --skip-preview

step "$REQUESTS requests from the lab's client to http://$VIP/"
result=$(bash lab/lab.sh ssh client -- lab-client http "http://$VIP/" --count "$REQUESTS")
weights=$(pulumi stack output weightsByServer --json)
node -e '
const res = JSON.parse(process.argv[1]), weights = JSON.parse(process.argv[2]);
const total = Object.values(weights).reduce((a, b) => a + b, 0);
console.log("real server  weight  answers  share   expected");
for (const name of Object.keys(weights).sort()) {
  const n = res.answers[name] || 0;
  console.log(`${name.padEnd(11)}  ${String(weights[name]).padStart(6)}  ${String(n).padStart(7)}  ${(100 * n / res.sent).toFixed(1).padStart(5)}%  ${(100 * weights[name] / total).toFixed(1).padStart(6)}%`);
}
console.log(`failed requests: ${res.failures} of ${res.sent}`);
' "$result" "$weights"

cat <<EOF

What next (run \`source scripts/env.sh\` first, in $REPO_ROOT):
  pulumi config set --path weights.rs1 5 && pulumi preview --diff    # see the keepalived line that changes
  pulumi up                                                          # applied with a reload, no dropped request
  npm run lab -- ssh dir1 -- ipvsadm -Ln                             # the IPVS table on the master
  pulumi destroy                                                     # everything back as it was
  npm run lab -- down                                                # stop the lab
EOF
