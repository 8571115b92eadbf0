// Process-wide oneDNN state shared by every onednn kernel: the one CPU engine,
// a stream per thread, the thread budget for oneDNN's OpenMP teams, and
// Execute, which binds tensor buffers to a cached primitive and runs it.
//
// Threading (Debian's libdnnl2 2.6.3): the library is built with
// DNNL_CPU_RUNTIME=OMP and links libgomp, so a thread that executes a
// primitive forks its own OpenMP team of omp_get_max_threads() threads (the
// OMP_NUM_THREADS / core count default). Left alone, N concurrent sessions
// would run N teams of hardware_concurrency() threads each, on top of the
// eigen backend's intra-op pool. Three rules keep that in check:
//  - the budget is IntraOpPool::Global().num_threads(), i.e. the same number
//    (and the same REMOTEK_INTRA_OP_THREADS knob) as the eigen kernels;
//  - a call whose work is small runs on the calling thread alone (an OpenMP
//    fork/join costs microseconds, and on a loaded 2-core machine a team
//    member that is descheduled stalls the whole call for milliseconds,
//    which was measured: a 64x64 dot took 5 ms instead of 20 us);
//  - the parallel calls in flight share the budget: each gets
//    max(1, budget / calls in flight) threads.
// The cap is the per-thread OpenMP ICV (omp_set_num_threads), so it affects
// exactly the teams oneDNN forks for this thread's calls. Some oneDNN
// implementations fix their thread partitioning when the primitive is
// created (and then fork that many threads whatever the cap), so primitives
// are cached per thread count and created under the cap they run with
// (measured: reusing a 2-thread matmul at a cap of 1 under 8 concurrent
// callers halved throughput). Idle team threads spin for a while in libgomp
// after a call (GOMP_SPINCOUNT); OMP_WAIT_POLICY=passive made no measurable
// difference with 8 concurrent callers on 2 cores, so nothing sets it.
//
// Scratch memory: primitives use user-mode scratchpads from a per-thread
// buffer that grows to the largest one needed and lives with the thread;
// it is not charged to any session's MemoryAccount.
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

// RAII: while alive, the calling thread's OpenMP teams hold 1 thread when
// !parallel, else max(1, MaxComputeThreads() / parallel calls in flight).
class ComputeThreads {
 public:
  explicit ComputeThreads(bool parallel);
  ~ComputeThreads();
  ComputeThreads(const ComputeThreads&) = delete;
  ComputeThreads& operator=(const ComputeThreads&) = delete;

  int threads() const { return threads_; }

 private:
  bool parallel_;
  int threads_;
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
// The caller holds the ComputeThreads scope the primitive was created for.
absl::Status Execute(const char* op, const CachedPrimitive& p,
                     std::initializer_list<void*> buffers);

// Attributes every primitive here is created with (user scratchpad).
dnnl::primitive_attr DefaultAttr();

// Throws dnnl::error(unimplemented) when oneDNN picked a reference ("ref:")
// implementation: those are plain loops, slower than the eigen kernels, so
// the caller's primitive cache records the case as unsupported and the
// eigen kernel serves it (e.g. reductions over leading axes in 2.6).
void RequireOptimizedImpl(const dnnl::primitive_desc_base& pd);

}  // namespace remotek::onednn

#endif  // REMOTEK_BACKEND_ONEDNN_ONEDNN_RUNTIME_H_
