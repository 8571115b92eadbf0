#!/usr/bin/env bash
# Install dependencies, build everything, run every test (labels: unit,
# integration, conformance, soak).
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/install-deps.sh
bash deploy/build.sh -DREMOTEK_BUILD_TESTS=ON -DREMOTEK_BUILD_BENCHMARKS=ON
cd "${BUILD_DIR:-build}"
ctest --output-on-failure -j 2 --timeout 600
