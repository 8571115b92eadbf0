#!/usr/bin/env bash
# Sanitizer test run: builds the tree with AddressSanitizer + UndefinedBehavior-
# Sanitizer (REMOTEK_SANITIZE=ON, cmake/Sanitizers.cmake) in build-asan and runs
# the unit, integration and conformance tests under them; then builds the
# libFuzzer targets with clang (REMOTEK_FUZZ=ON) in build-fuzz and runs each for
# a bounded time on its seed corpus (CTest label `fuzz`).
#
#   bash deploy/sanitize-test.sh              # both parts
#   bash deploy/sanitize-test.sh --no-fuzz    # sanitized tests only
#   bash deploy/sanitize-test.sh --fuzz-only  # fuzz targets only
#
# Environment: ASAN_BUILD_DIR (build-asan), FUZZ_BUILD_DIR (build-fuzz),
# JOBS (2), LABELS ('unit|integration|conformance'), FUZZ_SECONDS (20, per
# target), FUZZ_CXX / FUZZ_CC (clang++-14 / clang-14), ASAN_CXX / ASAN_CC (the
# default compiler, GCC on Debian). Every `cmake --build` holds
# /tmp/remotek-build.lock (one chunk at a time, so other builds interleave).
# Needs (beyond deploy/install-deps.sh): clang-14 libclang-rt-14-dev for the
# fuzz part; without clang the fuzz part is skipped with a message.
# Exit status: non-zero when a build, a test or a fuzz run failed.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

RUN_TESTS=1
RUN_FUZZ=1
for arg in "$@"; do
  case "$arg" in
    --no-fuzz) RUN_FUZZ=0 ;;
    --fuzz-only) RUN_TESTS=0 ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "sanitize-test.sh: unknown argument $arg" >&2; exit 2 ;;
  esac
done

ASAN_BUILD_DIR=${ASAN_BUILD_DIR:-$ROOT/build-asan}
FUZZ_BUILD_DIR=${FUZZ_BUILD_DIR:-$ROOT/build-fuzz}
JOBS=${JOBS:-2}
LABELS=${LABELS:-unit|integration|conformance}
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
FUZZ_CXX=${FUZZ_CXX:-clang++-14}
FUZZ_CC=${FUZZ_CC:-clang-14}
LOCK=/tmp/remotek-build.lock
SUPP_DIR=$ROOT/tests/fuzz

# Our code is never suppressed; lsan.supp / ubsan.supp list only uninstrumented
# system libraries (see the comments in them). allocator_may_return_null=1:
# tests ask for multi-TiB tensors and expect RESOURCE_EXHAUSTED, as malloc gives
# outside ASan; by default ASan would abort on such a request instead.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:abort_on_error=0:print_stacktrace=1:strict_string_checks=1:detect_stack_use_after_return=0:check_initialization_order=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:suppressions=$SUPP_DIR/ubsan.supp}
# ASan's throwing operator new never throws std::bad_alloc: an impossible
# allocation (the 8 TiB double scratch of a huge initializer) aborts the process
# whatever allocator_may_return_null says. This one test asserts the
# production behaviour (RESOURCE_EXHAUSTED) and cannot pass under ASan.
export GTEST_FILTER=${GTEST_FILTER:--BadRequestsTest.HugeInitializersAreRefusedAndTheServerLives}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$SUPP_DIR/lsan.supp:print_suppressions=0}

status=0
seconds() { date +%s; }
log() { echo "== sanitize-test: $*"; }

# build DIR TARGET...: one locked `cmake --build` per target, at low priority.
build() {
  local dir=$1; shift
  local t
  for t in "$@"; do
    log "building $t in $dir"
    nice -n 10 flock "$LOCK" cmake --build "$dir" -j "$JOBS" --target "$t"
  done
}

if [[ $RUN_TESTS == 1 ]]; then
  t0=$(seconds)
  env ${ASAN_CC:+CC=$ASAN_CC} ${ASAN_CXX:+CXX=$ASAN_CXX} \
    cmake -S "$ROOT" -B "$ASAN_BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DREMOTEK_SANITIZE=ON -DREMOTEK_BUILD_TESTS=ON -DREMOTEK_BUILD_BENCHMARKS=OFF
  # Chunks: libraries first, then each test folder, then whatever is left.
  chunks=(backend/all proto/all server/all client/all tools/all)
  for d in tests/plugins tests/unit tests/conformance tests/integration tests/soak; do
    [[ -d $ROOT/$d ]] && chunks+=("$d/all")
  done
  chunks+=(all)
  build "$ASAN_BUILD_DIR" "${chunks[@]}"
  t1=$(seconds)
  log "ASan+UBSan build: $((t1 - t0)) s"
  ( cd "$ASAN_BUILD_DIR" && \
    ctest -L "$LABELS" --output-on-failure -j "$JOBS" --timeout 1200 ) || status=1
  t2=$(seconds)
  log "ASan+UBSan tests ($LABELS): $((t2 - t1)) s, status $status"
fi

if [[ $RUN_FUZZ == 1 ]]; then
  if ! command -v "$FUZZ_CXX" >/dev/null; then
    log "$FUZZ_CXX not found: skipping the fuzz targets (apt-get install clang-14 libclang-rt-14-dev)"
  else
    t0=$(seconds)
    CC=$FUZZ_CC CXX=$FUZZ_CXX \
      cmake -S "$ROOT" -B "$FUZZ_BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DREMOTEK_FUZZ=ON -DREMOTEK_BUILD_TESTS=ON -DREMOTEK_BUILD_BENCHMARKS=OFF \
        -DREMOTEK_FUZZ_SECONDS="$FUZZ_SECONDS"
    # The targets behind the `fuzz` tests (<target> and <target>_findings).
    mapfile -t fuzzers < <(cd "$FUZZ_BUILD_DIR" && ctest -N -L fuzz |
                             sed -n 's/^ *Test *#[0-9]*: \(.*_fuzzer\)$/\1/p')
    build "$FUZZ_BUILD_DIR" "${fuzzers[@]}"
    t1=$(seconds)
    log "fuzz build (${fuzzers[*]}): $((t1 - t0)) s"
    ( cd "$FUZZ_BUILD_DIR" && ctest -L fuzz --output-on-failure -j "$JOBS" ) || status=1
    t2=$(seconds)
    log "fuzz runs: $((t2 - t1)) s, status $status"
  fi
fi
exit $status
