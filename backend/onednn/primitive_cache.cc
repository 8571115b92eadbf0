#include "backend/onednn/primitive_cache.h"

#include <exception>

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
      return it->second;
    }
  }
  std::shared_ptr<const CachedPrimitive> built;
  try {
    // Plan the primitive for the whole thread budget; executions may use less.
    ComputeThreads threads(/*full_budget=*/true);
    built = std::make_shared<const CachedPrimitive>(factory());
  } catch (const std::exception&) {
    // dnnl::error (no implementation for this case) or bad_alloc: callers
    // fall back to their eigen kernel.
    built = nullptr;
  }
  absl::MutexLock lock(&mu_);
  ++stats_.misses;
  if (built == nullptr) ++stats_.unsupported;
  if (entries_.size() >= capacity_) entries_.clear();
  auto [it, inserted] = entries_.emplace(key, std::move(built));
  stats_.size = static_cast<int64_t>(entries_.size());
  return it->second;
}

PrimitiveCache::Stats PrimitiveCache::GetStats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

}  // namespace remotek::onednn
