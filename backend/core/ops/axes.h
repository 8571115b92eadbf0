// Axis lists and the layouts of reductions over them, shared by every op that
// takes Keras's `axis` argument (reductions, losses, argmax ...) and by every
// backend's kernels for those ops.
//
// Two halves:
//  - for Infer: reading `axis` (int | list of ints | absent = None = every
//    axis), normalising negatives, refusing repeats, and the reduced shape;
//  - for kernels: a ReductionLayout that splits a row-major tensor into the
//    slices a reduction visits, walked with StridedWalker without allocating
//    per-element index tables.
//
// Thread-safety: free functions and value types; a StridedWalker is used by
// one thread at a time.
#ifndef REMOTEK_BACKEND_CORE_OPS_AXES_H_
#define REMOTEK_BACKEND_CORE_OPS_AXES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "backend/core/attrs.h"
#include "backend/core/shape.h"

namespace remotek {

// Normalises `axes` against `rank`: each entry must lie in [-rank, rank);
// negatives get `rank` added. Returns them sorted ascending.
// INVALID_ARGUMENT naming `op`, `arg` and the value when an entry is out of
// range ("sum: axis[1]=3 is out of range for rank 2 (valid: [-2, 2))") or two
// entries name one axis ("sum: axis[1]=-1 repeats axis 1 (axis=[1, -1])").
// Example: NormalizeAxes({-1, 0}, 3, ...) == {0, 2}.
absl::StatusOr<std::vector<int64_t>> NormalizeAxes(
    absl::Span<const int64_t> axes, int rank, const std::string& op,
    const std::string& arg);

// Reads the reduction attribute `arg` of `op` for an input of `rank`:
//   absent           -> every axis, {0, 1, ..., rank-1} (Keras's axis=None);
//   an int           -> that one axis (errors say "axis=5");
//   a list of ints   -> those axes (errors say "axis[1]=5"); [] reduces
//   nothing.
// Result as NormalizeAxes. INVALID_ARGUMENT also for any other attr type.
absl::StatusOr<std::vector<int64_t>> ReadReductionAxes(const std::string& op,
                                                       const AttrMap& attrs,
                                                       const std::string& arg,
                                                       int rank);

// The shape left after reducing `axes` (normalised and sorted) of `in`: those
// dims are dropped, or kept as 1 when `keepdims`. Unknown dims elsewhere are
// carried through. Example: ((2, None, 4), {1}, false) -> (2, 4).
Shape ReducedShape(const Shape& in, absl::Span<const int64_t> axes,
                   bool keepdims);

// Row-major element strides of `shape` (the last dim has stride 1).
// REQUIRES: shape fully defined.
std::vector<int64_t> RowMajorStrides(const Shape& shape);

// How a reduction over `axes` visits a row-major tensor. The kept dims (in
// order) enumerate the output elements in row-major order, which is the output
// tensor's own order with or without keepdims; the reduced dims (in order)
// enumerate the elements of one slice. Input element (output o, slice r) lives
// at outer_offset(o) + inner_offset(r), the offsets produced by StridedWalkers
// over (outer_sizes, outer_strides) and (inner_sizes, inner_strides).
struct ReductionLayout {
  std::vector<int64_t> outer_sizes, outer_strides;  // kept dims
  std::vector<int64_t> inner_sizes, inner_strides;  // reduced dims
  int64_t num_outputs = 1;                          // product of outer_sizes
  int64_t slice_size = 1;  // product of inner_sizes (0 for an empty axis)
};

// REQUIRES: shape fully defined; axes normalised, sorted, unique.
ReductionLayout MakeReductionLayout(const Shape& shape,
                                    absl::Span<const int64_t> axes);

// Walks the element offsets of a strided view (sizes[k] elements, strides[k]
// apart, along dim k) in row-major order, O(1) amortised per step.
//   StridedWalker w(sizes, strides);
//   for (int64_t i = 0; i < count; ++i, w.Next()) use(data[w.offset()]);
// After the last element it wraps back to offset 0, so a walker can be
// reused to visit the same view again. REQUIRES: sizes.size() ==
// strides.size().
class StridedWalker {
 public:
  StridedWalker(std::vector<int64_t> sizes, std::vector<int64_t> strides);
  int64_t offset() const { return offset_; }
  void Next();

 private:
  std::vector<int64_t> sizes_;
  std::vector<int64_t> strides_;
  std::vector<int64_t> index_;
  int64_t offset_ = 0;
};

}  // namespace remotek

#endif  // REMOTEK_BACKEND_CORE_OPS_AXES_H_
