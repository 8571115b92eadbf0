#include "backend/core/ops/axes.h"

#include <algorithm>
#include <variant>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "backend/core/status_macros.h"

namespace remotek {
namespace {

// Shared by both spellings of an axis attribute: `arg_of(i)` names entry i in
// messages ("axis" for a single int, "axis[i]" for a list).
template <typename ArgName>
absl::StatusOr<std::vector<int64_t>> NormalizeAxesNamed(
    absl::Span<const int64_t> axes, int rank, const std::string& op,
    const std::string& arg, ArgName arg_of) {
  std::vector<int64_t> out;
  out.reserve(axes.size());
  std::vector<bool> seen(rank, false);
  for (size_t i = 0; i < axes.size(); ++i) {
    REMOTEK_ASSIGN_OR_RETURN(int axis,
                             NormalizeAxis(axes[i], rank, op, arg_of(i)));
    if (seen[axis]) {
      return absl::InvalidArgumentError(
          absl::StrCat(op, ": ", arg_of(i), "=", axes[i], " repeats axis ",
                       axis, " (", arg, "=[", absl::StrJoin(axes, ", "), "])"));
    }
    seen[axis] = true;
    out.push_back(axis);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

absl::StatusOr<std::vector<int64_t>> NormalizeAxes(
    absl::Span<const int64_t> axes, int rank, const std::string& op,
    const std::string& arg) {
  return NormalizeAxesNamed(axes, rank, op, arg, [&](size_t i) {
    return absl::StrCat(arg, "[", i, "]");
  });
}

absl::StatusOr<std::vector<int64_t>> ReadReductionAxes(const std::string& op,
                                                       const AttrMap& attrs,
                                                       const std::string& arg,
                                                       int rank) {
  auto it = attrs.find(arg);
  if (it == attrs.end()) {
    std::vector<int64_t> all(rank);
    for (int i = 0; i < rank; ++i) all[i] = i;
    return all;
  }
  if (const int64_t* single = std::get_if<int64_t>(&it->second)) {
    const int64_t axes[] = {*single};
    return NormalizeAxesNamed(axes, rank, op, arg, [&](size_t) { return arg; });
  }
  AttrReader reader(op, attrs);
  REMOTEK_ASSIGN_OR_RETURN(std::vector<int64_t> list, reader.RequiredInts(arg));
  return NormalizeAxes(list, rank, op, arg);
}

Shape ReducedShape(const Shape& in, absl::Span<const int64_t> axes,
                   bool keepdims) {
  std::vector<int64_t> dims;
  dims.reserve(in.rank());
  size_t next = 0;  // axes are sorted
  for (int i = 0; i < in.rank(); ++i) {
    const bool reduced = next < axes.size() && axes[next] == i;
    if (reduced) {
      ++next;
      if (keepdims) dims.push_back(1);
    } else {
      dims.push_back(in.dim(i));
    }
  }
  return Shape(std::move(dims));
}

std::vector<int64_t> RowMajorStrides(const Shape& shape) {
  std::vector<int64_t> strides(shape.rank());
  int64_t stride = 1;
  for (int i = shape.rank() - 1; i >= 0; --i) {
    strides[i] = stride;
    stride *= shape.dim(i);
  }
  return strides;
}

ReductionLayout MakeReductionLayout(const Shape& shape,
                                    absl::Span<const int64_t> axes) {
  const std::vector<int64_t> strides = RowMajorStrides(shape);
  ReductionLayout layout;
  size_t next = 0;
  for (int i = 0; i < shape.rank(); ++i) {
    if (next < axes.size() && axes[next] == i) {
      ++next;
      layout.inner_sizes.push_back(shape.dim(i));
      layout.inner_strides.push_back(strides[i]);
      layout.slice_size *= shape.dim(i);
    } else {
      layout.outer_sizes.push_back(shape.dim(i));
      layout.outer_strides.push_back(strides[i]);
      layout.num_outputs *= shape.dim(i);
    }
  }
  return layout;
}

StridedWalker::StridedWalker(std::vector<int64_t> sizes,
                             std::vector<int64_t> strides)
    : sizes_(std::move(sizes)),
      strides_(std::move(strides)),
      index_(sizes_.size(), 0) {}

void StridedWalker::Next() {
  for (int k = static_cast<int>(sizes_.size()) - 1; k >= 0; --k) {
    offset_ += strides_[k];
    if (++index_[k] < sizes_[k]) return;
    offset_ -= strides_[k] * index_[k];
    index_[k] = 0;
  }
}

}  // namespace remotek
