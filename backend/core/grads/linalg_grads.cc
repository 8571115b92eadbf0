// Gradients of dot, batch_dot and transpose.
//   dot: both rank 2 (g . y^T, x^T . g), and x of rank > 2 with y of rank 2
//        (Dense on sequences): x's gradient is dot(g, y^T); y's flattens x
//        and g to rank 2, which needs y's dims known statically. y of rank
//        > 2 has no gradient yet (refused naming the node).
//   batch_dot: x and y of rank 3 with any axes, and both of rank 2
//        (axes [1, 1], output (batch, 1)); other ranks are refused.
#include <vector>

#include "absl/strings/str_cat.h"
#include "backend/core/gradient_registry.h"
#include "backend/core/status_macros.h"

namespace remotek {
namespace {

using Grads = std::vector<std::optional<int>>;

absl::Status Unsupported(GradBuilder& b, const std::string& why) {
  return absl::InvalidArgumentError(
      absl::StrCat("gradients: no gradient defined for op \"", b.forward().def->name,
                   "\" (node \"", b.forward().name, "\") ", why));
}

absl::StatusOr<Grads> DotGrad(GradBuilder& b, int g) {
  const int x = b.input(0), y = b.input(1);
  const Shape& ys = b.spec(y).shape;
  const int rx = b.spec(x).shape.rank();
  if (ys.rank() != 2) {
    return Unsupported(b, absl::StrCat("with y of rank ", ys.rank(), " (only rank 2 yet)"));
  }
  Grads out(2);
  if (b.needs(0)) {
    REMOTEK_ASSIGN_OR_RETURN(int yt, b.Op("transpose", {y}));
    REMOTEK_ASSIGN_OR_RETURN(out[0], b.Op("dot", {g, yt}));
  }
  if (b.needs(1)) {
    int x2 = x, g2 = g;
    if (rx > 2) {
      if (!ys.IsFullyDefined()) {
        return Unsupported(b, absl::StrCat("with x of rank ", rx, " and y of shape ",
                                           ys.ToString(), " (y's dims must be known)"));
      }
      REMOTEK_ASSIGN_OR_RETURN(
          x2, b.Op("reshape", {x}, {{"shape", std::vector<int64_t>{-1, ys.dim(0)}}}));
      REMOTEK_ASSIGN_OR_RETURN(
          g2, b.Op("reshape", {g}, {{"shape", std::vector<int64_t>{-1, ys.dim(1)}}}));
    }
    REMOTEK_ASSIGN_OR_RETURN(int xt, b.Op("transpose", {x2}));
    REMOTEK_ASSIGN_OR_RETURN(out[1], b.Op("dot", {xt, g2}));
  }
  return out;
}

absl::StatusOr<int> SwapLast(GradBuilder& b, int t) {
  return b.Op("permute_dimensions", {t}, {{"pattern", std::vector<int64_t>{0, 2, 1}}});
}

absl::StatusOr<Grads> BatchDotGrad(GradBuilder& b, int g) {
  const int x = b.input(0), y = b.input(1);
  const int rx = b.spec(x).shape.rank(), ry = b.spec(y).shape.rank();
  const std::vector<int64_t> axes = std::get<std::vector<int64_t>>(b.attrs().at("axes"));
  Grads out(2);
  if (rx == 2 && ry == 2) {  // z (batch, 1) = sum(x * y, 1)
    if (b.needs(0)) { REMOTEK_ASSIGN_OR_RETURN(out[0], b.Mul(g, y)); }
    if (b.needs(1)) { REMOTEK_ASSIGN_OR_RETURN(out[1], b.Mul(g, x)); }
    return out;
  }
  if (rx != 3 || ry != 3) {
    return Unsupported(b, absl::StrCat("with x of rank ", rx, " and y of rank ", ry,
                                       " (only ranks 3 and 3, or 2 and 2, yet)"));
  }
  // z[b, i, j] = sum_c x[b, (i, c)] y[b, (c, j)], where the contracted axes
  // are a0, a1 and the free ones fx = 3 - a0, fy = 3 - a1.
  const int64_t a0 = axes[0], a1 = axes[1];
  const int64_t fx = 3 - a0, fy = 3 - a1;
  if (b.needs(0)) {  // batch_dot(g, y, [2, fy]) is (b, i, c)
    REMOTEK_ASSIGN_OR_RETURN(
        int gx, b.Op("batch_dot", {g, y}, {{"axes", std::vector<int64_t>{2, fy}}}));
    if (a0 == 1) { REMOTEK_ASSIGN_OR_RETURN(gx, SwapLast(b, gx)); }
    out[0] = gx;
  }
  if (b.needs(1)) {  // batch_dot(x, g, [fx, 1]) is (b, c, j)
    REMOTEK_ASSIGN_OR_RETURN(
        int gy, b.Op("batch_dot", {x, g}, {{"axes", std::vector<int64_t>{fx, 1}}}));
    if (a1 == 2) { REMOTEK_ASSIGN_OR_RETURN(gy, SwapLast(b, gy)); }
    out[1] = gy;
  }
  return out;
}

absl::StatusOr<Grads> TransposeGrad(GradBuilder& b, int g) {
  REMOTEK_ASSIGN_OR_RETURN(int gx, b.Op("transpose", {g}));
  return Grads{gx};
}

}  // namespace

void RegisterLinalgGrads(GradientRegistry& r) {
  r.Register("dot", DotGrad);
  r.Register("batch_dot", BatchDotGrad);
  r.Register("transpose", TransposeGrad);
}

}  // namespace remotek
