// The final report of a run in text (for people), JSON (for programs) or CSV
// (one row per step, for spreadsheets and plots). A plain run is one step; a
// sweep has one step per concurrency.
//
// JSON shape:
//   {"tool": "remotek-load", "scenario": "small_op", "mode": "closed_loop",
//    "address": ..., "warmup_s": 0, "duration_s": 5, "requests_per_step": 0,
//    "steps": [{"concurrency": 8, "rate": 0, "requests": 1200, "ok": 1200,
//               "errors": 0, "errors_by_code": {"UNAVAILABLE": {"count": 1,
//               "example": "..."}}, "requests_by_scenario": {"small_op": 1200},
//               "elapsed_s": ..., "qps": ..., "latency_us": {"min", "p50",
//               "p90", "p99", "p999", "max", "mean"}, "bytes_sent": ...,
//               "bytes_received": ..., "late": 0, "max_send_lag_us": 0}]}
//
// Thread-safety: pure functions.
#ifndef REMOTEK_TOOLS_LOAD_REPORT_H_
#define REMOTEK_TOOLS_LOAD_REPORT_H_

#include <string>
#include <vector>

#include "tools/load/load_options.h"
#include "tools/load/run_stats.h"

namespace remotek::load {

struct RunReport {
  std::string scenario;  // "small_op", or the mix "small_op:5,mlp:1"
  LoadMode mode = LoadMode::kClosedLoop;
  std::string address;
  double warmup_seconds = 0;
  double duration_seconds = 0;  // 0 when bounded by requests
  int64_t requests_per_step = 0;
  std::vector<RunStats> steps;
};

// "small_op" or "small_op:5,mlp:1".
std::string ScenarioLabel(const LoadOptions& options);
// "closed_loop", "open_loop", "sweep".
std::string ModeName(LoadMode mode);

std::string FormatReport(const RunReport& report, ReportFormat format);

// The CSV header line (without newline), shared with the tests' expectations.
std::string CsvHeader();

}  // namespace remotek::load

#endif  // REMOTEK_TOOLS_LOAD_REPORT_H_
