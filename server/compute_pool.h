// A fixed pool of threads that runs request work off gRPC's callback threads,
// so a long function call never stalls the transport.
#ifndef REMOTEK_SERVER_COMPUTE_POOL_H_
#define REMOTEK_SERVER_COMPUTE_POOL_H_

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace remotek::server {

// Thread-safety: Schedule may be called from any thread. The destructor runs
// every task already scheduled, then joins.
class ComputePool {
 public:
  explicit ComputePool(int threads);
  ~ComputePool();
  ComputePool(const ComputePool&) = delete;
  ComputePool& operator=(const ComputePool&) = delete;

  void Schedule(std::function<void()> task) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void WorkerLoop() ABSL_LOCKS_EXCLUDED(mu_);

  absl::Mutex mu_;
  std::deque<std::function<void()>> tasks_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> workers_;
};

}  // namespace remotek::server

#endif  // REMOTEK_SERVER_COMPUTE_POOL_H_
