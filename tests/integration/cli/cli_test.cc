// End-to-end tests of the `remotek` CLI: a real remotek-server
// (ServerProcess) and the built `remotek` binary run as a subprocess, with
// its stdout, stderr and exit code checked for every subcommand, the usage
// errors (exit 2), an unreachable address (exit 3), local file errors
// (exit 4) and server errors (exit 1). Expected values come from the C++
// client talking to the same server, or are computed by hand.
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "remotek/client.h"
#include "tests/support/server_process.h"
#include "tests/support/status_matchers.h"
#include "tools/cli/npy_format.h"

namespace rk = remotek::client;

namespace remotek::testing {
namespace {

using ::testing::AllOf;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A directory of its own under TempDir for this test binary's files.
const std::string& ScratchDir() {
  static const std::string* dir = [] {
    std::string pattern = ::testing::TempDir() + "/remotek_cli_test_XXXXXX";
    const char* made = mkdtemp(pattern.data());
    return new std::string(made != nullptr ? made : ::testing::TempDir());
  }();
  return *dir;
}

std::string ScratchPath(const std::string& name) {
  return ScratchDir() + "/" + name;
}

// Runs the `remotek` binary with `args` (plus `env` set, and
// REMOTEK_ADDRESS unset unless `env` names it), capturing stdout and stderr
// in files. Kills it after 30 s so that a hang fails instead of blocking.
CliRun RunCli(const std::vector<std::string>& args,
              const std::map<std::string, std::string>& env = {}) {
  static int counter = 0;
  const std::string base = ScratchPath("run" + std::to_string(++counter));
  const std::string out_path = base + ".out", err_path = base + ".err";
  const pid_t pid = fork();
  if (pid == 0) {
    const int out_fd =
        open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err_fd =
        open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out_fd < 0 || err_fd < 0) _exit(126);
    dup2(out_fd, STDOUT_FILENO);
    dup2(err_fd, STDERR_FILENO);
    unsetenv("REMOTEK_ADDRESS");
    for (const auto& [name, value] : env)
      setenv(name.c_str(), value.c_str(), 1);
    std::vector<std::string> argv_strings = {REMOTEK_CLI_PATH};
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : argv_strings) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(REMOTEK_CLI_PATH, argv.data());
    _exit(127);
  }
  CliRun run;
  if (pid < 0) return run;
  int status = 0;
  const auto give_up =
      std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > give_up) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      ADD_FAILURE() << "remotek did not exit within 30 s";
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  run.out = ReadWholeFile(out_path);
  run.err = ReadWholeFile(err_path);
  std::remove(out_path.c_str());
  std::remove(err_path.c_str());
  return run;
}

std::ostream& operator<<(std::ostream& os, const CliRun& run) {
  return os << "exit " << run.exit_code << "\n--- stdout:\n"
            << run.out << "--- stderr:\n"
            << run.err;
}

// A loopback port nothing listens on: bound once to learn a free port, then
// closed.
int UnusedPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  int port = 1;  // reserved, never listening, if the bind fails
  if (fd >= 0 &&
      bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  if (fd >= 0) close(fd);
  return port;
}

bool HasNumpy() {
  if (access("/usr/bin/python3", X_OK) != 0) return false;
  return std::system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") == 0;
}

class CliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto started = ServerProcess::Start({"--threads=2"});
    if (started.ok()) server_ = started->release();
    start_status_ = new absl::Status(started.status());
  }
  static void TearDownTestSuite() {
    // Only a directory mkdtemp made for us (never TempDir itself).
    if (ScratchDir().find("/remotek_cli_test_") != std::string::npos) {
      std::error_code ignored;
      std::filesystem::remove_all(ScratchDir(), ignored);
    }
    delete server_;
    server_ = nullptr;
    delete start_status_;
  }
  void SetUp() override { ASSERT_NE(server_, nullptr) << *start_status_; }

  std::string Address() const { return server_->address(); }
  rk::Client NewClient() const { return rk::Client(server_->address()); }
  // `remotek --address <server> args...`
  CliRun Remotek(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--address", Address()});
    return RunCli(args);
  }
  size_t SessionCount() const {
    auto sessions = NewClient().list_sessions();
    EXPECT_TRUE(sessions.ok()) << sessions.status();
    return sessions.ok() ? sessions->size() : 0;
  }

  static ServerProcess* server_;
  static absl::Status* start_status_;
};
ServerProcess* CliTest::server_ = nullptr;
absl::Status* CliTest::start_status_ = nullptr;

// x (32,20,1) and y (32,30,20) with small integers, so every product sum is
// exact in float32.
rk::HostTensor BatchDotX() {
  std::vector<float> v(32 * 20);
  for (int b = 0; b < 32; ++b)
    for (int k = 0; k < 20; ++k)
      v[b * 20 + k] = static_cast<float>((b + 2 * k) % 5 - 2);
  return rk::HostTensor::FromVector<float>({32, 20, 1}, v);
}
rk::HostTensor BatchDotY() {
  std::vector<float> v(32 * 30 * 20);
  for (int b = 0; b < 32; ++b)
    for (int j = 0; j < 30; ++j)
      for (int k = 0; k < 20; ++k)
        v[(b * 30 + j) * 20 + k] = static_cast<float>((3 * b + j + k) % 7 - 3);
  return rk::HostTensor::FromVector<float>({32, 30, 20}, v);
}
// K.batch_dot(x, y, axes=(1, 2)): out[b, 0, j] = sum_k x[b, k, 0] * y[b, j, k].
std::vector<float> BatchDotExpected(const rk::HostTensor& x,
                                    const rk::HostTensor& y) {
  const std::vector<float> xv = x.values<float>(), yv = y.values<float>();
  std::vector<float> out(32 * 30, 0.0f);
  for (int b = 0; b < 32; ++b)
    for (int j = 0; j < 30; ++j)
      for (int k = 0; k < 20; ++k)
        out[b * 30 + j] += xv[b * 20 + k] * yv[(b * 30 + j) * 20 + k];
  return out;
}

std::string WriteNpy(const std::string& name, const rk::HostTensor& t) {
  const std::string path = ScratchPath(name);
  EXPECT_OK(cli::WriteNpyFile(path, t));
  return path;
}

// --------------------------------------------------------------- help/usage

TEST_F(CliTest, HelpAtEveryLevelDocumentsCommandsAndExitCodes) {
  const CliRun top = RunCli({"--help"});
  EXPECT_EQ(top.exit_code, 0) << top;
  EXPECT_THAT(
      top.out,
      AllOf(HasSubstr("Usage: remotek"), HasSubstr("info"),
            HasSubstr("backends"), HasSubstr("health"), HasSubstr("sessions"),
            HasSubstr("eval"), HasSubstr("REMOTEK_ADDRESS"),
            HasSubstr("--timeout"), HasSubstr("0  ok"),
            HasSubstr("2  usage error"), HasSubstr("3  cannot connect"),
            HasSubstr("4  local file error")));
  EXPECT_EQ(top.err, "");
  EXPECT_EQ(RunCli({"-h"}).out, top.out);

  const CliRun eval = RunCli({"eval", "--help"});
  EXPECT_EQ(eval.exit_code, 0) << eval;
  EXPECT_THAT(
      eval.out,
      AllOf(StartsWith("Usage: remotek eval OP"), HasSubstr("--axes"),
            HasSubstr("--attr NAME=VALUE"), HasSubstr("-o, --output FILE"),
            HasSubstr("--address"), HasSubstr("Exit codes")));
  const CliRun list = RunCli({"sessions", "list", "-h"});
  EXPECT_EQ(list.exit_code, 0) << list;
  EXPECT_THAT(list.out, StartsWith("Usage: remotek sessions list"));
  const CliRun close = RunCli({"sessions", "close", "--help"});
  EXPECT_THAT(close.out, StartsWith("Usage: remotek sessions close ID"));
  for (const char* command : {"info", "backends", "health", "sessions"}) {
    const CliRun run = RunCli({command, "--help"});
    EXPECT_EQ(run.exit_code, 0) << run;
    EXPECT_THAT(run.out, StartsWith(std::string("Usage: remotek ") + command));
  }
}

TEST_F(CliTest, UsageErrorsExitTwoNamingTheProblem) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{}, "missing COMMAND"},
      {{"frobnicate"}, "unknown command 'frobnicate'"},
      {{"info", "--bogus"}, "unknown flag '--bogus' for 'remotek info'"},
      {{"--bogus", "info"}, "unknown flag '--bogus' for 'remotek'"},
      {{"info", "--address"}, "flag '--address' needs a value (HOST:PORT)"},
      {{"info", "--json=yes"}, "flag '--json' takes no value"},
      {{"--timeout", "-1", "info"}, "--timeout '-1' must be a positive number"},
      {{"--timeout", "soon", "health"},
       "--timeout 'soon' must be a positive number"},
      {{"info", "extra"}, "unexpected argument 'extra'"},
      {{"eval"}, "'remotek eval' needs an OP"},
      {{"eval", "batch_dot"}, "needs at least one input"},
      {{"eval", "batch_dot", "--y", "b.npy"}, "--y needs --x"},
      {{"eval", "batch_dot", "--x", "a.npy", "--x", "b.npy"},
       "flag '--x' given more than once"},
      {{"eval", "batch_dot", "--x", "a.npy", "--axes", "1,x"},
       "--axes '1,x' must be an integer or integers like 1,2"},
      {{"eval", "sum", "--x", "a.npy", "--attr", "keepdims"},
       "--attr 'keepdims' must look like NAME=VALUE"},
      {{"eval", "sum", "--x", "a.npy", "--attr", "axis=1,two"},
       "list element 'two'"},
      {{"sessions"}, "needs an action: list or close"},
      {{"sessions", "frob"}, "unknown action 'frob'"},
      {{"sessions", "close"}, "needs at least one session ID"},
      {{"sessions", "list", "now"}, "unexpected argument 'now'"},
  };
  for (const Case& c : cases) {
    // The server address is valid, so only the usage error can fail these.
    const CliRun run = Remotek(c.args);
    SCOPED_TRACE(::testing::PrintToString(c.args));
    EXPECT_EQ(run.exit_code, 2) << run;
    EXPECT_THAT(run.err, AllOf(StartsWith("remotek: "), HasSubstr(c.message)))
        << run;
    EXPECT_EQ(run.out, "");
  }
}

// ---------------------------------------------------------- connectivity

TEST_F(CliTest, UnreachableAddressExitsThreeWithTheCode) {
  const std::string address = "127.0.0.1:" + std::to_string(UnusedPort());
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"info"}, {"backends"}, {"sessions", "list"}}) {
    std::vector<std::string> full = {"--address", address, "--timeout", "3"};
    full.insert(full.end(), args.begin(), args.end());
    const CliRun run = RunCli(full);
    SCOPED_TRACE(args[0]);
    EXPECT_EQ(run.exit_code, 3) << run;
    EXPECT_THAT(run.err, AllOf(StartsWith("remotek: "),
                               HasSubstr("UNAVAILABLE"), HasSubstr(address)));
    EXPECT_EQ(run.out, "");
  }
  // A probe answers NOT_SERVING (exit 1) instead.
  const CliRun health =
      RunCli({"health", "--address", address, "--timeout", "3"});
  EXPECT_EQ(health.exit_code, 1) << health;
  EXPECT_EQ(health.out, "NOT_SERVING\n");
  EXPECT_THAT(health.err,
              AllOf(HasSubstr("Echo: UNAVAILABLE"), HasSubstr(address)));
}

TEST_F(CliTest, HealthIsServingAndAddressComesFromTheEnvironment) {
  const CliRun run = Remotek({"health"});
  EXPECT_EQ(run.exit_code, 0) << run;
  EXPECT_EQ(run.out, "SERVING\n");
  EXPECT_EQ(run.err, "");
  // No --address: $REMOTEK_ADDRESS decides.
  const CliRun env =
      RunCli({"health", "--json"}, {{"REMOTEK_ADDRESS", Address()}});
  EXPECT_EQ(env.exit_code, 0) << env;
  EXPECT_THAT(env.out, AllOf(StartsWith("{\"status\":\"SERVING\""),
                             HasSubstr("\"address\":\"" + Address() + "\""),
                             HasSubstr("\"latency_ms\":")));
}

// ----------------------------------------------------------- info/backends

TEST_F(CliTest, InfoShowsVersionBackendsAndConfigSources) {
  ASSERT_OK_AND_ASSIGN(rk::ServerInfo info, NewClient().server_info());
  const CliRun run = Remotek({"info"});
  ASSERT_EQ(run.exit_code, 0) << run;
  EXPECT_THAT(run.out,
              AllOf(HasSubstr("version:           " + info.version + "\n"),
                    HasSubstr(info.config.backend + " (default)"),
                    HasSubstr("default backend:   " + info.config.backend)));
  for (const std::string& backend : info.backends) {
    EXPECT_THAT(run.out, HasSubstr(backend));
  }
  for (const auto& [name, source] : info.config_sources) {
    EXPECT_THAT(run.out,
                ContainsRegex("  " + name + " +[^ ]+ +\\(" + source + "\\)"))
        << run;
  }
  const CliRun json = Remotek({"info", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json;
  EXPECT_THAT(
      json.out,
      AllOf(StartsWith("{"), HasSubstr("\"version\":\"" + info.version + "\""),
            HasSubstr("\"default_backend\":\"" + info.config.backend + "\""),
            HasSubstr("\"floatx\":\"float32\""),
            HasSubstr("\"config_sources\":{")));
}

TEST_F(CliTest, BackendsListsOpCountsDTypesAndOps) {
  ASSERT_OK_AND_ASSIGN(std::vector<rk::BackendInfo> backends,
                       NewClient().list_backends());
  ASSERT_FALSE(backends.empty());
  const CliRun run = Remotek({"backends"});
  ASSERT_EQ(run.exit_code, 0) << run;
  EXPECT_THAT(run.out, StartsWith("NAME"));
  EXPECT_THAT(run.out, Not(HasSubstr("batch_dot")));
  for (const rk::BackendInfo& b : backends) {
    const std::string row = b.name + " +" + (b.is_default ? "\\* +" : "") +
                            std::to_string(b.ops.size()) +
                            " +[a-z0-9,]*float32";
    EXPECT_THAT(run.out, ContainsRegex(row)) << run;
  }
  const CliRun ops = Remotek({"backends", "--ops"});
  ASSERT_EQ(ops.exit_code, 0) << ops;
  EXPECT_THAT(ops.out,
              AllOf(HasSubstr("  batch_dot\n"),
                    HasSubstr(backends[0].name + " ops (" +
                              std::to_string(backends[0].ops.size()) + "):")));
  const CliRun json = Remotek({"--json", "backends"});
  ASSERT_EQ(json.exit_code, 0) << json;
  EXPECT_THAT(
      json.out,
      AllOf(HasSubstr("{\"name\":\"" + backends[0].name + "\""),
            HasSubstr("\"op_count\":" + std::to_string(backends[0].ops.size())),
            Not(HasSubstr("\"ops\":"))));
}

// --------------------------------------------------------------- sessions

TEST_F(CliTest, SessionsListAndCloseRoundTrip) {
  rk::Client client = NewClient();
  ASSERT_OK_AND_ASSIGN(rk::Session session, client.create_session());
  ASSERT_OK(session.zeros({4, 5}, rk::DType::kFloat32).status());  // 80 bytes
  const std::string id = session.detach();

  const CliRun list = Remotek({"sessions", "list"});
  ASSERT_EQ(list.exit_code, 0) << list;
  EXPECT_THAT(list.out, StartsWith("ID"));
  EXPECT_THAT(list.out, HasSubstr("BYTES  NODES  VARIABLES  FUNCTIONS"));
  // id, backend, 80 bytes, 1 node, 1 variable, 0 functions, age in seconds.
  EXPECT_THAT(list.out, ContainsRegex(id + " +[a-z]+ +80 +1 +1 +0 +[0-9]+s\n"))
      << list;

  const CliRun json = Remotek({"sessions", "list", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json;
  EXPECT_THAT(json.out, AllOf(HasSubstr("{\"id\":\"" + id + "\""),
                              HasSubstr("\"bytes_held\":80"),
                              HasSubstr("\"variables\":1")));

  const CliRun close = Remotek({"sessions", "close", id});
  EXPECT_EQ(close.exit_code, 0) << close;
  EXPECT_EQ(close.out, "closed " + id + "\n");
  EXPECT_THAT(client.get_session(id),
              StatusIs(absl::StatusCode::kNotFound, ::testing::_));
  EXPECT_THAT(Remotek({"sessions", "list"}).out, Not(HasSubstr(id)));

  // Closing it again is the server's NOT_FOUND: exit 1, code and id named.
  const CliRun again = Remotek({"sessions", "close", id});
  EXPECT_EQ(again.exit_code, 1) << again;
  EXPECT_THAT(again.err,
              AllOf(StartsWith("remotek: CloseSession " + id + ": NOT_FOUND: "),
                    HasSubstr(id)));
}

// ------------------------------------------------------------------- eval

TEST_F(CliTest, EvalBatchDotWritesTheProductAsNpy) {
  const rk::HostTensor x = BatchDotX(), y = BatchDotY();
  const std::string x_path = WriteNpy("bd_x.npy", x);
  const std::string y_path = WriteNpy("bd_y.npy", y);
  const std::string out_path = ScratchPath("bd_out.npy");
  const size_t sessions_before = SessionCount();

  const CliRun run = Remotek({"eval", "batch_dot", "--x", x_path, "--y", y_path,
                              "--axes", "1,2", "-o", out_path});
  ASSERT_EQ(run.exit_code, 0) << run;
  EXPECT_EQ(run.out, "wrote " + out_path + ": float32[32,1,30]\n");
  EXPECT_EQ(run.err, "");
  EXPECT_EQ(SessionCount(), sessions_before);  // eval closed its session

  ASSERT_OK_AND_ASSIGN(rk::HostTensor out, cli::ReadNpyFile(out_path));
  EXPECT_EQ(out.dtype(), rk::DType::kFloat32);
  EXPECT_EQ(out.shape(), (rk::Dims{32, 1, 30}));
  const std::vector<float> expected = BatchDotExpected(x, y);
  const std::vector<float> got = out.values<float>();
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got[i], expected[i]) << "at flat index " << i;
  }
  // Spot-check one element by hand: b=0, j=0 (x[0,k]=(2k%5)-2,
  // y[0,0,k]=(k%7)-3).
  float hand = 0;
  for (int k = 0; k < 20; ++k) hand += ((2 * k) % 5 - 2) * (k % 7 - 3);
  EXPECT_EQ(got[0], hand);

  if (HasNumpy()) {
    const std::string script_out = ScratchPath("numpy_check.txt");
    const std::string cmd =
        "/usr/bin/python3 -c \"import numpy as n, sys; a = "
        "n.load(sys.argv[1]); "
        "x = n.load(sys.argv[2]); y = n.load(sys.argv[3]); "
        "e = n.einsum('bk,bjk->bj', x[:, :, 0], y)[:, None, :]; "
        "print(a.dtype, a.shape, bool((a == e).all()))\" " +
        out_path + " " + x_path + " " + y_path + " > " + script_out;
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    EXPECT_EQ(ReadWholeFile(script_out), "float32 (32, 1, 30) True\n");
  }
}

TEST_F(CliTest, EvalPrintsTheResultAsTextOrJson) {
  const std::string a = WriteNpy(
      "add_a.npy", rk::HostTensor::FromVector<float>({2, 2}, {1, 2, 3, 4}));
  const std::string b = WriteNpy(
      "add_b.npy", rk::HostTensor::FromVector<float>({2, 2}, {0.5, 0, -3, 1}));
  const CliRun text = Remotek({"eval", "add", "--input", a, "--input", b});
  ASSERT_EQ(text.exit_code, 0) << text;
  EXPECT_EQ(text.out, "float32[2,2]\n[[1.5, 2],\n [0, 5]]\n");

  const CliRun json = Remotek({"eval", "add", "--x", a, "--y", b, "--json"});
  ASSERT_EQ(json.exit_code, 0) << json;
  EXPECT_EQ(
      json.out,
      "{\"dtype\":\"float32\",\"shape\":[2,2],\"values\":[[1.5,2],[0,5]]}\n");

  // Attrs: a reduction with axis and keepdims.
  const CliRun sum = Remotek(
      {"eval", "sum", "--x", a, "--attr", "axis=1", "--attr", "keepdims=true"});
  ASSERT_EQ(sum.exit_code, 0) << sum;
  EXPECT_EQ(sum.out, "float32[2,1]\n[[3],\n [7]]\n");
}

TEST_F(CliTest, EvalServerErrorsExitOneWithCodeAndMessage) {
  const std::string x = WriteNpy("err_x.npy", BatchDotX());
  const std::string y = WriteNpy("err_y.npy", BatchDotY());
  const size_t sessions_before = SessionCount();
  const CliRun bad_axes =
      Remotek({"eval", "batch_dot", "--x", x, "--y", y, "--axes", "1,3"});
  EXPECT_EQ(bad_axes.exit_code, 1) << bad_axes;
  EXPECT_THAT(bad_axes.err,
              AllOf(StartsWith("remotek: RunOp batch_dot: INVALID_ARGUMENT: "),
                    HasSubstr("axes")));
  EXPECT_EQ(bad_axes.out, "");
  EXPECT_EQ(SessionCount(), sessions_before);  // closed even on failure

  const CliRun unknown_op = Remotek({"eval", "no_such_op", "--x", x});
  EXPECT_EQ(unknown_op.exit_code, 1) << unknown_op;
  EXPECT_THAT(unknown_op.err, AllOf(StartsWith("remotek: RunOp no_such_op: "),
                                    HasSubstr("no_such_op")));

  const CliRun unknown_backend =
      Remotek({"eval", "abs", "--x", x, "--backend", "no_such_backend"});
  EXPECT_EQ(unknown_backend.exit_code, 1) << unknown_backend;
  EXPECT_THAT(unknown_backend.err,
              AllOf(StartsWith("remotek: CreateSession: NOT_FOUND: "),
                    HasSubstr("no_such_backend")));
}

TEST_F(CliTest, EvalLocalFileErrorsExitFour) {
  const std::string missing = ScratchPath("does_not_exist.npy");
  const CliRun run = Remotek({"eval", "abs", "--x", missing});
  EXPECT_EQ(run.exit_code, 4) << run;
  EXPECT_EQ(run.err, "remotek: cannot open '" + missing +
                         "': No such file or directory\n");

  // A big-endian file: the reader names the file and the field.
  std::string big =
      *cli::SerializeNpy(rk::HostTensor::FromVector<float>({1}, {1}));
  big.replace(big.find("<f4"), 3, ">f4");
  const std::string big_path = ScratchPath("big_endian.npy");
  std::ofstream(big_path, std::ios::binary) << big;
  const CliRun be = Remotek({"eval", "abs", "--x", big_path});
  EXPECT_EQ(be.exit_code, 4) << be;
  EXPECT_THAT(be.err, AllOf(StartsWith("remotek: " + big_path +
                                       ": header field "
                                       "'descr' is '>f4'"),
                            HasSubstr("big-endian")));

  // An output that cannot be written.
  const std::string x =
      WriteNpy("abs_x.npy", rk::HostTensor::FromVector<float>({2}, {-1, 2}));
  const CliRun out =
      Remotek({"eval", "abs", "--x", x, "-o", "/nonexistent-dir/o.npy"});
  EXPECT_EQ(out.exit_code, 4) << out;
  EXPECT_THAT(out.err,
              StartsWith("remotek: cannot create '/nonexistent-dir/o.npy'"));
}

}  // namespace
}  // namespace remotek::testing
