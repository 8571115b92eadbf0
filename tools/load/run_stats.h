// RunStats: the measured results of one run (or one sweep step): request and
// error counts by gRPC code, latency histogram, bytes, and for the open loop
// how many requests left later than intended. Each worker fills its own and
// the runner merges them.
//
// Thread-safety: none; one owner at a time.
#ifndef REMOTEK_TOOLS_LOAD_RUN_STATS_H_
#define REMOTEK_TOOLS_LOAD_RUN_STATS_H_

#include <cstdint>
#include <map>
#include <string>

#include "tools/load/latency_histogram.h"
#include "tools/load/scenario.h"

namespace remotek::load {

struct ErrorTally {
  int64_t count = 0;
  std::string example;  // the first message seen with this code
};

struct RunStats {
  // What the step was (filled by the runner).
  int concurrency = 0;  // closed loop: workers; open loop: max in flight
  double rate = 0;      // open loop: intended requests/s; 0 otherwise

  int64_t requests = 0;  // measured requests, ok + errors
  int64_t ok = 0;
  int64_t errors = 0;
  std::map<std::string, ErrorTally> errors_by_code;  // "UNAVAILABLE" -> tally
  std::map<std::string, int64_t> requests_by_scenario;
  // Latency of successful requests only: a fast failure is not a fast answer.
  LatencyHistogram latency;
  int64_t bytes_sent = 0;
  int64_t bytes_received = 0;
  // Open loop: requests sent more than kLateThreshold after their intended
  // send time, and the largest such lag.
  int64_t late = 0;
  int64_t max_send_lag_ns = 0;
  // From the start of the measured part to the last measured completion.
  double elapsed_seconds = 0;

  void Record(const RequestOutcome& outcome, int64_t latency_ns);
  void RecordSendLag(int64_t lag_ns);
  void Merge(const RunStats& other);
  // Completed requests per second of elapsed time (0 when nothing elapsed).
  double qps() const;
};

// A send later than this after its intended time counts as late: above the
// scheduler's own wake-up jitter, well below any latency worth reporting.
inline constexpr int64_t kLateThresholdNs = 1'000'000;

}  // namespace remotek::load

#endif  // REMOTEK_TOOLS_LOAD_RUN_STATS_H_
