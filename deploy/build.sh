#!/usr/bin/env bash
# Configures and builds RemoteK (Release) into ${BUILD_DIR:-build}. Two jobs by
# default: the reference machine has 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@"
cmake --build "$BUILD_DIR" -j "${JOBS:-2}"
