#include "tests/support/server_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "grpcpp/create_channel.h"

namespace remotek::testing {

namespace {

// "... metrics on http://HOST:PORT/metrics ..." -> PORT; 0 when absent.
int MetricsPortIn(const std::string& text) {
  const std::string marker = "metrics on http://";
  const size_t at = text.find(marker);
  if (at == std::string::npos) return 0;
  const size_t path = text.find("/metrics", at + marker.size());
  const size_t colon = text.rfind(':', path);
  int port = 0;
  if (path == std::string::npos || colon == std::string::npos || colon < at ||
      !absl::SimpleAtoi(text.substr(colon + 1, path - colon - 1), &port)) {
    return 0;
  }
  return port;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ServerProcess>> ServerProcess::Start(
    std::vector<std::string> extra_args, std::string binary) {
  Options options;
  options.args = std::move(extra_args);
  options.binary = std::move(binary);
  return Start(std::move(options));
}

absl::StatusOr<std::unique_ptr<ServerProcess>> ServerProcess::Start(Options options) {
  std::string binary = options.binary.empty() ? REMOTEK_SERVER_PATH : options.binary;
  std::vector<std::string> extra_args = options.args;
  if (const char* env = std::getenv("REMOTEK_TEST_SERVER_ARGS")) {
    for (absl::string_view a : absl::StrSplit(env, ' ', absl::SkipEmpty())) {
      extra_args.emplace_back(a);
    }
  }
  bool wants_metrics = false;
  for (const std::string& a : extra_args) {
    wants_metrics |= a.rfind("--metrics_address=", 0) == 0 && a.size() > 18;
  }
  const bool capture = options.capture_stderr || wants_metrics;
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return absl::InternalError("pipe failed");
  int err_fds[2] = {-1, -1};
  if (capture && pipe(err_fds) != 0) return absl::InternalError("pipe failed");
  std::vector<std::string> args{binary, "--address=127.0.0.1:0"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  const pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    // The server dies with the test even when the test is killed outright.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    dup2(pipe_fds[1], STDOUT_FILENO);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    if (capture) {
      dup2(err_fds[1], STDERR_FILENO);
      close(err_fds[0]);
      close(err_fds[1]);
    }
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(pipe_fds[1]);
  auto server = std::unique_ptr<ServerProcess>(new ServerProcess());
  server->pid_ = pid;
  server->stdout_fd_ = pipe_fds[0];
  if (capture) {
    close(err_fds[1]);
    ServerProcess* self = server.get();
    const int fd = err_fds[0];
    server->stderr_reader_ = std::thread([self, fd] {
      char buf[4096];
      while (true) {
        const ssize_t n = read(fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        std::lock_guard<std::mutex> lock(self->stderr_mu_);
        self->stderr_.append(buf, static_cast<size_t>(n));
      }
      close(fd);
    });
  }

  // Read the first line: "... listening on 127.0.0.1:PORT ...".
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (line.find('\n') == std::string::npos) {
    const int ms = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        deadline - std::chrono::steady_clock::now())
                                        .count());
    if (ms <= 0) return absl::DeadlineExceededError("server did not start within 20 s");
    pollfd pfd{server->stdout_fd_, POLLIN, 0};
    if (poll(&pfd, 1, ms) <= 0) continue;
    char buf[256];
    const ssize_t n = read(server->stdout_fd_, buf, sizeof(buf));
    if (n <= 0) {
      return absl::InternalError(absl::StrCat("server exited before listening; output: ", line));
    }
    line.append(buf, n);
  }
  server->startup_line_ = line.substr(0, line.find('\n'));
  const std::string marker = "listening on ";
  const size_t at = server->startup_line_.find(marker);
  if (at == std::string::npos) {
    return absl::InternalError(absl::StrCat("unexpected start-up line: ", server->startup_line_));
  }
  const std::string addr = server->startup_line_.substr(at + marker.size());
  const size_t colon = addr.find(':');
  const size_t end = addr.find(' ', colon);
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(addr.substr(colon + 1, end - colon - 1), &server->port_)) {
    return absl::InternalError(absl::StrCat("no port in: ", server->startup_line_));
  }
  if (wants_metrics) {
    // main prints the metrics line before the start-up line.
    server->WaitForStderr("/metrics\n", 5000);
    server->metrics_port_ = MetricsPortIn(server->StderrText());
    if (server->metrics_port_ == 0) {
      return absl::InternalError(
          absl::StrCat("no metrics line on stderr: ", server->StderrText()));
    }
  }
  return server;
}

std::string ServerProcess::StderrText() const {
  std::lock_guard<std::mutex> lock(stderr_mu_);
  return stderr_;
}

bool ServerProcess::WaitForStderr(const std::string& needle, int timeout_ms) const {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    if (StderrText().find(needle) != std::string::npos) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) Stop();
  if (stdout_fd_ >= 0) close(stdout_fd_);
  // The server has exited, so its stderr is at EOF (unless a child of it
  // still holds the pipe, which remotek-server never makes).
  if (stderr_reader_.joinable()) stderr_reader_.join();
}

std::shared_ptr<grpc::Channel> ServerProcess::Channel() const {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);
  args.SetMaxSendMessageSize(-1);
  args.SetInt("grpc.http2.lookahead_bytes", 16 << 20);
  return grpc::CreateCustomChannel(address(), grpc::InsecureChannelCredentials(), args);
}

bool ServerProcess::IsRunning() const {
  if (pid_ <= 0) return false;
  int status;
  return waitpid(pid_, &status, WNOHANG) == 0;
}

int64_t ServerProcess::ResidentBytes() const {
  std::ifstream in(absl::StrCat("/proc/", pid_, "/status"));
  std::string key;
  while (in >> key) {
    if (key == "VmRSS:") {
      int64_t kb = 0;
      in >> kb;
      return kb * 1024;
    }
    std::string rest;
    std::getline(in, rest);
  }
  return -1;
}

int ServerProcess::Stop() {
  if (pid_ <= 0) return 0;
  kill(pid_, SIGTERM);
  int status = 0;
  for (int i = 0; i < 100; ++i) {
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return -SIGKILL;
}

}  // namespace remotek::testing
