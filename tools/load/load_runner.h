// The two ways remotek-load drives a server.
//
// Closed loop (RunClosedLoop): `concurrency` workers, each sending its next
// request as soon as the previous one answers. Latency is send -> answer.
//
// Open loop (RunOpenLoop): request i is due at start + i / rate whatever the
// server does; --max-in-flight workers take the due requests in order. When
// all of them are busy the next request goes out late, and its latency still
// counts from the time it was DUE — so queueing shows up in the latency
// figures instead of silently lowering the send rate (the "coordinated
// omission" a closed loop suffers from). RunStats::late counts such sends.
//
// In both, every worker builds its scenario (the untimed setup) and sends one
// untimed probe request before the clock starts; a failure there fails the
// run with that error. The first `warmup` of the run is not measured; the
// measured part then lasts `duration`, or exactly `requests` requests.
//
// Thread-safety: each call runs its own threads and returns after joining
// them; LiveCounters may be read concurrently (by the progress line).
#ifndef REMOTEK_TOOLS_LOAD_LOAD_RUNNER_H_
#define REMOTEK_TOOLS_LOAD_LOAD_RUNNER_H_

#include <atomic>
#include <chrono>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/grpcpp.h"
#include "remotek/v1/remotek.grpc.pb.h"
#include "tools/load/load_options.h"
#include "tools/load/run_stats.h"

namespace remotek::load {

// The HTTP/2 connections a run's workers share, round-robin.
struct Connection {
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::RemoteK::Stub> stub;
};
// --connections channels to --address, each forced onto its own TCP
// connection, with the client library's settings for large tensors.
std::vector<Connection> OpenConnections(const LoadOptions& options);

// Counters the progress line reads while a run is going.
struct LiveCounters {
  std::atomic<int64_t> completed{0};  // measured requests finished
  std::atomic<int64_t> errors{0};
  // When the measured part starts (steady clock, ns since epoch); 0 before.
  std::atomic<int64_t> measure_start_ns{0};
};

// Asks the running run (and any later one) to stop early; it returns what it
// measured so far. Async-signal-safe: main calls it from SIGINT / SIGTERM.
void RequestStop();
bool StopRequested();

absl::StatusOr<RunStats> RunClosedLoop(
    const LoadOptions& options, const std::vector<Connection>& connections,
    int concurrency, LiveCounters* live);

absl::StatusOr<RunStats> RunOpenLoop(const LoadOptions& options,
                                     const std::vector<Connection>& connections,
                                     LiveCounters* live);

}  // namespace remotek::load

#endif  // REMOTEK_TOOLS_LOAD_LOAD_RUNNER_H_
