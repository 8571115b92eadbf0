# remotek_add_test(NAME name SOURCES a.cc ... LIBS lib ... LABELS unit [TIMEOUT s])
# Declares one GoogleTest executable and registers it with CTest under its label.
function(remotek_add_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} remotek::test_support GTest::gmock_main)
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  add_test(NAME ${T_NAME} COMMAND ${T_NAME})
  set_tests_properties(${T_NAME} PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT})
endfunction()

# remotek_add_benchmark(NAME name SOURCES ... LIBS ...): Google Benchmark binary, never a test.
function(remotek_add_benchmark)
  cmake_parse_arguments(B "" "NAME" "SOURCES;LIBS" ${ARGN})
  add_executable(${B_NAME} ${B_SOURCES})
  target_link_libraries(${B_NAME} PRIVATE ${B_LIBS} benchmark::benchmark)
endfunction()

# Kernel-heavy targets get the measured SIMD flags.
function(remotek_kernel_flags target)
  if(REMOTEK_AVX2 AND CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
    target_compile_options(${target} PRIVATE -mavx2 -mfma)
  endif()
endfunction()
