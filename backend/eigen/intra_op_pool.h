// The process-wide intra-op thread pool of the eigen backend: heavy kernels
// split their work over it with ParallelFor.
//
// Thread-safety: IntraOpPool::Global() is created on first use (thread-safe
// static) and lives until the process exits. ParallelFor may be called from
// any number of threads at once (every session's kernels share the pool);
// each call blocks until its own work is done. The calling thread runs shards
// itself, so a call always makes progress even while the pool is busy with
// other callers, and a call made from inside a pool thread (nested
// parallelism) simply runs all shards inline.
//
// The pool size is std::thread::hardware_concurrency(), or the value of the
// environment variable REMOTEK_INTRA_OP_THREADS (1..256) when set.
#ifndef REMOTEK_BACKEND_EIGEN_INTRA_OP_POOL_H_
#define REMOTEK_BACKEND_EIGEN_INTRA_OP_POOL_H_

#include <cstdint>
#include <functional>
#include <memory>

namespace remotek {

class IntraOpPool {
 public:
  // Runs fn(begin, end) over disjoint ranges covering [0, n). Ranges hold
  // `grain` indices (the last may hold fewer) and are claimed dynamically by
  // up to num_threads() participants, the caller included. `fn` must not
  // throw; it may run concurrently with itself on different ranges.
  // When the calling thread runs a computation that can be stopped
  // (StopScope, backend/core/run_context.h), ranges not yet started are
  // skipped once its stop check fails: the output is then unfinished and the
  // engine discards it.
  using RangeFn = std::function<void(int64_t begin, int64_t end)>;

  static IntraOpPool& Global();

  explicit IntraOpPool(int num_threads);
  ~IntraOpPool();
  IntraOpPool(const IntraOpPool&) = delete;
  IntraOpPool& operator=(const IntraOpPool&) = delete;

  int num_threads() const { return num_threads_; }
  void ParallelFor(int64_t n, int64_t grain, const RangeFn& fn);

 private:
  struct Impl;
  int num_threads_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace remotek

#endif  // REMOTEK_BACKEND_EIGEN_INTRA_OP_POOL_H_
