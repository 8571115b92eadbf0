#include "backend/core/backend.h"

namespace remotek {

std::vector<std::string> Backend::SupportedOps() const {
  std::vector<std::string> ops;
  ops.reserve(kernels_.size());
  for (const auto& [op, fn] : kernels_) ops.push_back(op);
  return ops;
}

}  // namespace remotek
