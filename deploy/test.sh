#!/usr/bin/env bash
# Install dependencies, build everything, run every test (labels: unit,
# integration, conformance, soak), then the sanitizer and fuzz run
# (deploy/sanitize-test.sh: the unit, integration and conformance suites
# under ASan+UBSan and the libFuzzer targets, in build-fuzz).
# REMOTEK_SANITIZE_TESTS=0 skips that second part (about 21 minutes cold on
# 2 cores). Exit status: non-zero when either part failed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/install-deps.sh
bash deploy/build.sh -DREMOTEK_BUILD_TESTS=ON -DREMOTEK_BUILD_BENCHMARKS=ON
status=0
( cd "${BUILD_DIR:-build}" && ctest --output-on-failure -j 2 --timeout 600 ) || status=1
if [[ ${REMOTEK_SANITIZE_TESTS:-1} != 0 ]]; then
  bash deploy/sanitize-test.sh || status=1
fi
exit $status
