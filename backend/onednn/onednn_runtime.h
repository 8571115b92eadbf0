// Process-wide oneDNN state shared by every onednn kernel: the one CPU engine,
// a stream per thread, the thread budget for oneDNN's OpenMP teams, and
// Execute, which binds tensor buffers to a cached primitive and runs it.
//
// Threading (measured on Debian's libdnnl2 2.6.3): the library is built with
// DNNL_CPU_RUNTIME=OMP and links libgomp, so every thread that executes a
// primitive forks its own OpenMP team of omp_get_max_threads() threads. Left
// alone, N concurrent sessions would run N teams of hardware_concurrency()
// threads each, on top of the eigen backend's intra-op pool. ComputeThreads
// caps the team of each call so that all oneDNN calls in flight together use
// at most IntraOpPool::Global().num_threads() threads (the same budget, and
// the same REMOTEK_INTRA_OP_THREADS knob, as the eigen kernels). Primitives
// are created while the calling thread's cap is that full budget, so a later
// execution never runs more threads than its primitive was planned for.
//
// Thread-safety: everything here may be called from any thread at once.
#ifndef REMOTEK_BACKEND_ONEDNN_ONEDNN_RUNTIME_H_
#define REMOTEK_BACKEND_ONEDNN_ONEDNN_RUNTIME_H_

#include <initializer_list>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "oneapi/dnnl/dnnl.hpp"

namespace remotek::onednn {

// The process's CPU engine, created on first use.
const dnnl::engine& Engine();

// The most OpenMP threads one oneDNN call may use (the intra-op budget).
int MaxComputeThreads();

// RAII: while alive, the calling thread's OpenMP teams hold
// max(1, MaxComputeThreads() / calls in flight) threads. With `full_budget`
// the cap is MaxComputeThreads() regardless (used while creating primitives).
class ComputeThreads {
 public:
  explicit ComputeThreads(bool full_budget = false);
  ~ComputeThreads();
  ComputeThreads(const ComputeThreads&) = delete;
  ComputeThreads& operator=(const ComputeThreads&) = delete;
};

// A primitive with the memory descriptors of its arguments, in the order
// Execute expects their buffers. Immutable once built; shared by every thread.
struct CachedPrimitive {
  dnnl::primitive primitive;
  std::vector<std::pair<int, dnnl::memory::desc>> args;  // (DNNL_ARG_*, desc)
  dnnl::memory::desc scratchpad;  // zero-sized when none is needed
};

// Runs `p` on this thread's stream with buffers[i] bound to p.args[i] and a
// thread-local scratchpad (primitives are created in user scratchpad mode,
// so concurrent executions of one primitive never share scratch memory).
// INTERNAL naming `op` when oneDNN reports an error.
// REQUIRES: buffers.size() == p.args.size(); each buffer large enough.
absl::Status Execute(const char* op, const CachedPrimitive& p,
                     std::initializer_list<void*> buffers);

// Attributes every primitive here is created with (user scratchpad).
dnnl::primitive_attr DefaultAttr();

}  // namespace remotek::onednn

#endif  // REMOTEK_BACKEND_ONEDNN_ONEDNN_RUNTIME_H_
