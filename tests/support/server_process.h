// Starts a real remotek-server as a child process on 127.0.0.1:0, reads the
// port it chose from its start-up line, and stops it (SIGTERM, then SIGKILL).
//
//   ServerProcess server = ServerProcess::Start({"--threads=2"}).value();
//   auto stub = remotek::v1::RemoteK::NewStub(server.Channel());
#ifndef REMOTEK_TESTS_SUPPORT_SERVER_PROCESS_H_
#define REMOTEK_TESTS_SUPPORT_SERVER_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <string>
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
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  const std::string& startup_line() const { return startup_line_; }
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
};

}  // namespace remotek::testing

#endif  // REMOTEK_TESTS_SUPPORT_SERVER_PROCESS_H_
