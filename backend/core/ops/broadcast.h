// Numpy broadcasting, shared by every op that combines operands of different
// shapes and by every backend's kernels.
//
//  - Infer side: BroadcastShapes computes the result shape of two operands on
//    static shapes, carrying unknown dims (kUnknownDim, Keras's None) through.
//  - Kernel side: BroadcastLayout maps each element of a broadcast's output to
//    the element every operand contributes, with a row-major walk whose inner
//    loop only adds strides.
//
// Numpy's rule: shapes are aligned at their last dims (missing leading dims
// count as 1); at each position the dims must be equal or one of them 1, and
// the result takes the larger.
#ifndef REMOTEK_BACKEND_CORE_OPS_BROADCAST_H_
#define REMOTEK_BACKEND_CORE_OPS_BROADCAST_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "backend/core/shape.h"

namespace remotek {

// The shape `x` and `y` broadcast to. Unknown dims combine as TensorFlow's
// static inference does:
//   None with 1 -> None,  None with None -> None,
//   None with n (n != 1) -> n  (the None must turn out to be n or 1; the
//                               inference on concrete shapes checks it).
// INVALID_ARGUMENT naming `op`, both operands and their shapes when two known
// dims differ and neither is 1, e.g.
//   "add: cannot broadcast x of shape (2, 3) with y of shape (4,): dims 3 and 4
//    differ at axis -1 and neither is 1"
// or when the known dims of the result overflow int64 elements.
// `x_name`/`y_name` are the Keras argument names used in messages.
absl::StatusOr<Shape> BroadcastShapes(const Shape& x, const Shape& y,
                                      absl::string_view op,
                                      absl::string_view x_name = "x",
                                      absl::string_view y_name = "y");

// True when concrete `in` broadcasts to concrete `out` without changing `out`
// (rank(in) <= rank(out) and every aligned dim of `in` is 1 or equal).
bool BroadcastsTo(const Shape& in, const Shape& out);

// How the operands of a broadcast map onto its output. Output dims of size 1
// are dropped and adjacent dims merged wherever every operand either spans
// both contiguously or broadcasts both, so equal shapes collapse to one dim
// with stride 1 and a scalar operand to stride 0: the general walk is then
// also the fast one.
//
// Example — z = x + y with x (2, 3), y (3,), z (2, 3), all row-major:
//   BroadcastLayout layout({x.shape(), y.shape()}, z.shape());
//   layout.ForEach([&](int64_t o, const int64_t* in) {
//     z_data[o] = x_data[in[0]] + y_data[in[1]];
//   });
//
// Thread-safety: immutable after construction; ForEachInRange lets callers
// split one output between threads.
class BroadcastLayout {
 public:
  static constexpr int kMaxOperands = 4;

  // REQUIRES: 1 <= operands.size() <= kMaxOperands; all shapes fully defined;
  // BroadcastsTo(operand, output) for each (Infer has checked all of this).
  BroadcastLayout(absl::Span<const Shape> operands, const Shape& output);

  int num_operands() const { return num_operands_; }
  // Element count of the output.
  int64_t num_elements() const { return num_elements_; }
  // The collapsed output dims, outermost first; never empty (a one-element
  // output is {1}).
  const std::vector<int64_t>& dims() const { return dims_; }
  // Element stride of `operand` along collapsed dim `d`; 0 where it broadcasts.
  int64_t stride(int operand, int d) const { return strides_[d][operand]; }

  // Flat row-major index into `operand` of the element read for output
  // element `out_index`. O(rank); for random access, not for loops.
  int64_t OperandIndex(int operand, int64_t out_index) const;

  // Calls fn(out_index, operand_index) for every output element in row-major
  // order, where operand_index[i] is the flat index into operand i
  // (a `const int64_t*` with num_operands() entries).
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    ForEachInRange(0, num_elements_, fn);
  }

  // As ForEach, for output indices in [begin, end) only.
  // REQUIRES: 0 <= begin <= end <= num_elements().
  template <typename Fn>
  void ForEachInRange(int64_t begin, int64_t end, Fn&& fn) const;

 private:
  using Offsets = std::array<int64_t, kMaxOperands>;

  int num_operands_ = 0;
  int64_t num_elements_ = 0;
  std::vector<int64_t> dims_;
  std::vector<Offsets> strides_;  // strides_[d][operand]
};

template <typename Fn>
void BroadcastLayout::ForEachInRange(int64_t begin, int64_t end,
                                     Fn&& fn) const {
  if (begin >= end) return;
  const int rank = static_cast<int>(dims_.size());
  const int inner = rank - 1;
  // Multi-index and operand offsets of `begin`.
  std::vector<int64_t> index(rank);
  Offsets offsets{};
  int64_t rest = begin;
  for (int d = inner; d >= 0; --d) {
    index[d] = rest % dims_[d];
    rest /= dims_[d];
    for (int i = 0; i < num_operands_; ++i)
      offsets[i] += index[d] * strides_[d][i];
  }
  const Offsets& step = strides_[inner];
  int64_t out = begin;
  while (true) {
    // The inner run: consecutive output elements, constant operand steps.
    const int64_t run = std::min(dims_[inner] - index[inner], end - out);
    for (int64_t k = 0; k < run; ++k) {
      fn(out, offsets.data());
      ++out;
      for (int i = 0; i < num_operands_; ++i) offsets[i] += step[i];
    }
    if (out >= end) return;
    // Carry into the outer dims; offsets rewind what the finished dims added.
    for (int i = 0; i < num_operands_; ++i)
      offsets[i] -= dims_[inner] * step[i];
    index[inner] = 0;
    for (int d = inner - 1; d >= 0; --d) {
      ++index[d];
      for (int i = 0; i < num_operands_; ++i) offsets[i] += strides_[d][i];
      if (index[d] < dims_[d]) break;
      for (int i = 0; i < num_operands_; ++i)
        offsets[i] -= dims_[d] * strides_[d][i];
      index[d] = 0;
    }
  }
}

}  // namespace remotek

#endif  // REMOTEK_BACKEND_CORE_OPS_BROADCAST_H_
