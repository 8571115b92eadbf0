// Gradients of the reductions. g (reduced, keepdims or not) gets its reduced
// axes back as size-1 dims and is broadcast against x by a multiply with
// ones_like(x), so unknown dims work. mean divides by the runtime count
// sum(ones_like(x), axes). max/min send the gradient to the positions equal
// to the result, divided among ties (as TF does). argmax, argmin, any and all
// are non-differentiable; prod has no gradient yet.
#include <vector>

#include "backend/core/gradient_registry.h"
#include "backend/core/status_macros.h"

namespace remotek {
namespace {

using Grads = std::vector<std::optional<int>>;

struct Reduced {
  std::vector<int64_t> axes;
  bool keepdims;
};

Reduced ReadAxes(const GradBuilder& b) {
  return {std::get<std::vector<int64_t>>(b.attrs().at("axis")),
          std::get<bool>(b.attrs().at("keepdims"))};
}

// g expanded to keepdims form and broadcast to x's runtime shape.
absl::StatusOr<int> Spread(GradBuilder& b, int g, const Reduced& r, int ones) {
  REMOTEK_ASSIGN_OR_RETURN(int ge, b.ExpandReduced(g, r.axes, r.keepdims));
  return b.Mul(ge, ones);
}

absl::StatusOr<Grads> SumGrad(GradBuilder& b, int g) {
  const Reduced r = ReadAxes(b);
  REMOTEK_ASSIGN_OR_RETURN(int ones, b.Op("ones_like", {b.input(0)}));
  REMOTEK_ASSIGN_OR_RETURN(int gx, Spread(b, g, r, ones));
  return Grads{gx};
}

absl::StatusOr<Grads> MeanGrad(GradBuilder& b, int g) {
  const Reduced r = ReadAxes(b);
  REMOTEK_ASSIGN_OR_RETURN(int ones, b.Op("ones_like", {b.input(0)}));
  REMOTEK_ASSIGN_OR_RETURN(int gx, Spread(b, g, r, ones));
  REMOTEK_ASSIGN_OR_RETURN(
      int count, b.Op("sum", {ones}, {{"axis", r.axes}, {"keepdims", true}}));
  REMOTEK_ASSIGN_OR_RETURN(gx, b.Div(gx, count));
  return Grads{gx};
}

// x's positions equal to the result share the gradient equally.
absl::StatusOr<Grads> ExtremumGrad(GradBuilder& b, int g) {
  const Reduced r = ReadAxes(b);
  REMOTEK_ASSIGN_OR_RETURN(int z, b.ExpandReduced(b.output(), r.axes, r.keepdims));
  REMOTEK_ASSIGN_OR_RETURN(int hit, b.Mask("equal", b.input(0), z));
  REMOTEK_ASSIGN_OR_RETURN(
      int count, b.Op("sum", {hit}, {{"axis", r.axes}, {"keepdims", true}}));
  REMOTEK_ASSIGN_OR_RETURN(int ge, b.ExpandReduced(g, r.axes, r.keepdims));
  REMOTEK_ASSIGN_OR_RETURN(int share, b.Div(ge, count));
  REMOTEK_ASSIGN_OR_RETURN(int gx, b.Mul(share, hit));
  return Grads{gx};
}

// d logsumexp / dx = exp(x - z)
absl::StatusOr<Grads> LogSumExpGrad(GradBuilder& b, int g) {
  const Reduced r = ReadAxes(b);
  REMOTEK_ASSIGN_OR_RETURN(int z, b.ExpandReduced(b.output(), r.axes, r.keepdims));
  REMOTEK_ASSIGN_OR_RETURN(int d, b.Sub(b.input(0), z));
  REMOTEK_ASSIGN_OR_RETURN(d, b.Op("exp", {d}));
  REMOTEK_ASSIGN_OR_RETURN(int ge, b.ExpandReduced(g, r.axes, r.keepdims));
  REMOTEK_ASSIGN_OR_RETURN(int gx, b.Mul(ge, d));
  return Grads{gx};
}

// var = mean((x - m)^2): d/dx = 2 (x - m) / n; std = sqrt(var): (x - m) / (n std).
absl::StatusOr<Grads> MomentGrad(GradBuilder& b, int g, bool is_std) {
  const Reduced r = ReadAxes(b);
  const int x = b.input(0);
  const AttrMap keep = {{"axis", r.axes}, {"keepdims", true}};
  REMOTEK_ASSIGN_OR_RETURN(int m, b.Op("mean", {x}, keep));
  REMOTEK_ASSIGN_OR_RETURN(int ones, b.Op("ones_like", {x}));
  REMOTEK_ASSIGN_OR_RETURN(int n, b.Op("sum", {ones}, keep));
  REMOTEK_ASSIGN_OR_RETURN(int d, b.Sub(x, m));
  REMOTEK_ASSIGN_OR_RETURN(int ge, b.ExpandReduced(g, r.axes, r.keepdims));
  REMOTEK_ASSIGN_OR_RETURN(int gx, b.Mul(ge, d));
  REMOTEK_ASSIGN_OR_RETURN(gx, b.Div(gx, n));
  if (is_std) {
    REMOTEK_ASSIGN_OR_RETURN(int z, b.ExpandReduced(b.output(), r.axes, r.keepdims));
    REMOTEK_ASSIGN_OR_RETURN(gx, b.Div(gx, z));
  } else {
    REMOTEK_ASSIGN_OR_RETURN(gx, b.Scale(gx, 2.0));
  }
  return Grads{gx};
}

}  // namespace

void RegisterReductionGrads(GradientRegistry& r) {
  r.Register("sum", SumGrad);
  r.Register("mean", MeanGrad);
  r.Register("max", ExtremumGrad);
  r.Register("min", ExtremumGrad);
  r.Register("logsumexp", LogSumExpGrad);
  r.Register("var", [](GradBuilder& b, int g) { return MomentGrad(b, g, false); });
  r.Register("std", [](GradBuilder& b, int g) { return MomentGrad(b, g, true); });
  for (const char* op : {"argmax", "argmin", "any", "all"}) r.RegisterNonDifferentiable(op);
}

}  // namespace remotek
