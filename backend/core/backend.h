// A compute backend: a name and a table of kernels, one per op it supports.
// The engine asks SupportsOp before building a node, so an op a backend lacks
// is refused (UNIMPLEMENTED naming op and backend) before anything runs.
#ifndef REMOTEK_BACKEND_CORE_BACKEND_H_
#define REMOTEK_BACKEND_CORE_BACKEND_H_

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "backend/core/attrs.h"
#include "backend/core/op_config.h"
#include "backend/core/tensor.h"

namespace remotek {

struct KernelContext {
  const std::string& op;
  const AttrMap& attrs;  // canonical attrs from the op's Infer
  const OpConfig& config;
};

// Computes `output` (already allocated with the inferred dtype and shape) from
// `inputs`, which Infer has validated against the same concrete shapes. Kernels
// must not fail on inputs Infer accepted; the Status is for resource errors.
using KernelFn = std::function<absl::Status(
    const KernelContext& ctx, absl::Span<const Tensor> inputs, Tensor& output)>;

// Thread-safety: kernels are added during construction only; afterwards the
// table is read-only and kernels may run concurrently.
class Backend {
 public:
  explicit Backend(std::string name) : name_(std::move(name)) {}
  virtual ~Backend() = default;
  Backend(const Backend&) = delete;
  Backend& operator=(const Backend&) = delete;

  const std::string& name() const { return name_; }
  // Adds or replaces the kernel for `op`.
  void AddKernel(const std::string& op, KernelFn fn) { kernels_[op] = std::move(fn); }
  const KernelFn* FindKernel(const std::string& op) const {
    auto it = kernels_.find(op);
    return it == kernels_.end() ? nullptr : &it->second;
  }
  bool SupportsOp(const std::string& op) const { return kernels_.count(op) > 0; }
  std::vector<std::string> SupportedOps() const;

 private:
  std::string name_;
  std::map<std::string, KernelFn> kernels_;
};

}  // namespace remotek

#endif  // REMOTEK_BACKEND_CORE_BACKEND_H_
