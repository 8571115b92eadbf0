// Gradients of the unary ops (backend/core/ops/unary_ops.cc). z is the op's
// output, g the gradient arriving at it. At kinks (relu, abs, clip) the
// subgradient TF picks is used. sign and round are non-differentiable.
#include <variant>

#include "backend/core/gradient_registry.h"
#include "backend/core/status_macros.h"

namespace remotek {
namespace {

using Grads = std::vector<std::optional<int>>;

// Builds g * f(b) for the single input.
template <typename F>
GradFn Chain(F derivative) {
  return [derivative](GradBuilder& b, int g) -> absl::StatusOr<Grads> {
    REMOTEK_ASSIGN_OR_RETURN(int d, derivative(b));
    REMOTEK_ASSIGN_OR_RETURN(int gx, b.Mul(g, d));
    return Grads{std::optional<int>(gx)};  // clang-14 reads Grads{int} as a size
  };
}

double AttrDouble(const GradBuilder& b, const char* name) {
  return std::get<double>(b.attrs().at(name));
}

absl::StatusOr<Grads> NegativeGrad(GradBuilder& b, int g) {
  REMOTEK_ASSIGN_OR_RETURN(int gx, b.Neg(g));
  return Grads{gx};
}

// dz/dx = 1 - z^2
absl::StatusOr<int> TanhD(GradBuilder& b) {
  REMOTEK_ASSIGN_OR_RETURN(int z2, b.Op("square", {b.output()}));
  REMOTEK_ASSIGN_OR_RETURN(int one, b.Constant(1.0, b.spec(z2).dtype));
  return b.Sub(one, z2);
}

// dz/dx = z * (1 - z)
absl::StatusOr<int> SigmoidD(GradBuilder& b) {
  REMOTEK_ASSIGN_OR_RETURN(int one, b.Constant(1.0, b.spec(b.output()).dtype));
  REMOTEK_ASSIGN_OR_RETURN(int t, b.Sub(one, b.output()));
  return b.Mul(b.output(), t);
}

absl::StatusOr<Grads> SqrtGrad(GradBuilder& b, int g) {  // g * 0.5 / z
  REMOTEK_ASSIGN_OR_RETURN(int h, b.Scale(g, 0.5));
  REMOTEK_ASSIGN_OR_RETURN(int gx, b.Div(h, b.output()));
  return Grads{gx};
}

absl::StatusOr<Grads> LogGrad(GradBuilder& b, int g) {  // g / x
  REMOTEK_ASSIGN_OR_RETURN(int gx, b.Div(g, b.input(0)));
  return Grads{gx};
}

absl::StatusOr<Grads> SoftsignGrad(GradBuilder& b, int g) {  // g / (1 + |x|)^2
  REMOTEK_ASSIGN_OR_RETURN(int a, b.Op("abs", {b.input(0)}));
  REMOTEK_ASSIGN_OR_RETURN(int one, b.Constant(1.0, b.spec(a).dtype));
  REMOTEK_ASSIGN_OR_RETURN(int d, b.Add(a, one));
  REMOTEK_ASSIGN_OR_RETURN(d, b.Op("square", {d}));
  REMOTEK_ASSIGN_OR_RETURN(int gx, b.Div(g, d));
  return Grads{gx};
}

// x > 0: 1; else z + alpha (= alpha * exp(x)).
absl::StatusOr<int> EluD(GradBuilder& b) {
  const int x = b.input(0);
  REMOTEK_ASSIGN_OR_RETURN(int pos, b.MaskScalar("greater", x, 0.0));
  REMOTEK_ASSIGN_OR_RETURN(int neg, b.MaskScalar("less_equal", x, 0.0));
  REMOTEK_ASSIGN_OR_RETURN(int alpha, b.Constant(AttrDouble(b, "alpha"), b.spec(x).dtype));
  REMOTEK_ASSIGN_OR_RETURN(int e, b.Add(b.output(), alpha));
  REMOTEK_ASSIGN_OR_RETURN(e, b.Mul(e, neg));
  return b.Add(pos, e);
}

// 1 where min_value <= x <= max_value (TF's clip_by_value gradient).
absl::StatusOr<int> ClipD(GradBuilder& b) {
  const int x = b.input(0);
  REMOTEK_ASSIGN_OR_RETURN(int lo, b.MaskScalar("greater_equal", x, AttrDouble(b, "min_value")));
  REMOTEK_ASSIGN_OR_RETURN(int hi, b.MaskScalar("less_equal", x, AttrDouble(b, "max_value")));
  return b.Mul(lo, hi);
}

// Keras relu: x > threshold: x (clipped to [0, max_value] when given);
// else alpha * (x - threshold).
absl::StatusOr<int> ReluD(GradBuilder& b) {
  const int x = b.input(0);
  const double threshold = AttrDouble(b, "threshold");
  const double alpha = AttrDouble(b, "alpha");
  REMOTEK_ASSIGN_OR_RETURN(int d, b.MaskScalar("greater", x, threshold));
  if (b.attrs().count("max_value") > 0) {
    REMOTEK_ASSIGN_OR_RETURN(int lo, b.MaskScalar("greater_equal", x, 0.0));
    REMOTEK_ASSIGN_OR_RETURN(int hi,
                             b.MaskScalar("less_equal", x, AttrDouble(b, "max_value")));
    REMOTEK_ASSIGN_OR_RETURN(d, b.Mul(d, lo));
    REMOTEK_ASSIGN_OR_RETURN(d, b.Mul(d, hi));
  }
  if (alpha != 0.0) {
    REMOTEK_ASSIGN_OR_RETURN(int below, b.MaskScalar("less_equal", x, threshold));
    REMOTEK_ASSIGN_OR_RETURN(below, b.Scale(below, alpha));
    REMOTEK_ASSIGN_OR_RETURN(d, b.Add(d, below));
  }
  return d;
}

// 0.2 where 0 < 0.2 x + 0.5 < 1, i.e. -2.5 < x < 2.5.
absl::StatusOr<int> HardSigmoidD(GradBuilder& b) {
  const int x = b.input(0);
  REMOTEK_ASSIGN_OR_RETURN(int lo, b.MaskScalar("greater", x, -2.5));
  REMOTEK_ASSIGN_OR_RETURN(int hi, b.MaskScalar("less", x, 2.5));
  REMOTEK_ASSIGN_OR_RETURN(int d, b.Mul(lo, hi));
  return b.Scale(d, 0.2);
}

// gx = (g - sum(g * z, axis, keepdims)) * z
absl::StatusOr<Grads> SoftmaxGrad(GradBuilder& b, int g) {
  const int z = b.output();
  const int64_t axis = std::get<int64_t>(b.attrs().at("axis"));
  REMOTEK_ASSIGN_OR_RETURN(int gz, b.Mul(g, z));
  REMOTEK_ASSIGN_OR_RETURN(
      int s, b.Op("sum", {gz}, {{"axis", std::vector<int64_t>{axis}}, {"keepdims", true}}));
  REMOTEK_ASSIGN_OR_RETURN(int d, b.Sub(g, s));
  REMOTEK_ASSIGN_OR_RETURN(int gx, b.Mul(d, z));
  return Grads{gx};
}

}  // namespace

void RegisterUnaryGrads(GradientRegistry& r) {
  r.Register("negative", NegativeGrad);
  r.Register("abs", Chain([](GradBuilder& b) { return b.Op("sign", {b.input(0)}); }));
  r.Register("square", Chain([](GradBuilder& b) { return b.Scale(b.input(0), 2.0); }));
  r.Register("sqrt", SqrtGrad);
  r.Register("exp", Chain([](GradBuilder& b) -> absl::StatusOr<int> { return b.output(); }));
  r.Register("log", LogGrad);
  r.Register("sigmoid", Chain(SigmoidD));
  r.Register("tanh", Chain(TanhD));
  r.Register("softplus",
             Chain([](GradBuilder& b) { return b.Op("sigmoid", {b.input(0)}); }));
  r.Register("softsign", SoftsignGrad);
  r.Register("elu", Chain(EluD));
  r.Register("clip", Chain(ClipD));
  r.Register("relu", Chain(ReluD));
  r.Register("hard_sigmoid", Chain(HardSigmoidD));
  r.Register("softmax", SoftmaxGrad);
  r.RegisterNonDifferentiable("sign");
  r.RegisterNonDifferentiable("round");
}

}  // namespace remotek
