#!/usr/bin/env bash
# The one place that installs RemoteK's build and run dependencies on Debian 12.
# Used by the README commands, .ci/run and the container build. Idempotent:
# packages already present are not fetched again.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev libeigen3-dev libopenblas-dev libdnnl-dev libssl-dev openssl
  libgtest-dev libgmock-dev libbenchmark-dev
  python3-grpcio python3-numpy python3-protobuf python3-pytest
  nginx yamllint  # deploy checks: session_affinity_test, yamllint_check
  clang-14 libclang-rt-14-dev  # deploy/sanitize-test.sh: ASan+UBSan and libFuzzer
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
else
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  # Packages with services (nginx) must not start them: the tests run their
  # own nginx, and a system one could fail the install on a busy port 80.
  # policy-rc.d exiting 101 is Debian's way to say "do not start services".
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
    $SUDO chmod 755 "$policy"
    trap '$SUDO rm -f "$policy"' EXIT
  fi
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# ---------------------------------------------------------------------------
# Node.js client (client/node) — appended section, owned by the Node client.
# Node 18+ runs the Node client's tests and the Node leg of the cross-language
# conformance test; its npm dependencies (@grpc/grpc-js, @grpc/proto-loader)
# are pinned by client/node/package-lock.json and installed with `npm ci`.
# Idempotent: `npm ci` is skipped while node_modules was installed from the
# same lock file (a stamp holding the lock file's sha256).
install_node_client_deps() {
  local node_dir
  node_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/client/node"
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "install-deps: installing nodejs npm"
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nodejs npm
  fi
  local stamp="$node_dir/node_modules/.remotek-npm-ci.sha256"
  local want
  want="$(sha256sum "$node_dir/package-lock.json" | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "install-deps: client/node/node_modules up to date"
    return 0
  fi
  echo "install-deps: npm ci in client/node"
  (cd "$node_dir" && npm ci --no-audit --no-fund)
  echo "$want" > "$stamp"
}
install_node_client_deps
