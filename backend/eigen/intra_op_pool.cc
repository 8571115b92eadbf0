#include "backend/eigen/intra_op_pool.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <thread>

#include "absl/synchronization/notification.h"
#include "backend/core/run_context.h"

#define EIGEN_USE_THREADS
#include "unsupported/Eigen/CXX11/ThreadPool"

namespace remotek {
namespace {

int DefaultThreads() {
  if (const char* env = std::getenv("REMOTEK_INTRA_OP_THREADS")) {
    const int n = std::atoi(env);
    if (n >= 1 && n <= 256) return n;
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

// Shared by the caller and the helpers of one ParallelFor. Helpers hold it by
// shared_ptr because one may start only after the caller has returned; such a
// helper finds every range claimed and never touches `fn`.
struct Job {
  const IntraOpPool::RangeFn* fn;
  int64_t n;
  int64_t grain;
  // The caller's stop check (RunContext): once it fails, the remaining
  // ranges are claimed but skipped, so a cancelled call gives its cores back
  // within one range. The op's result is then unfinished; the engine checks
  // the stop after the op and discards it.
  const RunContext::StopCheck* stop;
  std::atomic<bool> stopped{false};
  std::atomic<int64_t> next{0};
  std::atomic<int64_t> done{0};
  absl::Notification finished;

  // Claims and runs ranges until none is left.
  void Work() {
    for (;;) {
      const int64_t begin = next.fetch_add(grain, std::memory_order_relaxed);
      if (begin >= n) return;
      const int64_t end = std::min(n, begin + grain);
      if (!Stopped()) (*fn)(begin, end);
      if (done.fetch_add(end - begin, std::memory_order_acq_rel) + (end - begin) == n) {
        finished.Notify();
      }
    }
  }

  bool Stopped() {
    if (stopped.load(std::memory_order_relaxed)) return true;
    if (stop == nullptr || (*stop)().ok()) return false;
    stopped.store(true, std::memory_order_relaxed);
    return true;
  }
};

}  // namespace

struct IntraOpPool::Impl {
  // No spinning: after a burst the workers sleep at once, leaving the cores
  // to OpenBLAS's own threads and to other requests.
  explicit Impl(int n) : pool(n, /*allow_spinning=*/false) {}
  Eigen::ThreadPool pool;
};

IntraOpPool& IntraOpPool::Global() {
  static IntraOpPool* pool = new IntraOpPool(DefaultThreads());
  return *pool;
}

IntraOpPool::IntraOpPool(int num_threads)
    : num_threads_(std::max(1, num_threads)),
      impl_(std::make_unique<Impl>(num_threads_)) {}

IntraOpPool::~IntraOpPool() = default;

void IntraOpPool::ParallelFor(int64_t n, int64_t grain, const RangeFn& fn) {
  if (n <= 0) return;
  grain = std::max<int64_t>(1, grain);
  const int64_t ranges = (n + grain - 1) / grain;
  const RunContext::StopCheck* stop = CurrentStopCheck();
  if (ranges == 1 || num_threads_ == 1 || impl_->pool.CurrentThreadId() >= 0) {
    for (int64_t begin = 0; begin < n; begin += grain) {
      if (stop != nullptr && begin > 0 && !(*stop)().ok()) return;
      fn(begin, std::min(n, begin + grain));
    }
    return;
  }
  auto job = std::make_shared<Job>();
  job->fn = &fn;
  job->n = n;
  job->grain = grain;
  job->stop = stop;
  const int64_t helpers = std::min<int64_t>(ranges, num_threads_) - 1;
  for (int64_t i = 0; i < helpers; ++i) {
    impl_->pool.Schedule([job] { job->Work(); });
  }
  job->Work();
  job->finished.WaitForNotification();
}

}  // namespace remotek
