// Gradients of the broadcasting binary ops. Each input's gradient is summed
// down to that input's runtime shape (sum_to_shape_of), since static shapes
// with unknown dims cannot tell which axes were broadcast.
// maximum/minimum follow TF: the gradient goes to x where x >= y (maximum) or
// x <= y (minimum), else to y. pow: dz/dy uses log(x) only where x > 0 (0
// elsewhere), as TF does.
#include "backend/core/gradient_registry.h"
#include "backend/core/status_macros.h"

namespace remotek {
namespace {

using Grads = std::vector<std::optional<int>>;

// Un-broadcasts per-input full-size gradients; skips inputs not needed.
absl::StatusOr<Grads> Reduce(GradBuilder& b, std::optional<int> gx, std::optional<int> gy) {
  Grads out(2);
  if (b.needs(0) && gx) {
    REMOTEK_ASSIGN_OR_RETURN(out[0], b.SumTo(*gx, b.input(0)));
  }
  if (b.needs(1) && gy) {
    REMOTEK_ASSIGN_OR_RETURN(out[1], b.SumTo(*gy, b.input(1)));
  }
  return out;
}

absl::StatusOr<Grads> AddGrad(GradBuilder& b, int g) { return Reduce(b, g, g); }

absl::StatusOr<Grads> SubtractGrad(GradBuilder& b, int g) {
  std::optional<int> gy;
  if (b.needs(1)) { REMOTEK_ASSIGN_OR_RETURN(gy, b.Neg(g)); }
  return Reduce(b, g, gy);
}

absl::StatusOr<Grads> MultiplyGrad(GradBuilder& b, int g) {
  std::optional<int> gx, gy;
  if (b.needs(0)) { REMOTEK_ASSIGN_OR_RETURN(gx, b.Mul(g, b.input(1))); }
  if (b.needs(1)) { REMOTEK_ASSIGN_OR_RETURN(gy, b.Mul(g, b.input(0))); }
  return Reduce(b, gx, gy);
}

// z = x / y: dz/dx = 1/y, dz/dy = -z/y.
absl::StatusOr<Grads> DivideGrad(GradBuilder& b, int g) {
  std::optional<int> gx, gy;
  if (b.needs(0)) { REMOTEK_ASSIGN_OR_RETURN(gx, b.Div(g, b.input(1))); }
  if (b.needs(1)) {
    REMOTEK_ASSIGN_OR_RETURN(int t, b.Mul(g, b.output()));
    REMOTEK_ASSIGN_OR_RETURN(t, b.Div(t, b.input(1)));
    REMOTEK_ASSIGN_OR_RETURN(gy, b.Neg(t));
  }
  return Reduce(b, gx, gy);
}

GradFn SelectGrad(const char* comparison) {
  return [comparison](GradBuilder& b, int g) -> absl::StatusOr<Grads> {
    REMOTEK_ASSIGN_OR_RETURN(int mask, b.Mask(comparison, b.input(0), b.input(1)));
    // mask has the broadcast shape of x and y, as g has.
    REMOTEK_ASSIGN_OR_RETURN(int gx, b.Mul(g, mask));
    std::optional<int> gy;
    if (b.needs(1)) { REMOTEK_ASSIGN_OR_RETURN(gy, b.Sub(g, gx)); }
    return Reduce(b, gx, gy);
  };
}

// z = x ** y: dz/dx = y * x ** (y - 1), dz/dy = z * log(x) where x > 0.
absl::StatusOr<Grads> PowGrad(GradBuilder& b, int g) {
  const int x = b.input(0), y = b.input(1);
  std::optional<int> gx, gy;
  if (b.needs(0)) {
    REMOTEK_ASSIGN_OR_RETURN(int one, b.Constant(1.0, b.spec(y).dtype));
    REMOTEK_ASSIGN_OR_RETURN(int y1, b.Sub(y, one));
    REMOTEK_ASSIGN_OR_RETURN(int p, b.Op("pow", {x, y1}));
    REMOTEK_ASSIGN_OR_RETURN(p, b.Mul(p, y));
    REMOTEK_ASSIGN_OR_RETURN(gx, b.Mul(g, p));
  }
  if (b.needs(1)) {
    // log(x * m + (1 - m)) is log(x) where x > 0 and log(1) = 0 elsewhere.
    REMOTEK_ASSIGN_OR_RETURN(int m, b.MaskScalar("greater", x, 0.0));
    REMOTEK_ASSIGN_OR_RETURN(int one, b.Constant(1.0, b.spec(x).dtype));
    REMOTEK_ASSIGN_OR_RETURN(int not_m, b.Sub(one, m));
    REMOTEK_ASSIGN_OR_RETURN(int safe, b.Mul(x, m));
    REMOTEK_ASSIGN_OR_RETURN(safe, b.Add(safe, not_m));
    REMOTEK_ASSIGN_OR_RETURN(int log_x, b.Op("log", {safe}));
    REMOTEK_ASSIGN_OR_RETURN(int t, b.Mul(g, b.output()));
    REMOTEK_ASSIGN_OR_RETURN(gy, b.Mul(t, log_x));
  }
  return Reduce(b, gx, gy);
}

}  // namespace

void RegisterElementwiseGrads(GradientRegistry& r) {
  r.Register("add", AddGrad);
  r.Register("subtract", SubtractGrad);
  r.Register("multiply", MultiplyGrad);
  r.Register("divide", DivideGrad);
  r.Register("maximum", SelectGrad("greater_equal"));
  r.Register("minimum", SelectGrad("less_equal"));
  r.Register("pow", PowGrad);
  for (const char* op : {"equal", "not_equal", "greater", "greater_equal", "less",
                         "less_equal", "logical_and", "logical_or", "logical_not"}) {
    r.RegisterNonDifferentiable(op);
  }
}

}  // namespace remotek
