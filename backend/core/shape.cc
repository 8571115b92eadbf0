#include "backend/core/shape.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace remotek {

bool CheckedMul(int64_t a, int64_t b, int64_t* out) {
  return !__builtin_mul_overflow(a, b, out);
}

bool Shape::IsFullyDefined() const {
  for (int64_t d : dims_) {
    if (d < 0) return false;
  }
  return true;
}

absl::StatusOr<int64_t> Shape::NumElements() const {
  int64_t n = 1;
  for (int64_t d : dims_) {
    if (d < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("shape ", ToString(), " is not fully defined"));
    }
    if (!CheckedMul(n, d, &n)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "shape ", ToString(), " has more elements than fit in int64"));
    }
  }
  return n;
}

bool Shape::Accepts(const Shape& concrete) const {
  if (concrete.rank() != rank()) return false;
  for (int i = 0; i < rank(); ++i) {
    if (dims_[i] != kUnknownDim && dims_[i] != concrete.dims_[i]) return false;
  }
  return true;
}

bool Shape::IsCompatibleWith(const Shape& other) const {
  if (other.rank() != rank()) return false;
  for (int i = 0; i < rank(); ++i) {
    if (dims_[i] != kUnknownDim && other.dims_[i] != kUnknownDim &&
        dims_[i] != other.dims_[i])
      return false;
  }
  return true;
}

std::string Shape::ToString() const {
  std::string out = "(";
  for (int i = 0; i < rank(); ++i) {
    if (i > 0) absl::StrAppend(&out, ", ");
    if (dims_[i] < 0) {
      absl::StrAppend(&out, "None");
    } else {
      absl::StrAppend(&out, dims_[i]);
    }
  }
  if (rank() == 1) absl::StrAppend(&out, ",");
  absl::StrAppend(&out, ")");
  return out;
}

absl::Status ValidateDims(absl::Span<const int64_t> dims, bool allow_unknown,
                          const std::string& what) {
  if (dims.size() > static_cast<size_t>(kMaxRank)) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, " has rank ", dims.size(), ", above the limit of ", kMaxRank));
  }
  int64_t n = 1;
  for (size_t i = 0; i < dims.size(); ++i) {
    const int64_t d = dims[i];
    if (d == kUnknownDim && allow_unknown) continue;
    if (d < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          what, "[", i, "]=", d, " is negative",
          allow_unknown ? " (use -1 for an unknown dim)" : ""));
    }
    if (!CheckedMul(n, d, &n)) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, " [", absl::StrJoin(dims, ", "),
                       "] has more elements than fit in int64"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<int> NormalizeAxis(int64_t axis, int rank, const std::string& op,
                                  const std::string& arg) {
  if (axis < -rank || axis >= rank) {
    return absl::InvalidArgumentError(
        absl::StrCat(op, ": ", arg, "=", axis, " is out of range for rank ",
                     rank, " (valid: [", -rank, ", ", rank, "))"));
  }
  return static_cast<int>(axis < 0 ? axis + rank : axis);
}

}  // namespace remotek
