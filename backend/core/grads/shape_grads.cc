// Gradients of the shape ops and of the gradient helper ops. The aliasing
// reshapes give g back under x's runtime shape (reshape_like);
// permute_dimensions applies the inverse pattern; concatenate and stack
// slice g, which needs each input's size along the axis known statically.
// repeat sums the copies; tile and slice have no gradient yet; stop_gradient, ones_like and
// zeros_like are non-differentiable (as in TF).
#include <vector>

#include "absl/strings/str_cat.h"
#include "backend/core/gradient_registry.h"
#include "backend/core/status_macros.h"

namespace remotek {
namespace {

using Grads = std::vector<std::optional<int>>;

absl::StatusOr<Grads> ReshapeLikeX(GradBuilder& b, int g) {
  Grads out(b.num_inputs());
  REMOTEK_ASSIGN_OR_RETURN(out[0], b.Op("reshape_like", {g, b.input(0)}));
  return out;
}

absl::StatusOr<Grads> PermuteGrad(GradBuilder& b, int g) {
  const auto& pattern = std::get<std::vector<int64_t>>(b.attrs().at("pattern"));
  std::vector<int64_t> inverse(pattern.size());
  for (size_t i = 0; i < pattern.size(); ++i) inverse[pattern[i]] = static_cast<int64_t>(i);
  REMOTEK_ASSIGN_OR_RETURN(int gx, b.Op("permute_dimensions", {g}, {{"pattern", inverse}}));
  return Grads{gx};
}

absl::Status UnknownAlongAxis(GradBuilder& b, int i) {
  return absl::InvalidArgumentError(absl::StrCat(
      "gradients: no gradient defined for op \"", b.forward().def->name, "\" (node \"",
      b.forward().name, "\") when input ", i, " has shape ",
      b.spec(b.input(i)).shape.ToString(), " (its size along axis must be known)"));
}

// The block of g at `offset`, `size` along `axis`, everything along the others.
absl::StatusOr<int> Block(GradBuilder& b, int g, int64_t axis, int64_t offset, int64_t size) {
  const int rank = b.spec(g).shape.rank();
  std::vector<int64_t> start(rank, 0), sizes(rank, -1);
  start[axis] = offset;
  sizes[axis] = size;
  return b.Op("slice", {g}, {{"start", start}, {"size", sizes}});
}

absl::StatusOr<Grads> ConcatenateGrad(GradBuilder& b, int g) {
  const int64_t axis = std::get<int64_t>(b.attrs().at("axis"));
  Grads out(b.num_inputs());
  int64_t offset = 0;
  for (int i = 0; i < b.num_inputs(); ++i) {
    const int64_t d = b.spec(b.input(i)).shape.dim(static_cast<int>(axis));
    if (d == kUnknownDim) return UnknownAlongAxis(b, i);
    if (b.needs(i)) { REMOTEK_ASSIGN_OR_RETURN(out[i], Block(b, g, axis, offset, d)); }
    offset += d;
  }
  return out;
}

absl::StatusOr<Grads> StackGrad(GradBuilder& b, int g) {
  const int64_t axis = std::get<int64_t>(b.attrs().at("axis"));
  Grads out(b.num_inputs());
  for (int i = 0; i < b.num_inputs(); ++i) {
    if (!b.needs(i)) continue;
    REMOTEK_ASSIGN_OR_RETURN(int block, Block(b, g, axis, i, 1));
    REMOTEK_ASSIGN_OR_RETURN(out[i], b.Op("squeeze", {block}, {{"axis", axis}}));
  }
  return out;
}

// repeat: x (samples, dim) -> (samples, n, dim); sum the copies.
absl::StatusOr<Grads> RepeatGrad(GradBuilder& b, int g) {
  REMOTEK_ASSIGN_OR_RETURN(int gx, b.Op("sum", {g}, {{"axis", std::vector<int64_t>{1}}}));
  return Grads{gx};
}

}  // namespace

void RegisterShapeGrads(GradientRegistry& r) {
  for (const char* op : {"reshape", "flatten", "batch_flatten", "expand_dims", "squeeze",
                         "reshape_like"}) {
    r.Register(op, ReshapeLikeX);
  }
  r.Register("permute_dimensions", PermuteGrad);
  r.Register("concatenate", ConcatenateGrad);
  r.Register("stack", StackGrad);
  r.Register("repeat", RepeatGrad);
  for (const char* op : {"stop_gradient", "ones_like", "zeros_like"}) {
    r.RegisterNonDifferentiable(op);
  }
}

}  // namespace remotek
