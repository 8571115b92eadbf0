# Service tests: the bad-request catalogue against a real remotek-server
# (integration), and unit tests of server/ pieces that need no server process.
remotek_add_test(NAME bad_requests_test LABELS integration TIMEOUT 120
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/bad_requests_test.cc
  LIBS remotek::server_process remotek::proto absl::flat_hash_map)

# The hostile-request catalogue (issue #6): a plain server and one with auth
# and every quota on; both must survive with sessions and memory unharmed.
remotek_add_test(NAME hostile_requests_test LABELS integration TIMEOUT 180
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/hostile_requests_test.cc
  LIBS remotek::server_process remotek::proto absl::flat_hash_map absl::strings)
# hardening_util.h (temp dirs, token files) names the server binary.
target_compile_definitions(hostile_requests_test PRIVATE
  REMOTEK_SERVER_PATH="$<TARGET_FILE:remotek-server>")

set(REMOTEK_SERVER_UNIT_DIR ${PROJECT_SOURCE_DIR}/tests/unit/server)
remotek_add_test(NAME server_unit_test LABELS unit TIMEOUT 60
  SOURCES ${REMOTEK_SERVER_UNIT_DIR}/status_mapping_test.cc
          ${REMOTEK_SERVER_UNIT_DIR}/tensor_codec_test.cc
          ${REMOTEK_SERVER_UNIT_DIR}/session_manager_test.cc
          ${REMOTEK_SERVER_UNIT_DIR}/auth_test.cc
          ${REMOTEK_SERVER_UNIT_DIR}/session_limits_test.cc
          ${REMOTEK_SERVER_UNIT_DIR}/metrics_test.cc
          ${REMOTEK_SERVER_UNIT_DIR}/metrics_http_server_test.cc
          ${REMOTEK_SERVER_UNIT_DIR}/event_log_test.cc
          ${REMOTEK_SERVER_UNIT_DIR}/session_events_test.cc
          ${REMOTEK_SERVER_UNIT_DIR}/chunk_assembly_test.cc
  LIBS remotek::server)

# External backends through a real server (the SDK test plugin as default,
# broken libraries refused at start-up).
remotek_add_test(NAME external_backend_test LABELS integration TIMEOUT 120
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/external_backend_test.cc
  LIBS remotek::client remotek::server_process absl::strings)
target_compile_definitions(external_backend_test PRIVATE
  REMOTEK_BACKEND_DIR="${REMOTEK_BACKEND_DIR}"
  REMOTEK_SERVER_PATH="$<TARGET_FILE:remotek-server>")
add_dependencies(external_backend_test remotek_test_plugins remotek-server)
if(TARGET remotek_onednn_plugin)
  target_compile_definitions(external_backend_test PRIVATE REMOTEK_HAVE_ONEDNN)
endif()

# grpc.health.v1, server reflection and graceful SIGTERM (Debian's python3).
if(TARGET remotek_python_stubs AND EXISTS /usr/bin/python3)
  add_test(NAME lifecycle_test
           COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/lifecycle_test.py -v)
  set_tests_properties(lifecycle_test PROPERTIES
    LABELS integration TIMEOUT 120
    ENVIRONMENT "REMOTEK_SERVER_BINARY=$<TARGET_FILE:remotek-server>;REMOTEK_PYTHON_STUBS=${REMOTEK_PYTHON_STUBS_DIR};PYTHONPATH=${PROJECT_SOURCE_DIR}/client/python;PYTHONDONTWRITEBYTECODE=1")
endif()
