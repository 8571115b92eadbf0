#include "backend/onednn/onednn_runtime.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <unordered_map>

#include "absl/strings/str_cat.h"
#include "backend/eigen/intra_op_pool.h"

#if defined(REMOTEK_ONEDNN_OPENMP)
#include <omp.h>
#endif

namespace remotek::onednn {
namespace {

std::atomic<int> g_parallel_calls{0};

void SetThreadCap(int threads) {
#if defined(REMOTEK_ONEDNN_OPENMP)
  // Per-thread ICV: affects only this thread's next parallel regions, which
  // is exactly the team oneDNN forks for a call made from this thread.
  if (omp_get_max_threads() != threads) omp_set_num_threads(threads);
#else
  (void)threads;
#endif
}

struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};

// Grows to the largest scratchpad this thread has needed; never shrinks.
void* ThreadScratchpad(size_t bytes) {
  thread_local std::unique_ptr<void, FreeDeleter> buffer;
  thread_local size_t capacity = 0;
  if (bytes > capacity) {
    const size_t rounded = (bytes + 63) / 64 * 64;
    buffer.reset(std::aligned_alloc(64, rounded));
    capacity = buffer ? rounded : 0;
  }
  return buffer.get();
}

dnnl::stream& ThreadStream() {
  thread_local dnnl::stream stream(Engine());
  return stream;
}

}  // namespace

const dnnl::engine& Engine() {
  // Leaked on purpose: thread-local streams refer to it and may be destroyed
  // after static destructors would have run.
  static const dnnl::engine* engine = new dnnl::engine(dnnl::engine::kind::cpu, 0);
  return *engine;
}

int MaxComputeThreads() {
  static const int threads = std::max(1, IntraOpPool::Global().num_threads());
  return threads;
}

ComputeThreads::ComputeThreads(bool parallel) : parallel_(parallel), threads_(1) {
  if (parallel_) {
    const int in_flight = g_parallel_calls.fetch_add(1) + 1;
    threads_ = std::max(1, MaxComputeThreads() / in_flight);
  }
  SetThreadCap(threads_);
}

ComputeThreads::~ComputeThreads() {
  if (parallel_) g_parallel_calls.fetch_sub(1);
}

dnnl::primitive_attr DefaultAttr() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

void RequireOptimizedImpl(const dnnl::primitive_desc_base& pd) {
  const char* impl = pd.impl_info_str();
  if (impl != nullptr && std::strncmp(impl, "ref", 3) == 0) {
    throw dnnl::error(dnnl_unimplemented, "only a reference implementation");
  }
}

absl::Status Execute(const char* op, const CachedPrimitive& p,
                     std::initializer_list<void*> buffers) {
  try {
    std::unordered_map<int, dnnl::memory> args;
    args.reserve(p.args.size() + 1);
    auto buffer = buffers.begin();
    for (const auto& [arg, desc] : p.args) {
      args.emplace(arg, dnnl::memory(desc, Engine(), *buffer++));
    }
    const size_t scratch_bytes = p.scratchpad.get_size();
    if (scratch_bytes > 0) {
      void* scratch = ThreadScratchpad(scratch_bytes);
      if (scratch == nullptr) {
        return absl::ResourceExhaustedError(absl::StrCat(
            op, ": cannot allocate ", scratch_bytes, " bytes of oneDNN scratchpad"));
      }
      args.emplace(DNNL_ARG_SCRATCHPAD, dnnl::memory(p.scratchpad, Engine(), scratch));
    }
    dnnl::stream& stream = ThreadStream();
    p.primitive.execute(stream, args);
    stream.wait();
  } catch (const dnnl::error& e) {
    return absl::InternalError(absl::StrCat(op, ": oneDNN failed: ", e.what()));
  } catch (const std::bad_alloc&) {
    return absl::ResourceExhaustedError(absl::StrCat(op, ": out of memory in oneDNN"));
  }
  return absl::OkStatus();
}

}  // namespace remotek::onednn
