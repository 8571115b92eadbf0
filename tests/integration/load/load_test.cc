// Integration test of the remotek-load binary: starts a real remotek-server,
// runs remotek-load as a subprocess with short bounded runs of every scenario
// and mode, and checks its exit status and the numbers in its reports (JSON
// parsed with protobuf's JSON parser, CSV rows, the SVG chart), plus the exit
// status and message of bad flags.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tests/support/server_process.h"

namespace remotek::load {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;

struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string ReadFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

std::string TempPath(const std::string& name) {
  return ::testing::TempDir() + "remotek_load_test_" +
         std::to_string(getpid()) + "_" + name;
}

// Runs remotek-load with `args`, stdout and stderr captured to files, killed
// after 30 s (no single run here should take more than a few seconds).
ProcessResult RunLoad(const std::vector<std::string>& args) {
  const std::string out_path = TempPath("stdout");
  const std::string err_path = TempPath("stderr");
  std::vector<std::string> argv_strings{REMOTEK_LOAD_PATH};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  const pid_t pid = fork();
  if (pid == 0) {
    const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(out, STDOUT_FILENO);
    dup2(err, STDERR_FILENO);
    std::vector<char*> argv;
    for (std::string& a : argv_strings) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  ProcessResult result;
  int status = 0;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      ADD_FAILURE() << "remotek-load did not finish within 30 s";
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  result.exit_code =
      WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  result.out = ReadFile(out_path);
  result.err = ReadFile(err_path);
  std::remove(out_path.c_str());
  std::remove(err_path.c_str());
  return result;
}

google::protobuf::Struct ParseJson(const std::string& text) {
  google::protobuf::Struct report;
  const auto status =
      google::protobuf::util::JsonStringToMessage(text, &report);
  EXPECT_TRUE(status.ok()) << status.ToString() << "\n" << text;
  return report;
}

const google::protobuf::Value& Field(const google::protobuf::Struct& s,
                                     const std::string& name) {
  static const google::protobuf::Value kMissing;
  auto it = s.fields().find(name);
  if (it == s.fields().end()) {
    ADD_FAILURE() << "missing field " << name;
    return kMissing;
  }
  return it->second;
}

double Number(const google::protobuf::Struct& s, const std::string& name) {
  return Field(s, name).number_value();
}

const google::protobuf::Struct& Step(const google::protobuf::Struct& report,
                                     int i) {
  return Field(report, "steps").list_value().values(i).struct_value();
}

int StepCount(const google::protobuf::Struct& report) {
  return Field(report, "steps").list_value().values_size();
}

class LoadTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto server = testing::ServerProcess::Start();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = server->release();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  // Runs with --address and --json added; expects exit 0 and returns the
  // parsed report.
  google::protobuf::Struct RunJson(std::vector<std::string> args) {
    args.push_back("--address=" + server_->address());
    args.push_back("--json");
    ProcessResult r = RunLoad(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "") << "stderr is not a terminal, so it must stay quiet";
    return ParseJson(r.out);
  }

  // The checks every successful, request-bounded step must pass. SetValue
  // answers with an empty message, hence `answers_with_bytes`.
  static void ExpectCleanStep(const google::protobuf::Struct& step,
                              int64_t requests,
                              bool answers_with_bytes = true) {
    EXPECT_EQ(Number(step, "requests"), requests);
    EXPECT_EQ(Number(step, "ok"), requests);
    EXPECT_EQ(Number(step, "errors"), 0);
    EXPECT_EQ(Field(step, "errors_by_code").struct_value().fields_size(), 0);
    EXPECT_GT(Number(step, "qps"), 0);
    EXPECT_GT(Number(step, "elapsed_s"), 0);
    const auto& latency = Field(step, "latency_us").struct_value();
    EXPECT_GT(Number(latency, "min"), 0);
    EXPECT_LE(Number(latency, "min"), Number(latency, "p50"));
    EXPECT_LE(Number(latency, "p50"), Number(latency, "p90"));
    EXPECT_LE(Number(latency, "p90"), Number(latency, "p99"));
    EXPECT_LE(Number(latency, "p99"), Number(latency, "p999"));
    EXPECT_LE(Number(latency, "p999"), Number(latency, "max"));
    EXPECT_GT(Number(step, "bytes_sent"), 0);
    if (answers_with_bytes) {
      EXPECT_GT(Number(step, "bytes_received"), 0);
    }
  }

  static testing::ServerProcess* server_;
};

testing::ServerProcess* LoadTest::server_ = nullptr;

TEST_F(LoadTest, ClosedLoopSmallOpRunsExactlyTheRequestsAsked) {
  auto report =
      RunJson({"--scenario=small_op", "--concurrency=4", "--requests=200"});
  EXPECT_EQ(Field(report, "tool").string_value(), "remotek-load");
  EXPECT_EQ(Field(report, "scenario").string_value(), "small_op");
  EXPECT_EQ(Field(report, "mode").string_value(), "closed_loop");
  EXPECT_EQ(Number(report, "requests_per_step"), 200);
  ASSERT_EQ(StepCount(report), 1);
  const auto& step = Step(report, 0);
  ExpectCleanStep(step, 200);
  EXPECT_EQ(Number(step, "concurrency"), 4);
  EXPECT_EQ(
      Number(Field(step, "requests_by_scenario").struct_value(), "small_op"),
      200);
}

TEST_F(LoadTest, EveryScenarioRunsCleanInAClosedLoop) {
  const std::vector<std::vector<std::string>> runs = {
      {"--scenario=batch_dot", "--x-shape=32,20,1", "--y-shape=32,30,20",
       "--axes=1,2"},
      {"--scenario=mlp", "--layers=64,128,10", "--batch=32"},
      {"--scenario=churn"},
  };
  for (std::vector<std::string> args : runs) {
    SCOPED_TRACE(args[0]);
    args.insert(args.end(), {"--concurrency=2", "--requests=60"});
    auto report = RunJson(args);
    ASSERT_EQ(StepCount(report), 1);
    ExpectCleanStep(Step(report, 0), 60);
  }
}

TEST_F(LoadTest, BatchDotMovesOnlyHandlesAndTheResult) {
  auto report = RunJson({"--scenario=batch_dot", "--requests=20"});
  const auto& step = Step(report, 0);
  ExpectCleanStep(step, 20);
  // The (32,1,30) float32 result is 3840 bytes a request; the operands
  // (32*20 + 32*30*20 floats) would be 79 KiB — they must not travel.
  EXPECT_GE(Number(step, "bytes_received"), 20 * 3840);
  EXPECT_LT(Number(step, "bytes_sent"), 20 * 1024);
}

TEST_F(LoadTest, TransfersMoveTheBytesAskedThroughStreamsAndUnaryCalls) {
  constexpr int64_t kBytes = 256 * 1024;
  for (const char* transfer : {"stream", "unary"}) {
    SCOPED_TRACE(transfer);
    auto up =
        RunJson({"--scenario=upload", "--bytes=256KiB", "--chunk-bytes=64KiB",
                 std::string("--transfer=") + transfer, "--concurrency=2",
                 "--requests=20"});
    const bool unary = std::string(transfer) == "unary";
    ExpectCleanStep(Step(up, 0), 20, /*answers_with_bytes=*/!unary);
    EXPECT_GE(Number(Step(up, 0), "bytes_sent"), 20 * kBytes);
    EXPECT_LT(Number(Step(up, 0), "bytes_received"), 20 * 1024);
    auto down =
        RunJson({"--scenario=download", "--bytes=256KiB", "--chunk-bytes=64KiB",
                 std::string("--transfer=") + transfer, "--concurrency=2",
                 "--requests=20"});
    ExpectCleanStep(Step(down, 0), 20);
    EXPECT_GE(Number(Step(down, 0), "bytes_received"), 20 * kBytes);
    EXPECT_LT(Number(Step(down, 0), "bytes_sent"), 20 * 1024);
  }
}

TEST_F(LoadTest, MixSplitsRequestsByWeight) {
  auto report =
      RunJson({"--mix=small_op:5,mlp:1", "--concurrency=3", "--requests=300"});
  EXPECT_EQ(Field(report, "scenario").string_value(), "small_op:5,mlp:1");
  const auto& step = Step(report, 0);
  ExpectCleanStep(step, 300);
  const auto& by = Field(step, "requests_by_scenario").struct_value();
  const double small_op = Number(by, "small_op");
  const double mlp = Number(by, "mlp");
  EXPECT_EQ(small_op + mlp, 300);
  // Expected 250 : 50; the seeded picks are far from either bound.
  EXPECT_GT(small_op, 200);
  EXPECT_GT(mlp, 20);
}

TEST_F(LoadTest, DurationBoundAndWarmupAreRespected) {
  auto timed =
      RunJson({"--scenario=small_op", "--concurrency=2", "--duration=1s"});
  const auto& step = Step(timed, 0);
  EXPECT_EQ(Number(timed, "duration_s"), 1);
  EXPECT_GT(Number(step, "requests"), 10);
  EXPECT_EQ(Number(step, "errors"), 0);
  EXPECT_GE(Number(step, "elapsed_s"), 0.99);
  EXPECT_LT(Number(step, "elapsed_s"), 2.0);

  // The warmup's requests are not counted: exactly 100 measured.
  auto warmed =
      RunJson({"--scenario=small_op", "--requests=100", "--warmup=300ms"});
  EXPECT_EQ(Number(warmed, "warmup_s"), 0.3);
  ExpectCleanStep(Step(warmed, 0), 100);
}

TEST_F(LoadTest, OpenLoopHoldsTheRateAndCountsFromIntendedTimes) {
  auto report =
      RunJson({"--scenario=small_op", "--rate=200", "--requests=200"});
  EXPECT_EQ(Field(report, "mode").string_value(), "open_loop");
  const auto& step = Step(report, 0);
  ExpectCleanStep(step, 200);
  EXPECT_EQ(Number(step, "rate"), 200);
  EXPECT_NEAR(Number(step, "qps"), 200, 30);
  // 200 requests at 200/s span ~1 s.
  EXPECT_GT(Number(step, "elapsed_s"), 0.95);
  EXPECT_LT(Number(step, "elapsed_s"), 1.5);
  // 32 workers easily keep up with 200/s: most sends leave on time (a few
  // may wake late on a busy machine).
  EXPECT_LT(Number(step, "late"), 100);

  // Bounded by duration, the count is rate x duration exactly.
  auto timed = RunJson({"--scenario=small_op", "--rate=100", "--duration=1s"});
  ExpectCleanStep(Step(timed, 0), 100);
}

TEST_F(LoadTest, OpenLoopOverloadShowsUpAsLateSendsAndQueueingLatency) {
  // One worker, a request due every 0.5 ms, and each mlp call (1024-wide
  // layers, batch 64) takes longer than that: the sends fall behind, and the
  // latency, counted from the intended time, grows with the backlog far
  // beyond one call's time instead of hiding it.
  auto report =
      RunJson({"--scenario=mlp", "--layers=512,1024,1024,10", "--batch=64",
               "--rate=2000", "--requests=100", "--max-in-flight=1"});
  const auto& step = Step(report, 0);
  ExpectCleanStep(step, 100);
  EXPECT_GT(Number(step, "late"), 50);
  EXPECT_GT(Number(step, "max_send_lag_us"), 1000);
  const auto& latency = Field(step, "latency_us").struct_value();
  EXPECT_GT(Number(latency, "max"), 3 * Number(latency, "min"));
  // The backlog is served at the server's pace, far below the asked rate.
  EXPECT_LT(Number(step, "qps"), 1000);
}

TEST_F(LoadTest, InterruptStopsEarlyAndStillReports) {
  const std::string json_path = TempPath("interrupted.json");
  std::vector<std::string> argv_strings{REMOTEK_LOAD_PATH,
                                        "--address=" + server_->address(),
                                        "--scenario=small_op",
                                        "--duration=60s",
                                        "--json",
                                        "--output=" + json_path};
  const pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> argv;
    for (std::string& a : argv_strings) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  kill(pid, SIGINT);
  int status = 0;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      FAIL() << "remotek-load ignored SIGINT";
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
  auto report = ParseJson(ReadFile(json_path));
  ASSERT_EQ(StepCount(report), 1);
  const auto& step = Step(report, 0);
  EXPECT_GT(Number(step, "requests"), 0);
  EXPECT_EQ(Number(step, "errors"), 0);
  EXPECT_LT(Number(step, "elapsed_s"), 5);
  std::remove(json_path.c_str());
}

TEST_F(LoadTest, SweepWritesOneCsvRowPerStepAndAnSvgChart) {
  const std::string svg_path = TempPath("chart.svg");
  ProcessResult r =
      RunLoad({"--address=" + server_->address(), "--scenario=small_op",
               "--concurrency-range=1:4:x2", "--requests=100", "--csv",
               "--svg=" + svg_path});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines =
      absl::StrSplit(r.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 4u) << r.out;
  EXPECT_EQ(
      lines[0],
      "scenario,mode,concurrency,rate,requests,ok,errors,elapsed_s,qps,min_us,"
      "p50_us,"
      "p90_us,p99_us,p999_us,max_us,mean_us,bytes_sent,bytes_received,late");
  const char* expected_concurrency[] = {"1", "2", "4"};
  for (int i = 0; i < 3; ++i) {
    std::vector<std::string> cells = absl::StrSplit(lines[i + 1], ',');
    ASSERT_EQ(cells.size(), 19u) << lines[i + 1];
    EXPECT_EQ(cells[0], "\"small_op\"");
    EXPECT_EQ(cells[1], "sweep");
    EXPECT_EQ(cells[2], expected_concurrency[i]);
    EXPECT_EQ(cells[4], "100");  // requests
    EXPECT_EQ(cells[6], "0");    // errors
  }
  const std::string svg = ReadFile(svg_path);
  EXPECT_THAT(svg, StartsWith("<svg"));
  EXPECT_THAT(
      svg, AllOf(HasSubstr("id=\"throughput\""), HasSubstr("id=\"p99\""),
                 HasSubstr("throughput (req/s)"), HasSubstr("p99 latency (ms)"),
                 HasSubstr("concurrency (requests in flight)"),
                 HasSubstr("</svg>")));
  EXPECT_EQ(svg.find("nan"), std::string::npos) << "no NaN coordinates";
  std::remove(svg_path.c_str());
}

TEST_F(LoadTest, AdditiveSweepAndJsonOutputFile) {
  const std::string json_path = TempPath("report.json");
  ProcessResult r =
      RunLoad({"--address=" + server_->address(), "--scenario=small_op",
               "--concurrency-range=1:5:+2", "--requests=50", "--format=json",
               "--output=" + json_path});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "") << "the report goes to --output only";
  auto report = ParseJson(ReadFile(json_path));
  EXPECT_EQ(Field(report, "mode").string_value(), "sweep");
  ASSERT_EQ(StepCount(report), 3);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Number(Step(report, i), "concurrency"), 1 + 2 * i);
    ExpectCleanStep(Step(report, i), 50);
  }
  std::remove(json_path.c_str());
}

TEST_F(LoadTest, TextReportNamesEveryFigure) {
  ProcessResult r =
      RunLoad({"--address=" + server_->address(), "--scenario=small_op",
               "--requests=50", "--concurrency=2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(
      r.out,
      AllOf(HasSubstr("small_op"), HasSubstr("closed loop, concurrency 2"),
            HasSubstr("requests    50 (50 ok, 0 errors)"),
            HasSubstr("throughput"), HasSubstr("p50"), HasSubstr("p99.9"),
            HasSubstr("errors      none"), HasSubstr("bytes       sent")));
}

TEST_F(LoadTest, SetupFailureExitsOneWithTheServersMessage) {
  // y's axis 2 (21) does not match x's axis 1 (20): the server refuses the
  // probe request, and the run stops before measuring anything.
  ProcessResult r =
      RunLoad({"--address=" + server_->address(), "--scenario=batch_dot",
               "--x-shape=32,20,1", "--y-shape=32,30,21", "--axes=1,2",
               "--requests=10"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err,
              AllOf(HasSubstr("INVALID_ARGUMENT"), HasSubstr("batch_dot")));
  EXPECT_EQ(r.out, "");
}

TEST(LoadFlags, BadFlagsExitTwoNamingTheFlag) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"--rate=abc"}, "--rate=abc"},
      {{"--concurrency", "0"}, "--concurrency=0: must be > 0"},
      {{"--scenario=nope"}, "--scenario=nope: unknown scenario 'nope'"},
      {{"--concurrency-range=1:64:y2"},
       "--concurrency-range=1:64:y2: step 'y2'"},
      {{"--concurrency-range=8:4:x2"}, "--concurrency-range=8:4:x2: end '4'"},
      {{"--bogus=1"}, "unknown flag --bogus"},
      {{"--rate=10", "--concurrency=2"},
       "--rate and --concurrency cannot be combined"},
      {{"--duration=5parsecs"}, "--duration=5parsecs: not a duration"},
      {{"--bytes=1001"},
       "--bytes=1001: 1001 bytes is not a whole number of float32"},
      {{"--mix=small_op:0"}, "--mix=small_op:0: weight '0' of small_op"},
      {{"--x-shape=32,a,1"}, "--x-shape=32,a,1: 'a' is not an integer"},
      {{"--format=xml"}, "--format=xml: must be text, json or csv"},
      {{"--transfer=carrier-pigeon"},
       "--transfer=carrier-pigeon: must be 'stream' or 'unary'"},
      {{"--svg=chart.svg"}, "--svg=chart.svg: a chart needs a sweep"},
      {{"--requests"}, "--requests: missing value"},
      {{"--json", "--csv"}, "--csv conflicts with --json"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.args[0]);
    ProcessResult r = RunLoad(c.args);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_THAT(r.err, HasSubstr(c.message));
    EXPECT_EQ(r.out, "");
  }
}

TEST(LoadFlags, HelpListsModesAndScenarios) {
  ProcessResult r = RunLoad({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(
      r.out,
      AllOf(HasSubstr("--concurrency-range"), HasSubstr("--rate"),
            HasSubstr("small_op, batch_dot, mlp, upload, download, churn")));
}

}  // namespace
}  // namespace remotek::load
