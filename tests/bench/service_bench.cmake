# service_benchmark: empty Echo vs a small eager op (RunOp add) against one
# remotek-server child process, at concurrency 1 and 16; prints op/echo ratios.
if(TARGET remotek::server_process)
  remotek_add_benchmark(NAME service_benchmark
    SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/service_benchmark.cc
    LIBS remotek::server_process remotek::proto Threads::Threads)
endif()
