// Server metrics: counters and latency histograms kept in atomics, rendered
// in the Prometheus text exposition format (version 0.0.4) when scraped.
//
//   remotek_rpc_requests_total{method,code}        counter
//   remotek_rpc_errors_total{code}                 counter (codes other than
//   OK) remotek_rpc_latency_seconds{method}            histogram
//   remotek_sessions_open                          gauge
//   remotek_tenant_sessions_open{tenant}           gauge
//   remotek_tenant_bytes_held{tenant}              gauge
//   remotek_sessions_{created,cleared,closed,expired}_total   counters
//   remotek_op_runs_total{backend,op}              counter
//   remotek_op_errors_total{backend,op}            counter
//   remotek_op_latency_seconds{op}                 histogram
//
// A series appears once it has been observed (gauges: once a tenant holds a
// session). docs/hardening.md lists them for operators.
#ifndef REMOTEK_SERVER_METRICS_H_
#define REMOTEK_SERVER_METRICS_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "server/session_manager.h"

namespace remotek::server {

// Bucket upper bounds in seconds, shared by RPC and op latencies: 10 us .. 10
// s.
inline constexpr std::array<absl::string_view, 19> kLatencyBucketLabels = {
    "0.00001", "0.000025", "0.00005", "0.0001", "0.00025", "0.0005", "0.001",
    "0.0025",  "0.005",    "0.01",    "0.025",  "0.05",    "0.1",    "0.25",
    "0.5",     "1",        "2.5",     "5",      "10"};
inline constexpr std::array<double, 19> kLatencyBuckets = {
    0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001,
    0.0025,  0.005,    0.01,    0.025,  0.05,    0.1,    0.25,
    0.5,     1,        2.5,     5,      10};

// Thread-safety: Observe and Read may run concurrently; a Read taken while
// observations land may mix old and new ones, but its +Inf bucket always
// equals its count.
class LatencyHistogram {
 public:
  static constexpr size_t kBuckets = kLatencyBuckets.size();

  void Observe(double seconds);

  struct Snapshot {
    std::array<uint64_t, kBuckets> cumulative{};  // <= each bound
    uint64_t count = 0;                           // the +Inf bucket
    double sum_seconds = 0;
  };
  Snapshot Read() const;

 private:
  std::array<std::atomic<uint64_t>, kBuckets + 1>
      buckets_{};  // last: above every bound
  std::atomic<uint64_t> sum_nanos_{0};
};

// `value` escaped for a label value in the text format: \ " and newline.
std::string EscapeLabelValue(absl::string_view value);

// Thread-safety: every method may run concurrently with every other, except
// RegisterOps (see there). The per-RPC and per-op paths take no lock for the
// methods and ops registered up front.
class Metrics {
 public:
  // Counters of one RPC method, found once per call by FindRpc.
  struct RpcStats {
    std::string label;  // "Call"; other services: "grpc.health.v1.Health/Check"
    std::array<std::atomic<uint64_t>, 17> by_code{};  // grpc::StatusCode 0..16
    LatencyHistogram latency;
  };

  // `rpc_methods`: full method paths ("/remotek.v1.RemoteK/Call") that get a
  // label of their own; any other method counts under "other". Methods of
  // remotek.v1.RemoteK are labelled by their short name.
  explicit Metrics(const std::vector<std::string>& rpc_methods);

  // Never null. `full_method` may be null (counted under "other").
  RpcStats* FindRpc(const char* full_method);
  // `code`: a grpc::StatusCode value; out-of-range values count as UNKNOWN.
  static void ObserveRpc(RpcStats* rpc, int code, double seconds);

  void ObserveSessionEvent(SessionEvent event);

  // Pre-creates the series of `backend`'s ops so that ObserveOp finds them
  // without a lock. REQUIRES: before the first ObserveOp (at start-up).
  void RegisterOps(absl::string_view backend,
                   const std::vector<std::string>& ops);
  // One op run on `backend` (from the engine's hook). Ops not registered are
  // kept too, under a lock, up to kMaxExtraOpSeries; beyond that they count
  // under op "other".
  void ObserveOp(absl::string_view backend, absl::string_view op,
                 double seconds, bool ok);
  static constexpr size_t kMaxExtraOpSeries = 512;

  // The exposition text; `usage` gives the session gauges.
  std::string Render(const std::vector<TenantUsage>& usage) const;

 private:
  struct OpSeries {
    std::string backend;
    std::string op;
    std::atomic<uint64_t> runs{0};
    std::atomic<uint64_t> errors{0};
    LatencyHistogram* latency = nullptr;  // shared by every backend's `op`
  };
  using OpsByName = absl::flat_hash_map<std::string, OpSeries*>;

  OpSeries* NewOpSeriesLocked(absl::string_view backend, absl::string_view op)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(ops_mu_);
  LatencyHistogram* OpLatencyLocked(absl::string_view op)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(ops_mu_);
  OpSeries* FindExtraOp(absl::string_view backend, absl::string_view op);

  void RenderRpcs(std::string* out) const;
  void RenderSessions(const std::vector<TenantUsage>& usage,
                      std::string* out) const;
  void RenderOps(std::string* out) const;

  std::vector<std::unique_ptr<RpcStats>> rpcs_;  // the last one is "other"
  absl::flat_hash_map<std::string, RpcStats*>
      rpc_by_path_;  // immutable after construction
  RpcStats* other_rpc_ = nullptr;

  std::array<std::atomic<uint64_t>, 4> session_events_{};  // by SessionEvent

  // Storage of every op series and histogram; registered_ops_ is written only
  // by RegisterOps, extra_ops_ under the lock.
  mutable absl::Mutex ops_mu_;
  std::vector<std::unique_ptr<OpSeries>> op_series_ ABSL_GUARDED_BY(ops_mu_);
  absl::flat_hash_map<std::string, std::unique_ptr<LatencyHistogram>>
      op_latency_ ABSL_GUARDED_BY(ops_mu_);
  absl::flat_hash_map<std::string, OpsByName> registered_ops_;  // backend -> op
  absl::flat_hash_map<std::string, OpsByName> extra_ops_
      ABSL_GUARDED_BY(ops_mu_);
  size_t extra_op_count_ ABSL_GUARDED_BY(ops_mu_) = 0;
};

}  // namespace remotek::server

#endif  // REMOTEK_SERVER_METRICS_H_
