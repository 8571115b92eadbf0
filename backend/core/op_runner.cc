#include "backend/core/op_runner.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "backend/core/cast.h"
#include "backend/core/status_macros.h"

namespace remotek {
namespace {

std::vector<TensorSpec> SpecsOf(absl::Span<const Tensor> tensors) {
  std::vector<TensorSpec> specs;
  specs.reserve(tensors.size());
  for (const Tensor& t : tensors) specs.push_back({t.dtype(), t.shape()});
  return specs;
}

absl::StatusOr<Tensor> RunKernel(const KernelFn& kernel, const OpDef& def,
                                 absl::Span<const Tensor> inputs,
                                 const InferResult& inferred,
                                 const OpConfig& config,
                                 const std::shared_ptr<MemoryAccount>& account) {
  REMOTEK_ASSIGN_OR_RETURN(
      Tensor output, Tensor::Allocate(inferred.output.dtype,
                                      inferred.output.shape, account));
  KernelContext ctx{def.name, inferred.attrs, config};
  REMOTEK_RETURN_IF_ERROR(kernel(ctx, inputs, output));
  return output;
}

}  // namespace

absl::Status CheckBackendSupports(const Backend& backend, const std::string& op) {
  if (backend.SupportsOp(op)) return absl::OkStatus();
  return absl::UnimplementedError(absl::StrCat(
      "backend \"", backend.name(), "\" has no kernel for op \"", op, "\""));
}

absl::StatusOr<Tensor> RunOp(const Backend& backend, const OpDef& def,
                             absl::Span<const Tensor> inputs, const AttrMap& attrs,
                             const OpConfig& config,
                             const std::shared_ptr<MemoryAccount>& account) {
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].valid()) {
      return absl::InvalidArgumentError(
          absl::StrCat(def.name, ": input ", i, " has no value"));
    }
  }
  const std::vector<TensorSpec> specs = SpecsOf(inputs);
  REMOTEK_ASSIGN_OR_RETURN(InferResult inferred,
                           InferOp(def, specs, attrs, config));
  if (def.aliases_input) {
    return inputs[0].WithShape(inferred.output.shape);
  }
  const KernelFn* kernel = backend.FindKernel(def.name);
  if (kernel == nullptr) {
    REMOTEK_RETURN_IF_ERROR(CheckBackendSupports(backend, def.name));
  }

  bool has_half = false;
  for (const Tensor& t : inputs) has_half |= t.dtype() == DType::kFloat16;
  if (!has_half || !def.widen_float16) {
    return RunKernel(*kernel, def, inputs, inferred, config, account);
  }

  // Widen float16 inputs, re-infer on float32 so the kernel sees consistent
  // dtypes, then narrow whatever came out as float32 back to float16.
  std::vector<Tensor> wide;
  wide.reserve(inputs.size());
  for (const Tensor& t : inputs) {
    if (t.dtype() == DType::kFloat16) {
      REMOTEK_ASSIGN_OR_RETURN(Tensor w, CastTensor(t, DType::kFloat32, account));
      wide.push_back(std::move(w));
    } else {
      wide.push_back(t);
    }
  }
  REMOTEK_ASSIGN_OR_RETURN(
      InferResult wide_inferred,
      InferOp(def, SpecsOf(wide), attrs, config));
  REMOTEK_ASSIGN_OR_RETURN(
      Tensor result, RunKernel(*kernel, def, wide, wide_inferred, config, account));
  wide.clear();  // free the widened copies before narrowing
  if (inferred.output.dtype == DType::kFloat16 &&
      result.dtype() == DType::kFloat32) {
    return CastTensor(result, DType::kFloat16, account);
  }
  return result;
}

}  // namespace remotek
