#include "backend/core/ops/broadcast.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace remotek {
namespace {

// Dim `k` counted from the end (k = 1 is the last dim); 1 past the rank.
int64_t DimFromEnd(const Shape& s, int k) {
  return k <= s.rank() ? s.dim(s.rank() - k) : 1;
}

}  // namespace

absl::StatusOr<Shape> BroadcastShapes(const Shape& x, const Shape& y,
                                      absl::string_view op,
                                      absl::string_view x_name,
                                      absl::string_view y_name) {
  const int rank = std::max(x.rank(), y.rank());
  std::vector<int64_t> dims(rank);
  for (int k = 1; k <= rank; ++k) {
    const int64_t a = DimFromEnd(x, k);
    const int64_t b = DimFromEnd(y, k);
    int64_t d;
    if (a == b || b == 1) {
      d = a;
    } else if (a == 1) {
      d = b;
    } else if (a == kUnknownDim || b == kUnknownDim) {
      d = a == kUnknownDim ? b : a;
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          op, ": cannot broadcast ", x_name, " of shape ", x.ToString(),
          " with ", y_name, " of shape ", y.ToString(), ": dims ", a, " and ",
          b, " differ at axis ", -k, " and neither is 1"));
    }
    dims[rank - k] = d;
  }
  Shape result(std::move(dims));
  int64_t count = 1;
  for (int64_t d : result.dims()) {
    if (d != kUnknownDim && !CheckedMul(count, d, &count)) {
      return absl::InvalidArgumentError(absl::StrCat(
          op, ": broadcasting ", x_name, " of shape ", x.ToString(), " with ",
          y_name, " of shape ", y.ToString(), " gives shape ",
          result.ToString(), ", whose element count overflows int64"));
    }
  }
  return result;
}

bool BroadcastsTo(const Shape& in, const Shape& out) {
  if (in.rank() > out.rank()) return false;
  for (int k = 1; k <= in.rank(); ++k) {
    const int64_t d = DimFromEnd(in, k);
    if (d != 1 && d != DimFromEnd(out, k)) return false;
  }
  return true;
}

BroadcastLayout::BroadcastLayout(absl::Span<const Shape> operands,
                                 const Shape& output)
    : num_operands_(static_cast<int>(operands.size())) {
  num_elements_ = 1;
  for (int64_t d : output.dims()) num_elements_ *= d;

  // Per output dim, innermost first: its size and each operand's stride.
  std::vector<int64_t> sizes;
  std::vector<Offsets> strides;
  Offsets contiguous;  // each operand's row-major stride at the current dim
  contiguous.fill(1);
  for (int k = 1; k <= output.rank(); ++k) {
    const int64_t size = DimFromEnd(output, k);
    Offsets s{};
    for (int i = 0; i < num_operands_; ++i) {
      const int64_t in_dim = DimFromEnd(operands[i], k);
      s[i] = in_dim == 1 ? 0 : contiguous[i];
      contiguous[i] *= in_dim;
    }
    if (size == 1) continue;  // contributes nothing to any index
    // Merge into the inner neighbour when every operand continues it.
    bool merge = !sizes.empty();
    for (int i = 0; merge && i < num_operands_; ++i) {
      merge = s[i] == strides.back()[i] * sizes.back();
    }
    if (merge) {
      sizes.back() *= size;
    } else {
      sizes.push_back(size);
      strides.push_back(s);
    }
  }
  if (sizes.empty()) {
    sizes.push_back(1);
    strides.push_back(Offsets{});
  }
  dims_.assign(sizes.rbegin(), sizes.rend());
  strides_.assign(strides.rbegin(), strides.rend());
}

int64_t BroadcastLayout::OperandIndex(int operand, int64_t out_index) const {
  int64_t offset = 0;
  for (int d = static_cast<int>(dims_.size()) - 1; d >= 0; --d) {
    offset += (out_index % dims_[d]) * strides_[d][operand];
    out_index /= dims_[d];
  }
  return offset;
}

}  // namespace remotek
