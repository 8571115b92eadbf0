// Starts a real remotek-server as a child process on 127.0.0.1:0, reads the
// port it chose from its start-up line, and stops it (SIGTERM, then SIGKILL).
//
//   ServerProcess server = ServerProcess::Start({"--threads=2"}).value();
//   auto stub = remotek::v1::RemoteK::NewStub(server.Channel());
//
// With Options::capture_stderr the server's stderr (its JSON event lines,
// the metrics line) is kept for the test to read instead of being passed
// through; with --metrics_address among the arguments it also implies
// capture and metrics_port() gives the port from the server's
// "metrics on http://HOST:PORT/metrics" line.
//
// REMOTEK_TEST_SERVER_ARGS (space-separated) in the environment is appended
// to every server's arguments, e.g. to run a benchmark with metrics on.
#ifndef REMOTEK_TESTS_SUPPORT_SERVER_PROCESS_H_
#define REMOTEK_TESTS_SUPPORT_SERVER_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/channel.h"

namespace remotek::testing {

class ServerProcess {
 public:
  // `binary` defaults to the remotek-server built beside the tests
  // (REMOTEK_SERVER_PATH). Waits up to 20 s for the start-up line.
  static absl::StatusOr<std::unique_ptr<ServerProcess>> Start(
      std::vector<std::string> extra_args = {}, std::string binary = "");

  struct Options {
    std::vector<std::string> args;  // after --address=127.0.0.1:0
    std::string binary;             // empty: REMOTEK_SERVER_PATH
    bool capture_stderr = false;
  };
  static absl::StatusOr<std::unique_ptr<ServerProcess>> Start(Options options);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  const std::string& startup_line() const { return startup_line_; }
  // The /metrics port; 0 unless started with --metrics_address.
  int metrics_port() const { return metrics_port_; }

  // Everything the server wrote on stderr so far (empty without capture).
  std::string StderrText() const;
  // Waits up to `timeout_ms` until StderrText() contains `needle`.
  bool WaitForStderr(const std::string& needle, int timeout_ms) const;
  // A channel with the large-transfer settings the clients use.
  std::shared_ptr<grpc::Channel> Channel() const;

  bool IsRunning() const;
  // Resident set size of the server process, from /proc/<pid>/status.
  int64_t ResidentBytes() const;
  // SIGTERM and wait; returns the exit status (or -signal).
  int Stop();

 private:
  ServerProcess() = default;
  pid_t pid_ = -1;
  int port_ = 0;
  int stdout_fd_ = -1;
  std::string startup_line_;
  int metrics_port_ = 0;
  // Capture: a thread reads the stderr pipe into stderr_ until EOF.
  std::thread stderr_reader_;
  mutable std::mutex stderr_mu_;
  std::string stderr_;
};

}  // namespace remotek::testing

#endif  // REMOTEK_TESTS_SUPPORT_SERVER_PROCESS_H_
