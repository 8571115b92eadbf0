#include "backend/onednn/primitive_cache.h"

#include <exception>

#include "absl/strings/str_cat.h"
#include "backend/core/status_macros.h"

namespace remotek::onednn {

PrimitiveCache& PrimitiveCache::Global() {
  static PrimitiveCache* cache = new PrimitiveCache(4096);
  return *cache;
}

std::shared_ptr<const CachedPrimitive> PrimitiveCache::GetOrCreate(
    const std::string& key, const Factory& factory) {
  {
    absl::MutexLock lock(&mu_);
    auto it = entries_.find(key);
    if (it != entries_.end()) {
      ++stats_.hits;
      if (it->second == nullptr) ++stats_.unsupported;
      return it->second;
    }
  }
  std::shared_ptr<const CachedPrimitive> built;
  try {
    built = std::make_shared<const CachedPrimitive>(factory());
  } catch (const std::exception&) {
    // dnnl::error (no implementation for this case) or bad_alloc: callers
    // fall back to their eigen kernel.
    built = nullptr;
  }
  absl::MutexLock lock(&mu_);
  ++stats_.misses;
  if (entries_.size() >= capacity_) entries_.clear();
  auto [it, inserted] = entries_.emplace(key, std::move(built));
  if (it->second == nullptr) ++stats_.unsupported;
  stats_.size = static_cast<int64_t>(entries_.size());
  return it->second;
}

PrimitiveCache::Stats PrimitiveCache::GetStats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

absl::StatusOr<bool> RunCachedPrimitive(const char* op, const std::string& key, bool parallel,
                                        const PrimitiveCache::Factory& factory,
                                        std::initializer_list<void*> buffers) {
  const ComputeThreads threads(parallel);
  const std::shared_ptr<const CachedPrimitive> primitive = PrimitiveCache::Global().GetOrCreate(
      absl::StrCat(key, "|threads=", threads.threads()), factory);
  if (primitive == nullptr) return false;
  REMOTEK_RETURN_IF_ERROR(Execute(op, *primitive, buffers));
  return true;
}

}  // namespace remotek::onednn
