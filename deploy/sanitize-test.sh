#!/usr/bin/env bash
# Sanitizer and fuzz run (deploy/test.sh calls it after the normal tests, so
# .ci/run does too). One clang build in build-fuzz (-DREMOTEK_FUZZ=ON,
# cmake/Sanitizers.cmake) compiles every library, test and server with
# AddressSanitizer + UndefinedBehaviorSanitizer (+ libFuzzer coverage), so the
# same tree runs the unit, integration and conformance suites under the
# sanitizers AND the libFuzzer targets (CTest label `fuzz`: each target for a
# bounded time on its seed corpus, plus replays of tests/fuzz/findings).
#
#   bash deploy/sanitize-test.sh                 # unit|integration|conformance|fuzz
#   bash deploy/sanitize-test.sh --no-fuzz       # the sanitized suites only
#   bash deploy/sanitize-test.sh --fuzz-only     # builds and runs the fuzzers only
#   bash deploy/sanitize-test.sh --labels='unit' # any CTest label regex
#
# Without clang-14 (deploy/install-deps.sh installs it) it falls back to a GCC
# build with -DREMOTEK_SANITIZE=ON in build-asan and runs the suites without the
# fuzz label. The soak label is not run here: it measures resident memory and
# throughput, which ASan's shadow memory and slowdown make meaningless.
#
# Environment: SANITIZE_BUILD_DIR (build-fuzz, or build-asan for GCC), JOBS (2),
# LABELS (overrides the label regex), FUZZ_SECONDS (20, per fuzz target),
# CC / CXX (clang-14 / clang++-14; GCC forces the fallback). Every
# `cmake --build` holds /tmp/remotek-build.lock, one chunk at a time at nice 10,
# so other builds on the machine interleave. Nothing but build outputs is
# written outside the build directory.
# Exit status: non-zero when the build, any test or any fuzz run failed.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

LABELS_DEFAULT='unit|integration|conformance|fuzz'
for arg in "$@"; do
  case "$arg" in
    --no-fuzz) LABELS_DEFAULT='unit|integration|conformance' ;;
    --fuzz-only) LABELS_DEFAULT='fuzz' ;;
    --labels=*) LABELS=${arg#--labels=} ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *) echo "sanitize-test.sh: unknown argument $arg" >&2; exit 2 ;;
  esac
done
LABELS=${LABELS:-$LABELS_DEFAULT}
JOBS=${JOBS:-2}
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
CC=${CC:-clang-14}
CXX=${CXX:-clang++-14}
LOCK=/tmp/remotek-build.lock
SUPP_DIR=$ROOT/tests/fuzz

log() { echo "== sanitize-test: $*"; }
seconds() { date +%s; }

if command -v "$CXX" >/dev/null && "$CXX" --version | grep -q clang; then
  MODE=fuzz
  BUILD_DIR=${SANITIZE_BUILD_DIR:-$ROOT/build-fuzz}
  MODE_FLAGS=(-DREMOTEK_FUZZ=ON -DREMOTEK_SANITIZE=OFF -DREMOTEK_FUZZ_SECONDS="$FUZZ_SECONDS")
else
  log "$CXX is not clang (apt-get install clang-14 libclang-rt-14-dev):" \
      "GCC ASan+UBSan build, no fuzz targets"
  MODE=gcc
  command -v "$CXX" >/dev/null || unset CC CXX  # the default compiler
  BUILD_DIR=${SANITIZE_BUILD_DIR:-$ROOT/build-asan}
  MODE_FLAGS=(-DREMOTEK_SANITIZE=ON -DREMOTEK_FUZZ=OFF)
  LABELS=$(sed -e 's/|fuzz//; s/fuzz|//' <<<"$LABELS")
  if [[ $LABELS == fuzz ]]; then log "nothing to do without clang"; exit 0; fi
fi

# Our code is never suppressed; lsan.supp / ubsan.supp list only uninstrumented
# system libraries (see the comments in them). allocator_may_return_null=1:
# tests ask for multi-TiB tensors and expect RESOURCE_EXHAUSTED, as malloc gives
# outside ASan; by default ASan would abort on such a request instead.
# intercept_tls_get_addr=0: clang-14's runtime misreads glibc 2.36's dynamic TLS
# (a bogus DTLS range, 0x400000bdb-0x2800001cdd) of threads that touched a
# dlopen'd plugin's thread_locals, and LeakSanitizer's tracer then crashes at
# exit (plugin_conformance_test, dot/batch_dot through libonednn.so). Those
# blocks are still found through the thread's DTV. The fuzz tests set their
# own options (tests/fuzz/CMakeLists.txt).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:abort_on_error=0:print_stacktrace=1:strict_string_checks=1:detect_stack_use_after_return=0:check_initialization_order=1:allocator_may_return_null=1:intercept_tls_get_addr=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:suppressions=$SUPP_DIR/ubsan.supp}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$SUPP_DIR/lsan.supp:print_suppressions=0}

# build TARGET...: one locked `cmake --build` per target, at low priority;
# logs how long each waited for the lock (other builds) and took in all.
build() {
  local t start
  for t in "$@"; do
    start=$(seconds)
    nice -n 10 flock "$LOCK" bash -c \
      'echo "== sanitize-test: building $2 (waited $(($(date +%s) - $3)) s for the lock)"
       exec cmake --build "$1" -j "$4" --target "$2"' _ "$BUILD_DIR" "$t" "$start" "$JOBS"
    log "built $t: $(($(seconds) - start)) s"
  done
}

t0=$(seconds)
env ${CC:+CC=$CC} ${CXX:+CXX=$CXX} \
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DREMOTEK_BUILD_TESTS=ON -DREMOTEK_BUILD_BENCHMARKS=OFF "${MODE_FLAGS[@]}" >/dev/null

# What the selected labels need, in chunks (libraries first, then each test
# folder) so that other builds can take the lock in between. Benchmarks are
# off; tests/soak is built only when its label is asked for. server_unit_test
# (label unit) lives in tests/integration, so any suite label builds it.
if [[ $LABELS == fuzz ]]; then
  # Just the targets behind the fuzz tests (<target> and <target>_findings).
  mapfile -t chunks < <(cd "$BUILD_DIR" && ctest -N -L fuzz |
                          sed -n 's/^ *Test *#[0-9]*: \(.*_fuzzer\)$/\1/p')
else
  chunks=(backend/all proto/all server/all client/all tools/all tests/plugins/all)
  [[ unit =~ ^($LABELS)$ || integration =~ ^($LABELS)$ ]] &&
    chunks+=(tests/unit/all tests/integration/all)
  [[ conformance =~ ^($LABELS)$ ]] && chunks+=(tests/conformance/all)
  [[ soak =~ ^($LABELS)$ ]] && chunks+=(tests/soak/all)
  [[ $MODE == fuzz && fuzz =~ ^($LABELS)$ ]] && chunks+=(tests/fuzz/all)
fi
build "${chunks[@]}"
t1=$(seconds)
log "$MODE build (${chunks[*]}): $((t1 - t0)) s"

status=0
( cd "$BUILD_DIR" &&
  ctest -L "^($LABELS)\$" --no-tests=error --output-on-failure -j "$JOBS" --timeout 1200 ) ||
  status=1
t2=$(seconds)
log "tests (labels $LABELS): $((t2 - t1)) s, $([[ $status == 0 ]] && echo passed || echo FAILED)"
exit $status
