// Every registered gradient against central finite differences, in float64,
// on every built-in backend. Each row builds placeholders -> op -> a random
// weighted sum (so symmetric errors cannot cancel), asks the session for
// K.gradients of it, compiles and runs the gradient function, and compares
// every element with (L(x + h) - L(x - h)) / 2h computed by calling the
// forward function. Rows cover several shapes, broadcasting (also broadcasts
// only visible at run time, behind unknown static dims) and each op's attrs.
// A coverage test fails when an op gains a gradient without a row here.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "backend/core/gradient_registry.h"
#include "backend/core/session_state.h"
#include "backend/eigen/eigen_backend.h"
#include "backend/reference/reference_kernels.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"
#include "tests/support/tensor_testing.h"

namespace remotek {
namespace {

using L = std::vector<int64_t>;

struct In {
  Shape feed;                  // the concrete shape fed
  std::optional<Shape> decl;   // the placeholder's static shape (default: feed)
  double lo = -2.0, hi = 2.0;  // values drawn uniformly from [lo, hi]
  std::optional<Tensor> fixed;  // fed as is (integer indices), not perturbed
};

struct GradCase {
  std::string op;
  std::vector<In> inputs;
  AttrMap attrs;
};

In U(Shape s, double lo = -2.0, double hi = 2.0) { return {std::move(s), std::nullopt, lo, hi}; }
// Fed with `feed` behind a placeholder of static shape `decl` (unknown dims).
In Dyn(Shape feed, Shape decl, double lo = -2.0, double hi = 2.0) {
  return {std::move(feed), std::move(decl), lo, hi};
}
In Pos(Shape s) { return U(std::move(s), 0.5, 2.5); }
In Indices(Shape s, std::vector<int64_t> v) {
  In in;
  in.feed = s;
  in.fixed = testing::MakeTensor<int64_t>(s, v);
  return in;
}

std::vector<GradCase> MakeCases() {
  std::vector<GradCase> c;
  // Broadcasting binary ops: equal shapes, trailing/leading broadcasts,
  // scalars, and broadcasts only known at run time.
  for (const std::string op :
       {"add", "subtract", "multiply", "divide", "maximum", "minimum", "pow"}) {
    // pow needs x > 0 (its y-gradient uses log x); divide and pow keep y off 0.
    const double xlo = op == "pow" ? 0.5 : -2.0, xhi = op == "pow" ? 2.5 : 2.0;
    const double ylo = op == "pow" || op == "divide" ? 0.5 : -2.0;
    const double yhi = op == "pow" || op == "divide" ? 2.5 : 2.0;
    const auto X = [&](Shape s) { return U(std::move(s), xlo, xhi); };
    const auto Y = [&](Shape s) { return U(std::move(s), ylo, yhi); };
    c.push_back({op, {X({2, 3}), Y({2, 3})}});
    c.push_back({op, {X({2, 3}), Y({3})}});
    c.push_back({op, {X({2, 1}), Y({1, 3})}});
    c.push_back({op, {X({}), Y({2, 3})}});
    c.push_back({op, {X({2, 3, 2}), Y({3, 1})}});
    // Broadcasts that only the runtime shapes reveal.
    c.push_back({op, {Dyn({1, 3}, Shape{kUnknownDim, 3}, xlo, xhi), Y({4, 3})}});
    c.push_back({op, {X({2, 3}), Dyn({2, 1}, Shape{kUnknownDim, kUnknownDim}, ylo, yhi)}});
  }
  // Unary ops.
  const std::vector<Shape> shapes = {{}, {5}, {2, 3}, {2, 2, 3}};
  for (const char* op : {"negative", "abs", "square", "exp", "sigmoid", "tanh", "relu",
                         "softplus", "softsign", "elu", "hard_sigmoid"}) {
    for (const Shape& s : shapes) c.push_back({op, {U(s, -3, 3)}});
  }
  for (const char* op : {"sqrt", "log"}) {
    for (const Shape& s : shapes) c.push_back({op, {Pos(s)}});
  }
  c.push_back({"elu", {U({2, 3})}, {{"alpha", 0.5}}});
  c.push_back({"relu", {U({3, 4}, -3, 3)}, {{"alpha", 0.1}}});
  c.push_back({"relu", {U({3, 4}, -3, 3)}, {{"threshold", 0.5}, {"max_value", 1.5}}});
  c.push_back({"relu", {U({3, 4}, -3, 3)},
               {{"alpha", 0.2}, {"threshold", -0.5}, {"max_value", 2.0}}});
  c.push_back({"clip", {U({3, 4}, -3, 3)}, {{"min_value", -1.0}, {"max_value", 1.5}}});
  c.push_back({"softmax", {U({2, 4})}});
  c.push_back({"softmax", {U({3, 2, 2})}, {{"axis", int64_t{0}}}});
  c.push_back({"softmax", {Dyn({2, 3}, Shape{kUnknownDim, 3})}, {{"axis", int64_t{1}}}});
  // Linear algebra.
  c.push_back({"dot", {U({2, 3}), U({3, 4})}});
  c.push_back({"dot", {U({1, 1}), U({1, 5})}});
  c.push_back({"dot", {U({2, 3, 4}), U({4, 2})}});
  c.push_back({"dot", {Dyn({2, 3}, Shape{kUnknownDim, 3}), U({3, 2})}});
  c.push_back({"batch_dot", {U({2, 3, 4}), U({2, 4, 5})}});
  c.push_back({"batch_dot", {U({2, 4, 3}), U({2, 4, 5})}, {{"axes", L{1, 1}}}});
  c.push_back({"batch_dot", {U({2, 3, 4}), U({2, 5, 4})}, {{"axes", L{2, 2}}}});
  c.push_back({"batch_dot", {U({2, 4, 3}), U({2, 5, 4})}, {{"axes", L{1, 2}}}});
  c.push_back({"batch_dot", {U({3, 4}), U({3, 4})}, {{"axes", L{1, 1}}}});
  c.push_back({"transpose", {U({2, 3, 4})}});
  // Convolution family, both data formats (x is (N,H,W,C) or (N,C,H,W); the
  // kernel is always (kh, kw, in, out)).
  for (const std::string format : {"channels_last", "channels_first"}) {
    const bool cf = format == "channels_first";
    const auto Img = [cf](int64_t n, int64_t h, int64_t w, int64_t ch) {
      return cf ? Shape({n, ch, h, w}) : Shape({n, h, w, ch});
    };
    const AttrMap f = {{"data_format", format}};
    c.push_back({"conv2d", {U(Img(2, 5, 4, 3)), U({3, 3, 3, 2})}, f});
    c.push_back({"conv2d", {U(Img(1, 5, 5, 2)), U({3, 2, 2, 3})},
                 {{"data_format", format}, {"padding", std::string("same")}, {"strides", L{2, 2}}}});
    c.push_back({"conv2d", {U(Img(1, 6, 5, 2)), U({2, 2, 2, 2})},
                 {{"data_format", format}, {"padding", std::string("same")},
                  {"dilation_rate", L{2, 2}}}});
    for (const char* mode : {"max", "avg"}) {
      c.push_back({"pool2d", {U(Img(2, 4, 5, 2))},
                   {{"data_format", format}, {"pool_size", L{2, 2}}, {"pool_mode", std::string(mode)}}});
      c.push_back({"pool2d", {U(Img(1, 5, 5, 2))},
                   {{"data_format", format}, {"pool_size", L{3, 3}}, {"strides", L{2, 2}},
                    {"padding", std::string("same")}, {"pool_mode", std::string(mode)}}});
    }
    c.push_back({"bias_add", {U(Img(2, 3, 2, 4)), U({4})}, f});
    c.push_back({"bias_add", {U({3, 4}), U({4})}, f});
  }
  c.push_back({"transpose", {U({3, 2})}});
  // Reductions.
  for (const char* op : {"sum", "mean", "max", "min", "logsumexp", "var", "std"}) {
    c.push_back({op, {U({2, 3, 2})}});
    c.push_back({op, {U({2, 3, 2})}, {{"axis", int64_t{1}}}});
    c.push_back({op, {U({2, 3, 2})}, {{"axis", L{0, 2}}, {"keepdims", true}}});
    c.push_back({op, {U({4})}, {{"axis", int64_t{-1}}, {"keepdims", true}}});
    c.push_back({op, {Dyn({3, 2}, Shape{kUnknownDim, 2})}, {{"axis", int64_t{0}}}});
  }
  // Shape ops.
  c.push_back({"reshape", {U({2, 3})}, {{"shape", L{3, 2}}}});
  c.push_back({"reshape", {Dyn({2, 3}, Shape{kUnknownDim, 3})}, {{"shape", L{-1}}}});
  c.push_back({"flatten", {U({2, 3, 2})}});
  c.push_back({"batch_flatten", {U({2, 3, 2})}});
  c.push_back({"batch_flatten", {Dyn({2, 3, 2}, Shape{kUnknownDim, 3, 2})}});
  c.push_back({"expand_dims", {U({2, 3})}, {{"axis", int64_t{1}}}});
  c.push_back({"squeeze", {U({2, 1, 3})}, {{"axis", int64_t{1}}}});
  c.push_back({"permute_dimensions", {U({2, 3, 4})}, {{"pattern", L{2, 0, 1}}}});
  c.push_back({"concatenate", {U({2, 3}), U({2, 2})}});
  c.push_back({"concatenate", {U({1, 3}), U({2, 3}), U({1, 3})}, {{"axis", int64_t{0}}}});
  c.push_back({"concatenate", {Dyn({2, 3}, Shape{kUnknownDim, 3}), Dyn({2, 1}, Shape{kUnknownDim, 1})},
               {{"axis", int64_t{1}}}});
  c.push_back({"stack", {U({2, 3}), U({2, 3})}, {{"axis", int64_t{1}}}});
  c.push_back({"stack", {U({3}), U({3}), U({3})}});
  c.push_back({"repeat", {U({2, 3})}, {{"n", int64_t{3}}}});
  c.push_back({"repeat", {Dyn({2, 3}, Shape{kUnknownDim, 3})}, {{"n", int64_t{2}}}});
  c.push_back({"reshape_like", {U({2, 3}), U({3, 2})}});
  c.push_back({"gather", {U({4, 3}), Indices({5}, {2, 0, 2, 3, 2})}});
  c.push_back({"gather", {U({5}), Indices({2, 2}, {4, 4, 0, 1})}});
  c.push_back({"cast", {U({2, 3})}, {{"dtype", std::string("float64")}}});
  // Losses, inside the clip range and across it.
  c.push_back({"mean_squared_error", {U({3, 4}), U({3, 4})}});
  c.push_back({"mean_squared_error", {U({5}), U({5})}});
  c.push_back({"binary_crossentropy", {U({3, 4}, 0, 1), U({3, 4}, 0.05, 0.95)}});
  c.push_back({"binary_crossentropy", {U({3, 4}, 0, 1), U({3, 4}, -3, 3)},
               {{"from_logits", true}}});
  c.push_back({"categorical_crossentropy", {U({3, 4}, 0, 1), U({3, 4}, 0.1, 1.0)}});
  c.push_back({"categorical_crossentropy", {U({3, 4}, 0, 1), U({3, 4}, 0.1, 1.0)},
               {{"axis", int64_t{0}}}});
  c.push_back({"categorical_crossentropy", {U({3, 4}, 0, 1), U({3, 4}, -3, 3)},
               {{"from_logits", true}}});
  c.push_back({"categorical_crossentropy", {U({2, 3, 2}, 0, 1), U({2, 3, 2}, -3, 3)},
               {{"from_logits", true}, {"axis", int64_t{1}}}});
  return c;
}

const std::vector<GradCase>& Cases() {
  static const auto* cases = new std::vector<GradCase>(MakeCases());
  return *cases;
}

struct NamedBackend {
  std::string name;
  std::unique_ptr<Backend> backend;
};

const std::vector<NamedBackend>& Backends() {
  static const auto* backends = [] {
    auto* v = new std::vector<NamedBackend>;
    v->push_back({"reference", CreateReferenceBackend()});
    v->push_back({"eigen", CreateEigenBackend()});
    return v;
  }();
  return *backends;
}

std::string Describe(const GradCase& c) {
  std::vector<std::string> ins;
  for (const In& in : c.inputs) {
    ins.push_back(in.decl.has_value()
                      ? absl::StrCat(in.feed.ToString(), " as ", in.decl->ToString())
                      : in.feed.ToString());
  }
  std::vector<std::string> attrs;
  for (const auto& [k, v] : c.attrs) attrs.push_back(absl::StrCat(k, "=", AttrValueToString(v)));
  return absl::StrCat(c.op, "(", absl::StrJoin(ins, ", "), ") {", absl::StrJoin(attrs, ", "),
                      "}");
}

Tensor Random(const Shape& shape, double lo, double hi, std::mt19937_64& rng) {
  Tensor t = Tensor::Allocate(DType::kFloat64, shape, nullptr).value();
  std::uniform_real_distribution<double> dist(lo, hi);
  for (int64_t i = 0; i < t.num_elements(); ++i) t.data<double>()[i] = dist(rng);
  return t;
}

Tensor Copy(const Tensor& t) {
  Tensor c = Tensor::Allocate(t.dtype(), t.shape(), nullptr).value();
  if (t.byte_size() > 0) std::memcpy(c.raw_data(), t.raw_data(), t.byte_size());
  return c;
}

class GradientCheck : public ::testing::TestWithParam<int> {};

// Builds the row on one backend and compares analytic and numeric gradients.
void CheckRow(const GradCase& c, int row, const NamedBackend& nb) {
  SCOPED_TRACE(absl::StrCat(nb.name, ": ", Describe(c)));
  OpConfig config;
  config.floatx = DType::kFloat64;
  SessionState s(nb.backend.get(), config, std::make_shared<MemoryAccount>("grad check"));
  std::mt19937_64 rng(1000 + row);
  std::vector<std::string> xs;
  std::vector<Tensor> feeds;
  for (const In& in : c.inputs) {
    PlaceholderRequest p;
    p.dtype = in.fixed.has_value() ? in.fixed->dtype() : DType::kFloat64;
    p.shape = in.decl.value_or(in.feed);
    ASSERT_OK_AND_ASSIGN(NodeInfo info, s.AddNode(p));
    xs.push_back(info.handle);
    feeds.push_back(in.fixed.has_value() ? *in.fixed : Random(in.feed, in.lo, in.hi, rng));
  }
  ASSERT_OK_AND_ASSIGN(NodeInfo out, s.AddNode(OpNodeRequest{"", c.op, xs, c.attrs}));
  // loss = sum(out * w) with random weights of out's runtime shape.
  ASSERT_OK_AND_ASSIGN(std::string forward, s.CreateFunction({xs, {out.handle}, {}}, ""));
  ASSERT_OK_AND_ASSIGN(std::vector<Tensor> y, s.CallFunction(forward, feeds));
  ConstantRequest w;
  w.value = Random(y[0].shape(), 0.5, 1.5, rng);
  ASSERT_OK_AND_ASSIGN(NodeInfo wn, s.AddNode(w));
  ASSERT_OK_AND_ASSIGN(NodeInfo prod, s.AddNode(OpNodeRequest{"", "multiply", {out.handle, wn.handle}, {}}));
  ASSERT_OK_AND_ASSIGN(NodeInfo loss, s.AddNode(OpNodeRequest{"", "sum", {prod.handle}, {}}));
  ASSERT_OK_AND_ASSIGN(std::vector<std::optional<NodeInfo>> grads, s.Gradients(loss.handle, xs));
  ASSERT_EQ(grads.size(), xs.size());
  std::vector<std::string> grad_handles;
  for (size_t i = 0; i < grads.size(); ++i) {
    if (grads[i].has_value()) grad_handles.push_back(grads[i]->handle);
  }
  ASSERT_FALSE(grad_handles.empty()) << "no input got a gradient";
  ASSERT_OK_AND_ASSIGN(std::string gfn, s.CreateFunction({xs, grad_handles, {}}, ""));
  ASSERT_OK_AND_ASSIGN(std::string lfn, s.CreateFunction({xs, {loss.handle}, {}}, ""));
  ASSERT_OK_AND_ASSIGN(std::vector<Tensor> analytic, s.CallFunction(gfn, feeds));
  const auto loss_at = [&](const std::vector<Tensor>& f) {
    return s.CallFunction(lfn, f).value()[0].data<double>()[0];
  };
  constexpr double kH = 1e-6, kRtol = 1e-5, kAtol = 1e-7;
  size_t k = 0;
  for (size_t i = 0; i < xs.size(); ++i) {
    const Tensor* a = nullptr;
    if (grads[i].has_value()) {
      a = &analytic[k++];
      ASSERT_EQ(a->dtype(), DType::kFloat64);
      ASSERT_EQ(a->shape(), feeds[i].shape()) << "gradient of input " << i;
    }
    if (c.inputs[i].fixed.has_value()) {  // integer input: no gradient
      EXPECT_EQ(a, nullptr) << "input " << i;
      continue;
    }
    for (int64_t j = 0; j < feeds[i].num_elements(); ++j) {
      std::vector<Tensor> plus = feeds, minus = feeds;
      plus[i] = Copy(feeds[i]);
      minus[i] = Copy(feeds[i]);
      const double x0 = feeds[i].data<double>()[j];
      plus[i].data<double>()[j] = x0 + kH;
      minus[i].data<double>()[j] = x0 - kH;
      const double numeric = (loss_at(plus) - loss_at(minus)) / (2 * kH);
      const double got = a != nullptr ? a->data<double>()[j] : 0.0;  // None: no influence
      EXPECT_NEAR(got, numeric, kRtol * std::abs(numeric) + kAtol)
          << "input " << i << " element " << j << (a == nullptr ? " (gradient is None)" : "");
    }
  }
}

TEST_P(GradientCheck, MatchesCentralDifferences) {
  const GradCase& c = Cases()[GetParam()];
  for (const NamedBackend& nb : Backends()) CheckRow(c, GetParam(), nb);
}

std::string RowName(const ::testing::TestParamInfo<int>& info) {
  return absl::StrCat(Cases()[info.param].op, "_", info.param);
}

INSTANTIATE_TEST_SUITE_P(AllGradients, GradientCheck,
                         ::testing::Range(0, static_cast<int>(Cases().size())), RowName);

TEST(GradientCheckCoverage, EveryOpWithAGradientHasARow) {
  std::set<std::string> covered;
  for (const GradCase& c : Cases()) covered.insert(c.op);
  std::vector<std::string> missing;
  for (const std::string& op : GradientRegistry::Global().DifferentiableOps()) {
    if (!covered.count(op)) missing.push_back(op);
  }
  EXPECT_TRUE(missing.empty()) << "ops with a gradient but no finite-difference row: "
                               << absl::StrJoin(missing, ", ");
}

}  // namespace
}  // namespace remotek
