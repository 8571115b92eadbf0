// LoadOptions: everything a remotek-load run is told on its command line, and
// the hand-written parser that fills it (no flags library, so that every
// error can name the flag and the value exactly and exit with status 2).
//
//   absl::StatusOr<LoadOptions> options = ParseLoadOptions(args);
//   if (!options.ok()) { std::cerr << options.status().message(); return 2; }
//
// Thread-safety: a plain value; read-only once the run starts.
#ifndef REMOTEK_TOOLS_LOAD_LOAD_OPTIONS_H_
#define REMOTEK_TOOLS_LOAD_LOAD_OPTIONS_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace remotek::load {

enum class ScenarioKind {
  kSmallOp,
  kBatchDot,
  kMlp,
  kUpload,
  kDownload,
  kChurn
};

// "small_op", "batch_dot", ... as typed on the command line.
absl::string_view ScenarioName(ScenarioKind kind);

struct WeightedScenario {
  ScenarioKind kind = ScenarioKind::kSmallOp;
  int weight = 1;
};

enum class LoadMode {
  kClosedLoop,  // --concurrency N
  kOpenLoop,    // --rate R
  kSweep,       // --concurrency-range a:b:xk | a:b:+k
};

enum class ReportFormat { kText, kJson, kCsv };

struct LoadOptions {
  std::string address = "127.0.0.1:50051";
  std::string backend;  // session backend override; "" = server default

  // What each request does: one scenario, or several mixed by weight (--mix).
  std::vector<WeightedScenario> scenarios = {{ScenarioKind::kSmallOp, 1}};

  LoadMode mode = LoadMode::kClosedLoop;
  int concurrency = 1;
  double rate = 0;                     // requests per second (open loop)
  std::vector<int> concurrency_steps;  // sweep
  int max_in_flight = 32;              // open loop: worker threads

  // Bounds of the measured part of a run (of each step in a sweep): exactly
  // `requests` requests when > 0, else `duration`.
  std::chrono::nanoseconds duration = std::chrono::seconds(5);
  int64_t requests = 0;
  std::chrono::nanoseconds warmup{0};
  std::chrono::nanoseconds timeout = std::chrono::seconds(30);  // per RPC
  int connections = 1;

  // Scenario parameters.
  std::vector<int64_t> x_shape = {32, 20, 1};
  std::vector<int64_t> y_shape = {32, 30, 20};
  std::vector<int64_t> axes = {1, 2};
  std::vector<int64_t> layers = {64, 128, 10};
  int64_t batch = 32;
  int64_t bytes = 1 << 20;
  bool transfer_streaming = true;  // --transfer stream|unary
  int64_t chunk_bytes = 1 << 20;

  // Output.
  ReportFormat format = ReportFormat::kText;
  std::string output_path;  // "" = stdout
  std::string svg_path;
  bool help = false;
};

// Parses argv[1..]. INVALID_ARGUMENT with a message that names the flag and
// the offending value (e.g. "--rate=abc: not a number").
absl::StatusOr<LoadOptions> ParseLoadOptions(
    const std::vector<std::string>& args);

// The --help text.
std::string LoadUsage();

// Value parsers, exposed for the parser's own use and for tests.
// "5s", "250ms", "1.5m", "100us", "2" (seconds).
absl::StatusOr<std::chrono::nanoseconds> ParseDuration(absl::string_view text);
// "1MiB", "64KiB", "1MB", "4096".
absl::StatusOr<int64_t> ParseByteSize(absl::string_view text);
// "1:64:x2" -> 1,2,4,...,64; "1:16:+5" -> 1,6,11,16.
absl::StatusOr<std::vector<int>> ParseConcurrencyRange(absl::string_view text);

}  // namespace remotek::load

#endif  // REMOTEK_TOOLS_LOAD_LOAD_OPTIONS_H_
