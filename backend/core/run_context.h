// What the caller of a computation tells the engine while it runs: whether the
// result is still wanted (the client may have gone or its deadline passed), and
// who wants to hear how long each op took. The engine knows nothing of gRPC;
// the server fills both from the call's context.
//
// A stop is honoured at op boundaries by Function::Run and RunEager, and inside
// long kernels between the blocks they split their work into (IntraOpPool reads
// the stop of the computation that called it through CurrentStopCheck()). A
// stopped computation frees its intermediates as it unwinds and applies no
// update.
//
// Thread-safety: `stop` and `on_op` may be called from several threads at once
// (kernel blocks run on the intra-op pool) and must be safe for that.
#ifndef REMOTEK_BACKEND_CORE_RUN_CONTEXT_H_
#define REMOTEK_BACKEND_CORE_RUN_CONTEXT_H_

#include <functional>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace remotek {

struct RunContext {
  // OK while the result is wanted; CANCELLED or DEADLINE_EXCEEDED (with a
  // message saying why) once it is not. Null: never stops.
  using StopCheck = std::function<absl::Status()>;
  // Called after every op the computation ran, with its registry name, its
  // wall time and whether it succeeded. Null: nobody listens.
  using OpObserver = std::function<void(std::string_view op, absl::Duration elapsed, bool ok)>;

  StopCheck stop;
  OpObserver on_op;

  absl::Status CheckStop() const { return stop ? stop() : absl::OkStatus(); }
  void ObserveOp(std::string_view op, absl::Duration elapsed, bool ok) const {
    if (on_op) on_op(op, elapsed, ok);
  }
};

// The stop check of the computation running on this thread, or null. Kernels
// that split work into blocks consult it between blocks.
const RunContext::StopCheck* CurrentStopCheck();

// Makes `run.stop` the current thread's stop check for the scope's lifetime
// (restoring the previous one after), so kernels called inside it can see it.
class StopScope {
 public:
  explicit StopScope(const RunContext& run);
  ~StopScope();
  StopScope(const StopScope&) = delete;
  StopScope& operator=(const StopScope&) = delete;

 private:
  const RunContext::StopCheck* previous_;
};

}  // namespace remotek

#endif  // REMOTEK_BACKEND_CORE_RUN_CONTEXT_H_
