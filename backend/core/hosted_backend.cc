#include "backend/core/hosted_backend.h"

#include <iterator>

#include "backend/core/session_state.h"

namespace remotek {

std::vector<DType> EngineBackend::SupportedDTypes() const {
  // The engine runs every op on every dtype its Infer accepts (float16 widened
  // to float32 around kernels), so the backend supports all of them.
  return std::vector<DType>(std::begin(kAllDTypes), std::end(kAllDTypes));
}

absl::StatusOr<std::unique_ptr<KerasSession>> EngineBackend::NewSession(
    const OpConfig& config, std::shared_ptr<MemoryAccount> account) const {
  return std::make_unique<SessionState>(kernels_.get(), config, std::move(account));
}

}  // namespace remotek
