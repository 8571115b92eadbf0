# Integration tests of the C++ client library (and the streaming RPCs through
# it): each starts a real remotek-server on 127.0.0.1:0 through ServerProcess.
set(REMOTEK_CLIENT_TEST_LIBS remotek::client remotek::server_process remotek::proto)
foreach(test_name client_session_test client_graph_test client_concurrency_test streaming_test)
  remotek_add_test(NAME ${test_name}
    SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/${test_name}.cc
    LIBS ${REMOTEK_CLIENT_TEST_LIBS}
    LABELS integration
    TIMEOUT 120)
endforeach()
# client_session_test also runs the worked example against its server.
target_compile_definitions(client_session_test PRIVATE
  REMOTEK_EXAMPLE_PATH="$<TARGET_FILE:remotek-example>")
add_dependencies(client_session_test remotek-example)
# Gradients over the wire and remote training (C++ optimizers, the
# remotek-train-mlp example).
remotek_add_test(NAME client_training_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/client_training_test.cc
  LIBS ${REMOTEK_CLIENT_TEST_LIBS}
  LABELS integration
  TIMEOUT 120)
target_compile_definitions(client_training_test PRIVATE
  REMOTEK_TRAIN_MLP_PATH="$<TARGET_FILE:remotek-train-mlp>")
add_dependencies(client_training_test remotek-train-mlp)
