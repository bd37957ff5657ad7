#!/usr/bin/env bash
# Debian's ansible package, the bench's peer, installed on this machine when missing.
set -euo pipefail
dpkg-query -W -f='${Status}' ansible 2>/dev/null | grep -q "install ok installed" && exit 0
echo "[bench] installing Debian's ansible package (the peer the bench compares with)"
apt-get update -q >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ansible >/dev/null
