// Tensor shapes. A dim of kUnknownDim (-1) is Keras's None: allowed in the
// static shapes of placeholders and inferred nodes, never in a concrete tensor.
#ifndef REMOTEK_BACKEND_CORE_SHAPE_H_
#define REMOTEK_BACKEND_CORE_SHAPE_H_

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace remotek {

inline constexpr int64_t kUnknownDim = -1;
// Ranks above this are refused everywhere (TensorFlow's own limit is 254).
inline constexpr int kMaxRank = 32;

class Shape {
 public:
  Shape() = default;  // scalar
  Shape(std::initializer_list<int64_t> dims) : dims_(dims) {}
  explicit Shape(std::vector<int64_t> dims) : dims_(std::move(dims)) {}
  explicit Shape(absl::Span<const int64_t> dims) : dims_(dims.begin(), dims.end()) {}

  // An unknown-rank-free shape with every dim unknown (placeholder(ndim=n)).
  static Shape Unknown(int rank) {
    return Shape(std::vector<int64_t>(rank, kUnknownDim));
  }

  int rank() const { return static_cast<int>(dims_.size()); }
  int64_t dim(int i) const { return dims_[i]; }
  const std::vector<int64_t>& dims() const { return dims_; }
  std::vector<int64_t>& mutable_dims() { return dims_; }
  bool IsFullyDefined() const;

  // Product of the dims, overflow-checked. REQUIRES: fully defined.
  // INVALID_ARGUMENT when the product does not fit in int64.
  absl::StatusOr<int64_t> NumElements() const;

  // True when `concrete` has the same rank and equal dims wherever this shape
  // knows its dim.
  bool Accepts(const Shape& concrete) const;
  // True when some concrete shape could satisfy both (unknown matches anything).
  bool IsCompatibleWith(const Shape& other) const;

  // Keras-style text: "(None, 4, 5)", "()" for scalars, "(3,)" for rank 1.
  std::string ToString() const;

  bool operator==(const Shape& other) const { return dims_ == other.dims_; }
  bool operator!=(const Shape& other) const { return dims_ != other.dims_; }

 private:
  std::vector<int64_t> dims_;
};

// Checks dims a client sent: rank <= kMaxRank, each dim >= 0 (or unknown when
// `allow_unknown`), element count fits int64. `what` names the field in errors.
absl::Status ValidateDims(absl::Span<const int64_t> dims, bool allow_unknown,
                          const std::string& what);

// a*b with overflow detection; false on overflow.
bool CheckedMul(int64_t a, int64_t b, int64_t* out);

// Normalises a possibly negative axis against `rank`; INVALID_ARGUMENT naming
// op and argument when out of [-rank, rank).
absl::StatusOr<int> NormalizeAxis(int64_t axis, int rank, const std::string& op,
                                  const std::string& arg);

}  // namespace remotek

#endif  // REMOTEK_BACKEND_CORE_SHAPE_H_
