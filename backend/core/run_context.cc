#include "backend/core/run_context.h"

namespace remotek {
namespace {

thread_local const RunContext::StopCheck* current_stop = nullptr;

}  // namespace

const RunContext::StopCheck* CurrentStopCheck() { return current_stop; }

StopScope::StopScope(const RunContext& run) : previous_(current_stop) {
  current_stop = run.stop ? &run.stop : nullptr;
}

StopScope::~StopScope() { current_stop = previous_; }

}  // namespace remotek
