// Gradients of the losses, of the functions as backend/core/ops/loss_ops.cc
// computes them (epsilon clipping included: where the prediction was
// clipped, its gradient is 0, as TF's clip_by_value gives).
//   mean_squared_error: d/dp = 2 (p - t) / n, d/dt = -d/dp.
//   binary_crossentropy: with logits z, d/dz = sigmoid(z) - t, d/dt = -z;
//     otherwise c = clip(o), z = log(c / (1 - c)), so
//     d/do = (c - t) / (c (1 - c)) where o was not clipped, d/dt = -z.
//   categorical_crossentropy: with logits, d/do = softmax(o) sum(t) - t,
//     d/dt = -log_softmax(o); otherwise p = o / sum(o), c = clip(p),
//     q = -t / c (0 where clipped), d/do = (q - sum(q p)) / sum(o),
//     d/dt = -log(c).
#include <vector>

#include "backend/core/gradient_registry.h"
#include "backend/core/status_macros.h"

namespace remotek {
namespace {

using Grads = std::vector<std::optional<int>>;

// The clip bounds the loss kernels use: epsilon and 1 - epsilon rounded to
// the dtype they compute in (float16 computes in float32).
void ClipBounds(const GradBuilder& b, DType dtype, double* lo, double* hi) {
  const double eps = std::get<double>(b.attrs().at("epsilon"));
  if (dtype == DType::kFloat64) {
    *lo = eps;
    *hi = 1.0 - eps;
  } else {
    const float e = static_cast<float>(eps);
    *lo = e;
    *hi = static_cast<float>(1.0f - e);
  }
}

// clip(v, lo, hi) and the mask of the unclipped positions.
absl::StatusOr<std::pair<int, int>> ClipWithMask(GradBuilder& b, int v) {
  double lo, hi;
  ClipBounds(b, b.spec(v).dtype, &lo, &hi);
  REMOTEK_ASSIGN_OR_RETURN(int c, b.Op("clip", {v}, {{"min_value", lo}, {"max_value", hi}}));
  REMOTEK_ASSIGN_OR_RETURN(int m_lo, b.MaskScalar("greater_equal", v, lo));
  REMOTEK_ASSIGN_OR_RETURN(int m_hi, b.MaskScalar("less_equal", v, hi));
  REMOTEK_ASSIGN_OR_RETURN(int m, b.Mul(m_lo, m_hi));
  return std::make_pair(c, m);
}

absl::StatusOr<Grads> MeanSquaredErrorGrad(GradBuilder& b, int g) {
  const int t = b.input(0), p = b.input(1);
  const int last = b.spec(p).shape.rank() - 1;
  REMOTEK_ASSIGN_OR_RETURN(int ge, b.Op("expand_dims", {g}, {{"axis", int64_t{-1}}}));
  REMOTEK_ASSIGN_OR_RETURN(int ones, b.Op("ones_like", {p}));
  REMOTEK_ASSIGN_OR_RETURN(
      int n, b.Op("sum", {ones}, {{"axis", std::vector<int64_t>{last}}, {"keepdims", true}}));
  REMOTEK_ASSIGN_OR_RETURN(int d, b.Sub(p, t));
  REMOTEK_ASSIGN_OR_RETURN(d, b.Mul(ge, d));
  REMOTEK_ASSIGN_OR_RETURN(d, b.Scale(d, 2.0));
  REMOTEK_ASSIGN_OR_RETURN(int gp, b.Div(d, n));
  Grads out(2);
  out[1] = gp;
  if (b.needs(0)) { REMOTEK_ASSIGN_OR_RETURN(out[0], b.Neg(gp)); }
  return out;
}

absl::StatusOr<Grads> BinaryCrossentropyGrad(GradBuilder& b, int g) {
  const int t = b.input(0), o = b.input(1);
  const bool from_logits = std::get<bool>(b.attrs().at("from_logits"));
  Grads out(2);
  if (from_logits) {
    if (b.needs(1)) {
      REMOTEK_ASSIGN_OR_RETURN(int s, b.Op("sigmoid", {o}));
      REMOTEK_ASSIGN_OR_RETURN(s, b.Sub(s, t));
      REMOTEK_ASSIGN_OR_RETURN(out[1], b.Mul(g, s));
    }
    if (b.needs(0)) {
      REMOTEK_ASSIGN_OR_RETURN(int go, b.Mul(g, o));
      REMOTEK_ASSIGN_OR_RETURN(out[0], b.Neg(go));
    }
    return out;
  }
  REMOTEK_ASSIGN_OR_RETURN(auto cm, ClipWithMask(b, o));
  const auto [c, mask] = cm;
  REMOTEK_ASSIGN_OR_RETURN(int one, b.Constant(1.0, b.spec(o).dtype));
  REMOTEK_ASSIGN_OR_RETURN(int one_minus_c, b.Sub(one, c));
  if (b.needs(1)) {
    REMOTEK_ASSIGN_OR_RETURN(int num, b.Sub(c, t));
    REMOTEK_ASSIGN_OR_RETURN(int den, b.Mul(c, one_minus_c));
    REMOTEK_ASSIGN_OR_RETURN(int d, b.Div(num, den));
    REMOTEK_ASSIGN_OR_RETURN(d, b.Mul(d, mask));
    REMOTEK_ASSIGN_OR_RETURN(out[1], b.Mul(g, d));
  }
  if (b.needs(0)) {  // -z = log(1 - c) - log(c)
    REMOTEK_ASSIGN_OR_RETURN(int a, b.Op("log", {one_minus_c}));
    REMOTEK_ASSIGN_OR_RETURN(int l, b.Op("log", {c}));
    REMOTEK_ASSIGN_OR_RETURN(int nz, b.Sub(a, l));
    REMOTEK_ASSIGN_OR_RETURN(out[0], b.Mul(g, nz));
  }
  return out;
}

absl::StatusOr<Grads> CategoricalCrossentropyGrad(GradBuilder& b, int g) {
  const int t = b.input(0), o = b.input(1);
  const bool from_logits = std::get<bool>(b.attrs().at("from_logits"));
  const int64_t axis = std::get<int64_t>(b.attrs().at("axis"));
  const AttrMap keep = {{"axis", std::vector<int64_t>{axis}}, {"keepdims", true}};
  REMOTEK_ASSIGN_OR_RETURN(int ge, b.Op("expand_dims", {g}, {{"axis", axis}}));
  Grads out(2);
  if (from_logits) {
    if (b.needs(1)) {
      REMOTEK_ASSIGN_OR_RETURN(int sm, b.Op("softmax", {o}, {{"axis", axis}}));
      REMOTEK_ASSIGN_OR_RETURN(int st, b.Op("sum", {t}, keep));
      REMOTEK_ASSIGN_OR_RETURN(int d, b.Mul(sm, st));
      REMOTEK_ASSIGN_OR_RETURN(d, b.Sub(d, t));
      REMOTEK_ASSIGN_OR_RETURN(out[1], b.Mul(ge, d));
    }
    if (b.needs(0)) {  // -log_softmax(o) = logsumexp(o) - o
      REMOTEK_ASSIGN_OR_RETURN(int lse, b.Op("logsumexp", {o}, keep));
      REMOTEK_ASSIGN_OR_RETURN(int d, b.Sub(lse, o));
      REMOTEK_ASSIGN_OR_RETURN(out[0], b.Mul(ge, d));
    }
    return out;
  }
  REMOTEK_ASSIGN_OR_RETURN(int total, b.Op("sum", {o}, keep));
  REMOTEK_ASSIGN_OR_RETURN(int p, b.Div(o, total));
  REMOTEK_ASSIGN_OR_RETURN(auto cm, ClipWithMask(b, p));
  const auto [c, mask] = cm;
  if (b.needs(1)) {
    REMOTEK_ASSIGN_OR_RETURN(int q, b.Div(t, c));
    REMOTEK_ASSIGN_OR_RETURN(q, b.Neg(q));
    REMOTEK_ASSIGN_OR_RETURN(q, b.Mul(q, mask));
    REMOTEK_ASSIGN_OR_RETURN(int qp, b.Mul(q, p));
    REMOTEK_ASSIGN_OR_RETURN(int s, b.Op("sum", {qp}, keep));
    REMOTEK_ASSIGN_OR_RETURN(int d, b.Sub(q, s));
    REMOTEK_ASSIGN_OR_RETURN(d, b.Div(d, total));
    REMOTEK_ASSIGN_OR_RETURN(out[1], b.Mul(ge, d));
  }
  if (b.needs(0)) {
    REMOTEK_ASSIGN_OR_RETURN(int l, b.Op("log", {c}));
    REMOTEK_ASSIGN_OR_RETURN(l, b.Neg(l));
    REMOTEK_ASSIGN_OR_RETURN(out[0], b.Mul(ge, l));
  }
  return out;
}

}  // namespace

void RegisterLossGrads(GradientRegistry& r) {
  r.Register("mean_squared_error", MeanSquaredErrorGrad);
  r.Register("binary_crossentropy", BinaryCrossentropyGrad);
  r.Register("categorical_crossentropy", CategoricalCrossentropyGrad);
}

}  // namespace remotek
