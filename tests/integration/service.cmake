# Service tests: the bad-request catalogue against a real remotek-server
# (integration), and unit tests of server/ pieces that need no server process.
remotek_add_test(NAME bad_requests_test LABELS integration TIMEOUT 120
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/bad_requests_test.cc
  LIBS remotek::server_process remotek::proto absl::flat_hash_map)

set(REMOTEK_SERVER_UNIT_DIR ${PROJECT_SOURCE_DIR}/tests/unit/server)
remotek_add_test(NAME server_unit_test LABELS unit TIMEOUT 60
  SOURCES ${REMOTEK_SERVER_UNIT_DIR}/status_mapping_test.cc
          ${REMOTEK_SERVER_UNIT_DIR}/tensor_codec_test.cc
          ${REMOTEK_SERVER_UNIT_DIR}/session_manager_test.cc
  LIBS remotek::server)
