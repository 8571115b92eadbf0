// RunStats bookkeeping (see run_stats.h).
#include "tools/load/run_stats.h"

#include <algorithm>

#include "tools/load/rpc_util.h"

namespace remotek::load {

void RunStats::Record(const RequestOutcome& outcome, int64_t latency_ns) {
  ++requests;
  ++requests_by_scenario[std::string(ScenarioName(outcome.scenario))];
  bytes_sent += outcome.bytes_sent;
  bytes_received += outcome.bytes_received;
  if (outcome.status.ok()) {
    ++ok;
    latency.Record(latency_ns);
    return;
  }
  ++errors;
  ErrorTally& tally = errors_by_code[GrpcCodeName(outcome.status.error_code())];
  if (tally.count++ == 0) tally.example = outcome.status.error_message();
}

void RunStats::RecordSendLag(int64_t lag_ns) {
  if (lag_ns > kLateThresholdNs) ++late;
  max_send_lag_ns = std::max(max_send_lag_ns, lag_ns);
}

void RunStats::Merge(const RunStats& other) {
  requests += other.requests;
  ok += other.ok;
  errors += other.errors;
  for (const auto& [code, tally] : other.errors_by_code) {
    ErrorTally& mine = errors_by_code[code];
    if (mine.count == 0) mine.example = tally.example;
    mine.count += tally.count;
  }
  for (const auto& [name, n] : other.requests_by_scenario)
    requests_by_scenario[name] += n;
  latency.Merge(other.latency);
  bytes_sent += other.bytes_sent;
  bytes_received += other.bytes_received;
  late += other.late;
  max_send_lag_ns = std::max(max_send_lag_ns, other.max_send_lag_ns);
  elapsed_seconds = std::max(elapsed_seconds, other.elapsed_seconds);
}

double RunStats::qps() const {
  return elapsed_seconds > 0 ? static_cast<double>(requests) / elapsed_seconds
                             : 0;
}

}  // namespace remotek::load
