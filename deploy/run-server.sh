#!/usr/bin/env bash
# Quick start: install dependencies, build, and run remotek-server on the
# default eigen backend. Extra arguments go to the server
# (e.g. --address=127.0.0.1:50051).
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/install-deps.sh
bash deploy/build.sh -DREMOTEK_BUILD_TESTS=OFF -DREMOTEK_BUILD_BENCHMARKS=OFF
exec "${BUILD_DIR:-build}/server/remotek-server" --backend=eigen "$@"
