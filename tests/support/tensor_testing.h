// Helpers to build tensors from literals and read them back in tests.
#ifndef REMOTEK_TESTS_SUPPORT_TENSOR_TESTING_H_
#define REMOTEK_TESTS_SUPPORT_TENSOR_TESTING_H_

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "backend/core/attrs.h"
#include "backend/core/backend.h"
#include "backend/core/cast.h"
#include "backend/core/op_registry.h"
#include "backend/core/op_runner.h"
#include "backend/core/status_macros.h"
#include "backend/core/tensor.h"

namespace remotek::testing {

// A tensor of `shape` holding `values` (row-major), uncounted. Aborts the
// test binary on misuse, which is a bug in the test itself.
template <typename T>
Tensor MakeTensor(const Shape& shape, const std::vector<T>& values) {
  Tensor t = Tensor::Allocate(DTypeOf<T>::value, shape, nullptr).value();
  if (static_cast<int64_t>(values.size()) != t.num_elements()) std::abort();
  if constexpr (std::is_same_v<T, bool>) {
    for (size_t i = 0; i < values.size(); ++i) t.data<bool>()[i] = values[i];
  } else if (!values.empty()) {
    std::memcpy(t.raw_data(), values.data(), values.size() * sizeof(T));
  }
  return t;
}

// A tensor of another dtype built from doubles (via cast rules).
inline Tensor MakeTensorAs(DType dtype, const Shape& shape,
                           const std::vector<double>& values) {
  return CastTensor(MakeTensor<double>(shape, values), dtype, nullptr).value();
}

template <typename T>
std::vector<T> Values(const Tensor& t) {
  std::vector<T> out(t.num_elements());
  for (int64_t i = 0; i < t.num_elements(); ++i) out[i] = t.data<T>()[i];
  return out;
}

// Any tensor's elements as doubles (via cast rules).
inline std::vector<double> ValuesAsDouble(const Tensor& t) {
  return Values<double>(CastTensor(t, DType::kFloat64, nullptr).value());
}

// Runs `op` through the registry and the op runner on `backend`.
inline absl::StatusOr<Tensor> Run(const Backend& backend, const std::string& op,
                                  std::vector<Tensor> inputs,
                                  const AttrMap& attrs = {},
                                  const OpConfig& config = {}) {
  REMOTEK_ASSIGN_OR_RETURN(const OpDef* def, OpRegistry::Global().Find(op));
  return RunOp(backend, *def, inputs, attrs, config, nullptr);
}

// Static inference only (shapes may hold kUnknownDim).
inline absl::StatusOr<TensorSpec> Infer(const std::string& op,
                                        std::vector<TensorSpec> inputs,
                                        const AttrMap& attrs = {},
                                        const OpConfig& config = {}) {
  REMOTEK_ASSIGN_OR_RETURN(const OpDef* def, OpRegistry::Global().Find(op));
  REMOTEK_ASSIGN_OR_RETURN(InferResult r, InferOp(*def, inputs, attrs, config));
  return r.output;
}

}  // namespace remotek::testing

#endif  // REMOTEK_TESTS_SUPPORT_TENSOR_TESTING_H_
