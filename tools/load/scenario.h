// Scenario: what one load-test request is. A worker creates its scenario once
// (sessions, variables, functions: the untimed setup) and then calls
// RunOnce() in its timed loop.
//
// The timed request goes through the generated stub with a request message
// built once at setup, so the measured time is the server's work plus the
// transport, not client-side graph bookkeeping; the client library
// (remotek::client) does the setup. Byte counts are the serialized sizes of
// the protobuf messages (gRPC and HTTP/2 framing excluded).
//
// Thread-safety: a Scenario belongs to one worker thread.
#ifndef REMOTEK_TOOLS_LOAD_SCENARIO_H_
#define REMOTEK_TOOLS_LOAD_SCENARIO_H_

#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "grpcpp/grpcpp.h"
#include "remotek/client.h"
#include "remotek/v1/remotek.grpc.pb.h"
#include "tools/load/load_options.h"

namespace remotek::load {

struct RequestOutcome {
  grpc::Status status;
  int64_t bytes_sent = 0;
  int64_t bytes_received = 0;
  ScenarioKind scenario = ScenarioKind::kSmallOp;  // which one ran (--mix)
};

// What a worker's scenario is built from. The channel and stub are shared by
// the workers that use the same connection.
struct WorkerContext {
  const LoadOptions* options = nullptr;
  std::shared_ptr<grpc::Channel> channel;
  v1::RemoteK::Stub* stub = nullptr;
  int worker_index = 0;
};

class Scenario {
 public:
  virtual ~Scenario() = default;
  // One timed request. Never throws; failures are in the status.
  virtual RequestOutcome RunOnce() = 0;
};

// Builds the scenario (or the weighted mix) that `context.options` asks for,
// doing its setup on the server. Errors carry the server's code and message,
// prefixed with the scenario name.
absl::StatusOr<std::unique_ptr<Scenario>> CreateScenario(
    const WorkerContext& context);

// One scenario of the given kind (CreateScenario's building block).
absl::StatusOr<std::unique_ptr<Scenario>> CreateSingleScenario(
    ScenarioKind kind, const WorkerContext& context);

}  // namespace remotek::load

#endif  // REMOTEK_TOOLS_LOAD_SCENARIO_H_
