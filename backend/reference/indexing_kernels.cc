// Reference kernels for gather and one_hot (rules in
// backend/core/ops/indexing_ops.cc).
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <variant>

#include "absl/strings/str_cat.h"
#include "backend/reference/reference_kernels.h"

namespace remotek {
namespace {

// "indices[1,2]" for flat position `flat` of `shape` ("indices" for a scalar).
std::string IndexName(const Shape& shape, int64_t flat) {
  std::string out;
  for (int k = shape.rank() - 1; k >= 0; --k) {
    out =
        absl::StrCat(flat % shape.dim(k), k + 1 < shape.rank() ? "," : "", out);
    flat /= shape.dim(k);
  }
  return shape.rank() == 0 ? "indices" : absl::StrCat("indices[", out, "]");
}

// Copies one row (reference.shape[1:]) per index. Out-of-range indices are
// the one runtime error this family has.
absl::Status GatherKernel(const KernelContext& ctx, absl::Span<const Tensor> in,
                          Tensor& out) {
  const Tensor& reference = in[0];
  const Tensor& indices = in[1];
  const int64_t rows = reference.shape().dim(0);
  const int64_t row_bytes = rows == 0 ? 0 : reference.byte_size() / rows;
  const char* x = static_cast<const char*>(reference.raw_data());
  char* y = static_cast<char*>(out.raw_data());
  for (int64_t i = 0; i < indices.num_elements(); ++i) {
    const int64_t index = indices.dtype() == DType::kInt32
                              ? int64_t{indices.data<int32_t>()[i]}
                              : indices.data<int64_t>()[i];
    if (index < 0 || index >= rows) {
      return absl::InvalidArgumentError(absl::StrCat(
          ctx.op, ": ", IndexName(indices.shape(), i), "=", index,
          " is out of range [0, ", rows, ") for reference of shape ",
          reference.shape().ToString()));
    }
    if (row_bytes > 0)
      std::memcpy(y + i * row_bytes, x + index * row_bytes, row_bytes);
  }
  return absl::OkStatus();
}

absl::Status OneHotKernel(const KernelContext& ctx, absl::Span<const Tensor> in,
                          Tensor& out) {
  const int64_t num_classes = std::get<int64_t>(ctx.attrs.at("num_classes"));
  float* y = out.data<float>();
  std::fill(y, y + out.num_elements(), 0.0f);
  DispatchComputeDType(in[0].dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      const T* indices = in[0].data<T>();
      for (int64_t i = 0; i < in[0].num_elements(); ++i) {
        const int64_t c = static_cast<int64_t>(indices[i]);
        if (c >= 0 && c < num_classes) y[i * num_classes + c] = 1.0f;
      }
    }
  });
  return absl::OkStatus();
}

}  // namespace

void AddReferenceIndexingKernels(Backend& backend) {
  backend.AddKernel("gather", GatherKernel);
  backend.AddKernel("one_hot", OneHotKernel);
}

}  // namespace remotek
