// A process-wide, thread-safe cache of oneDNN primitives keyed by a string
// that encodes (op, shapes, attrs), so that repeated calls with the same
// shapes skip descriptor and primitive creation (which costs tens of
// microseconds to milliseconds, far more than many of the ops themselves).
//
// A key whose primitive oneDNN cannot build (unsupported layout, dnnl::error)
// is remembered as null, so callers fall back to their eigen kernel without
// asking oneDNN again.
//
// Eviction: when an insertion would exceed the capacity the whole cache is
// dropped and refilled on demand. Keras models use a small, stable set of
// shapes, so this is rare; it keeps the structure trivially correct.
//
// Thread-safety: all methods may be called concurrently. Entries are
// shared_ptr because a kernel may still be executing a primitive that another
// thread's insertion has just evicted; the primitive lives until both let go.
#ifndef REMOTEK_BACKEND_ONEDNN_PRIMITIVE_CACHE_H_
#define REMOTEK_BACKEND_ONEDNN_PRIMITIVE_CACHE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "absl/status/statusor.h"

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "backend/onednn/onednn_runtime.h"

namespace remotek::onednn {

class PrimitiveCache {
 public:
  // Builds the primitive for a key; may throw dnnl::error when oneDNN has no
  // implementation, which GetOrCreate turns into a cached null.
  using Factory = std::function<CachedPrimitive()>;

  struct Stats {
    int64_t hits = 0;
    int64_t misses = 0;
    int64_t unsupported = 0;  // lookups (hit or miss) that returned null
    int64_t size = 0;
    // Lookups that returned a primitive to run.
    int64_t served() const { return hits + misses - unsupported; }
  };

  static PrimitiveCache& Global();

  explicit PrimitiveCache(size_t capacity) : capacity_(capacity) {}
  PrimitiveCache(const PrimitiveCache&) = delete;
  PrimitiveCache& operator=(const PrimitiveCache&) = delete;

  // The primitive cached under `key`, built with `factory` on a miss (outside
  // the lock: two threads missing together may both build; the first insert
  // wins). Null when oneDNN cannot build it.
  std::shared_ptr<const CachedPrimitive> GetOrCreate(const std::string& key,
                                                     const Factory& factory)
      ABSL_LOCKS_EXCLUDED(mu_);

  Stats GetStats() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  const size_t capacity_;
  mutable absl::Mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const CachedPrimitive>> entries_
      ABSL_GUARDED_BY(mu_);
  Stats stats_ ABSL_GUARDED_BY(mu_);
};

// What the kernels call: under ComputeThreads(parallel), the primitive for
// `key` and the granted thread count from the global cache (created under
// that cap on a miss), executed with `buffers`. Returns false (nothing
// written) when oneDNN cannot serve the case, so the kernel falls back;
// errors as Execute.
absl::StatusOr<bool> RunCachedPrimitive(const char* op, const std::string& key, bool parallel,
                                        const PrimitiveCache::Factory& factory,
                                        std::initializer_list<void*> buffers);

}  // namespace remotek::onednn

#endif  // REMOTEK_BACKEND_ONEDNN_PRIMITIVE_CACHE_H_
