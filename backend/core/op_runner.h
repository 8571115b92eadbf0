// Runs one op on concrete tensors: the single path both eager requests and
// compiled functions take to a kernel.
#ifndef REMOTEK_BACKEND_CORE_OP_RUNNER_H_
#define REMOTEK_BACKEND_CORE_OP_RUNNER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "backend/core/backend.h"
#include "backend/core/op_registry.h"

namespace remotek {

// Infers on the concrete input shapes, allocates the output against `account`
// and runs `backend`'s kernel. float16 is widened to float32 around the kernel.
// Errors: the op's INVALID_ARGUMENT from Infer, UNIMPLEMENTED when the backend
// has no kernel, RESOURCE_EXHAUSTED from the account.
absl::StatusOr<Tensor> RunOp(const Backend& backend, const OpDef& def,
                             absl::Span<const Tensor> inputs, const AttrMap& attrs,
                             const OpConfig& config,
                             const std::shared_ptr<MemoryAccount>& account);

// UNIMPLEMENTED "backend \"x\" has no kernel for op \"y\"" when unsupported.
absl::Status CheckBackendSupports(const Backend& backend, const std::string& op);

}  // namespace remotek

#endif  // REMOTEK_BACKEND_CORE_OP_RUNNER_H_
