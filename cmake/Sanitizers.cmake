# Sanitizer and fuzzing builds. Both are off by default and meant for their own
# build directories (deploy/sanitize-test.sh uses build-fuzz, or build-asan for
# its GCC fallback).
#
#   REMOTEK_SANITIZE=ON  everything (libraries, tests, server) is compiled and
#                        linked with AddressSanitizer + UndefinedBehaviorSanitizer;
#                        any UB report is fatal (-fno-sanitize-recover). GCC or clang.
#   REMOTEK_FUZZ=ON      adds the libFuzzer targets under tests/fuzz (CTest label
#                        `fuzz`). Needs clang: every library gets coverage
#                        instrumentation (-fsanitize=fuzzer-no-link; kernels
#                        excepted, see sanitizer_coverage_ignorelist.txt) plus
#                        ASan and UBSan; under another compiler the targets are
#                        skipped. deploy/sanitize-test.sh runs the unit,
#                        integration and conformance suites in this build too.
#
# Both use -O1 with line tables (-g1) so reports name file:line without the cost
# of full debug info.
option(REMOTEK_SANITIZE "Build with -fsanitize=address,undefined" OFF)
option(REMOTEK_FUZZ "Build the libFuzzer targets (clang only)" OFF)

set(REMOTEK_SANITIZER_FLAGS
  -fsanitize=address,undefined -fno-sanitize-recover=undefined
  -fno-omit-frame-pointer -g1)

set(REMOTEK_FUZZ_ENABLED OFF)
if(REMOTEK_FUZZ)
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    set(REMOTEK_FUZZ_ENABLED ON)
    add_compile_options(-fsanitize=fuzzer-no-link ${REMOTEK_SANITIZER_FLAGS}
      -fsanitize-coverage-ignorelist=${CMAKE_CURRENT_LIST_DIR}/sanitizer_coverage_ignorelist.txt)
    add_link_options(-fsanitize=address,undefined)
    message(STATUS "REMOTEK_FUZZ: libFuzzer targets enabled (${CMAKE_CXX_COMPILER})")
  else()
    message(STATUS "REMOTEK_FUZZ: libFuzzer needs clang, this is "
                   "${CMAKE_CXX_COMPILER_ID}: fuzz targets are not built "
                   "(configure with CC=clang-14 CXX=clang++-14)")
  endif()
elseif(REMOTEK_SANITIZE)
  add_compile_options(${REMOTEK_SANITIZER_FLAGS})
  add_link_options(-fsanitize=address,undefined)
  message(STATUS "REMOTEK_SANITIZE: building with ASan + UBSan")
endif()

# Plugins link with -Wl,--no-undefined (backend/plugin/CMakeLists.txt). clang
# links its sanitizer runtimes statically into executables only, so a
# sanitized shared library leaves the runtime's symbols (__asan_*, __ubsan_*,
# __sanitizer_cov_*) undefined; the executable that dlopens it exports them.
# GCC links the shared libasan/libubsan into the library, so the check stays.
set(REMOTEK_MODULE_NO_UNDEFINED -Wl,--no-undefined)
if((REMOTEK_FUZZ_ENABLED OR REMOTEK_SANITIZE) AND CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  set(REMOTEK_MODULE_NO_UNDEFINED)
endif()

if(REMOTEK_FUZZ_ENABLED OR REMOTEK_SANITIZE)
  # -O1 keeps sanitized tests fast enough while stacks stay readable.
  foreach(config RELEASE RELWITHDEBINFO)
    string(REPLACE "-O3" "-O1" CMAKE_C_FLAGS_${config} "${CMAKE_C_FLAGS_${config}}")
    string(REPLACE "-O3" "-O1" CMAKE_CXX_FLAGS_${config} "${CMAKE_CXX_FLAGS_${config}}")
    string(REPLACE "-O2" "-O1" CMAKE_C_FLAGS_${config} "${CMAKE_C_FLAGS_${config}}")
    string(REPLACE "-O2" "-O1" CMAKE_CXX_FLAGS_${config} "${CMAKE_CXX_FLAGS_${config}}")
  endforeach()
endif()
