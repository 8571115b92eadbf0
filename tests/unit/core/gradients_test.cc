// K.gradients on a session graph: which inputs get a gradient (None for
// unrelated and non-differentiable paths, stop_gradient cuts), fan-out sums,
// dtypes, all-or-nothing errors with exact messages, and a linear model that
// trains through CreateFunction updates. The per-op finite-difference sweep
// lives in tests/conformance/gradient_check_test.cc.
#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backend/core/session_state.h"
#include "backend/eigen/eigen_backend.h"
#include "backend/reference/reference_kernels.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"
#include "tests/support/tensor_testing.h"

namespace remotek {
namespace {

using ::remotek::testing::MakeTensor;
using ::remotek::testing::StatusIs;
using ::remotek::testing::Values;
using ::testing::DoubleNear;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pointwise;
using ::testing::StartsWith;

class GradientsTest : public ::testing::TestWithParam<bool> {
 protected:
  GradientsTest()
      : backend_(GetParam() ? CreateEigenBackend() : CreateReferenceBackend()),
        account_(std::make_shared<MemoryAccount>("gradients test")),
        session_(backend_.get(), Floatx64(), account_) {}

  static OpConfig Floatx64() {
    OpConfig c;
    c.floatx = DType::kFloat64;
    return c;
  }
  std::string Placeholder(Shape shape, DType dtype = DType::kFloat64) {
    PlaceholderRequest r;
    r.shape = std::move(shape);
    r.dtype = dtype;
    return session_.AddNode(r).value().handle;
  }
  std::string Variable(const Tensor& value) {
    VariableRequest r;
    r.value = value;
    return session_.AddNode(r).value().handle;
  }
  std::string Constant(const Tensor& value) {
    ConstantRequest r;
    r.value = value;
    return session_.AddNode(r).value().handle;
  }
  std::string Op(const std::string& op, std::vector<std::string> inputs, AttrMap attrs = {}) {
    absl::StatusOr<NodeInfo> info = session_.AddNode(OpNodeRequest{"", op, std::move(inputs), std::move(attrs)});
    EXPECT_TRUE(info.ok()) << info.status();
    return info.ok() ? info->handle : "";
  }
  // Evaluates `outputs` with `feeds` for `inputs`.
  std::vector<Tensor> Eval(std::vector<std::string> inputs, std::vector<std::string> outputs,
                           std::vector<Tensor> feeds) {
    std::string fn = session_.CreateFunction({std::move(inputs), std::move(outputs), {}}, "").value();
    return session_.CallFunction(fn, feeds).value();
  }

  std::unique_ptr<Backend> backend_;
  std::shared_ptr<MemoryAccount> account_;
  SessionState session_;
};

TEST_P(GradientsTest, UnrelatedInputGetsNone) {
  const std::string x = Placeholder({3});
  const std::string y = Placeholder({3});
  const std::string loss = Op("sum", {Op("square", {x})});
  ASSERT_OK_AND_ASSIGN(auto grads, session_.Gradients(loss, {x, y}));
  ASSERT_EQ(grads.size(), 2u);
  ASSERT_TRUE(grads[0].has_value());
  EXPECT_FALSE(grads[1].has_value());
  EXPECT_THAT(grads[0]->handle, StartsWith("gradients/"));
  EXPECT_EQ(grads[0]->spec.dtype, DType::kFloat64);
  EXPECT_EQ(grads[0]->spec.shape, Shape({3}));
  auto out = Eval({x}, {grads[0]->handle}, {MakeTensor<double>({3}, {1, -2, 3})});
  EXPECT_THAT(Values<double>(out[0]), ElementsAre(2, -4, 6));
}

TEST_P(GradientsTest, NonDifferentiablePathsGiveNoneNotZero) {
  const std::string x = Placeholder({4});
  // Through argmax (int64) then cast back to float.
  const std::string a = Op("sum", {Op("cast", {Op("argmax", {x})}, {{"dtype", std::string("float64")}})});
  // Through a comparison.
  const std::string c = Op("sum", {Op("cast", {Op("greater", {x, x})}, {{"dtype", std::string("float64")}})});
  // Through round and sign (float to float, registered non-differentiable).
  const std::string r = Op("sum", {Op("round", {x})});
  const std::string s = Op("sum", {Op("sign", {x})});
  // Through a cast to an integer dtype and back.
  const std::string i = Op("sum", {Op("cast", {Op("cast", {x}, {{"dtype", std::string("int32")}})},
                                      {{"dtype", std::string("float64")}})});
  for (const std::string& loss : {a, c, r, s, i}) {
    ASSERT_OK_AND_ASSIGN(auto grads, session_.Gradients(loss, {x}));
    EXPECT_FALSE(grads[0].has_value()) << loss;
  }
  // A differentiable path beside a non-differentiable one still counts.
  const std::string mixed = Op("add", {Op("sum", {Op("round", {x})}), Op("sum", {x})});
  ASSERT_OK_AND_ASSIGN(auto grads, session_.Gradients(mixed, {x}));
  ASSERT_TRUE(grads[0].has_value());
  auto out = Eval({x}, {grads[0]->handle}, {MakeTensor<double>({4}, {0.2, 1.7, -3, 4})});
  EXPECT_THAT(Values<double>(out[0]), ElementsAre(1, 1, 1, 1));
}

TEST_P(GradientsTest, StopGradientCutsThePath) {
  const std::string x = Placeholder({3});
  ASSERT_OK_AND_ASSIGN(auto none, session_.Gradients(Op("sum", {Op("stop_gradient", {x})}), {x}));
  EXPECT_FALSE(none[0].has_value());
  // d/dx sum(stop(x) * x) = stop(x) = x, not 2x.
  const std::string loss = Op("sum", {Op("multiply", {Op("stop_gradient", {x}), x})});
  ASSERT_OK_AND_ASSIGN(auto grads, session_.Gradients(loss, {x}));
  ASSERT_TRUE(grads[0].has_value());
  auto out = Eval({x}, {grads[0]->handle}, {MakeTensor<double>({3}, {1, 2, 3})});
  EXPECT_THAT(Values<double>(out[0]), ElementsAre(1, 2, 3));
}

TEST_P(GradientsTest, FanOutContributionsAreSummed) {
  const std::string x = Placeholder({3});
  // loss = sum(x*x + 3x + exp(x) * x): d = 2x + 3 + exp(x)(1 + x)
  const std::string three = Constant(MakeTensor<double>({}, {3}));
  const std::string t = Op("add", {Op("multiply", {x, x}), Op("multiply", {three, x})});
  const std::string loss = Op("sum", {Op("add", {t, Op("multiply", {Op("exp", {x}), x})})});
  ASSERT_OK_AND_ASSIGN(auto grads, session_.Gradients(loss, {x, x}));
  ASSERT_TRUE(grads[0].has_value() && grads[1].has_value());
  EXPECT_EQ(grads[0]->handle, grads[1]->handle);
  const std::vector<double> xv = {-1, 0.5, 2};
  auto out = Eval({x}, {grads[0]->handle}, {MakeTensor<double>({3}, xv)});
  std::vector<double> want;
  for (double v : xv) want.push_back(2 * v + 3 + std::exp(v) * (1 + v));
  EXPECT_THAT(Values<double>(out[0]), Pointwise(DoubleNear(1e-12), want));
}

TEST_P(GradientsTest, IntermediateNodesAndLossItself) {
  const std::string x = Placeholder({2});
  const std::string h = Op("square", {x});
  const std::string loss = Op("sum", {Op("multiply", {h, h})});  // sum(x^4)
  ASSERT_OK_AND_ASSIGN(auto grads, session_.Gradients(loss, {h, x, loss}));
  auto out = Eval({x}, {grads[0]->handle, grads[1]->handle, grads[2]->handle},
                  {MakeTensor<double>({2}, {1, 2})});
  EXPECT_THAT(Values<double>(out[0]), ElementsAre(2, 8));    // 2h
  EXPECT_THAT(Values<double>(out[1]), ElementsAre(4, 32));   // 4x^3
  EXPECT_THAT(Values<double>(out[2]), ElementsAre(1));       // ones_like(loss)
}

TEST_P(GradientsTest, VectorLossIsSummedAsTfGradientsDoes) {
  const std::string x = Placeholder({2, 3});
  const std::string loss = Op("multiply", {x, x});  // not a scalar
  ASSERT_OK_AND_ASSIGN(auto grads, session_.Gradients(loss, {x}));
  auto out = Eval({x}, {grads[0]->handle}, {MakeTensor<double>({2, 3}, {1, 2, 3, 4, 5, 6})});
  EXPECT_THAT(Values<double>(out[0]), ElementsAre(2, 4, 6, 8, 10, 12));
}

TEST_P(GradientsTest, MaxSplitsTheGradientAmongTies) {
  const std::string x = Placeholder({4});
  ASSERT_OK_AND_ASSIGN(auto grads, session_.Gradients(Op("max", {x}), {x}));
  auto out = Eval({x}, {grads[0]->handle}, {MakeTensor<double>({4}, {1, 3, 3, 2})});
  EXPECT_THAT(Values<double>(out[0]), ElementsAre(0, 0.5, 0.5, 0));
}

TEST_P(GradientsTest, UnknownDimsUnbroadcastAtRunTime) {
  // x is (None, 3) and is fed (1, 3): the broadcast against y (4, 3) is only
  // visible when the function runs, and the gradient must sum over it.
  const std::string x = Placeholder(Shape{kUnknownDim, 3});
  const std::string y = Placeholder({4, 3});
  const std::string loss = Op("sum", {Op("multiply", {x, y})});
  ASSERT_OK_AND_ASSIGN(auto grads, session_.Gradients(loss, {x}));
  EXPECT_EQ(grads[0]->spec.shape, Shape({kUnknownDim, 3}));
  std::vector<double> yv(12);
  for (int i = 0; i < 12; ++i) yv[i] = i;
  auto once = Eval({x, y}, {grads[0]->handle},
                   {MakeTensor<double>({1, 3}, {1, 1, 1}), MakeTensor<double>({4, 3}, yv)});
  EXPECT_EQ(once[0].shape(), Shape({1, 3}));
  EXPECT_THAT(Values<double>(once[0]), ElementsAre(18, 22, 26));
  auto full = Eval({x, y}, {grads[0]->handle},
                   {MakeTensor<double>({4, 3}, std::vector<double>(12, 1)), MakeTensor<double>({4, 3}, yv)});
  EXPECT_EQ(full[0].shape(), Shape({4, 3}));
  EXPECT_EQ(Values<double>(full[0]), yv);
}

TEST_P(GradientsTest, CastBetweenFloatsKeepsXsDtype) {
  const std::string x = Placeholder({2}, DType::kFloat32);
  const std::string loss = Op("sum", {Op("square", {Op("cast", {x}, {{"dtype", std::string("float64")}})})});
  ASSERT_OK_AND_ASSIGN(auto grads, session_.Gradients(loss, {x}));
  ASSERT_TRUE(grads[0].has_value());
  EXPECT_EQ(grads[0]->spec.dtype, DType::kFloat32);
  auto out = Eval({x}, {grads[0]->handle}, {MakeTensor<float>({2}, {1.5f, -2})});
  EXPECT_THAT(Values<float>(out[0]), ElementsAre(3.0f, -4.0f));
}

TEST_P(GradientsTest, Float16GradientsStayFloat16) {
  const std::string x = Placeholder({3}, DType::kFloat16);
  const std::string loss = Op("mean", {Op("multiply", {Op("square", {x}), Op("sigmoid", {x})})});
  ASSERT_OK_AND_ASSIGN(auto grads, session_.Gradients(loss, {x}));
  ASSERT_TRUE(grads[0].has_value());
  EXPECT_EQ(grads[0]->spec.dtype, DType::kFloat16);
  auto out = Eval({x}, {grads[0]->handle},
                  {testing::MakeTensorAs(DType::kFloat16, {3}, {-1, 0.5, 2})});
  std::vector<double> want;
  for (double v : {-1.0, 0.5, 2.0}) {
    const double sg = 1 / (1 + std::exp(-v));
    want.push_back((2 * v * sg + v * v * sg * (1 - sg)) / 3);
  }
  EXPECT_THAT(testing::ValuesAsDouble(out[0]), Pointwise(DoubleNear(5e-3), want));
}

TEST_P(GradientsTest, IntegerInputsGetNone) {
  const std::string x = Placeholder({2}, DType::kInt32);
  const std::string loss = Op("sum", {Op("cast", {x}, {{"dtype", std::string("float64")}})});
  ASSERT_OK_AND_ASSIGN(auto grads, session_.Gradients(loss, {x}));
  EXPECT_FALSE(grads[0].has_value());
}

TEST_P(GradientsTest, ErrorsAreAllOrNothing) {
  const std::string x = Placeholder({3});
  const std::string good = Op("sum", {Op("square", {x})});
  // A path through an op with no gradient yet.
  const std::string p = Op("prod", {x});
  const std::string bad = Op("add", {good, p});
  const SessionStats before = session_.Stats();
  EXPECT_THAT(session_.Gradients(bad, {x}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "gradients: no gradient defined for op \"prod\" (node \"" + p + "\")"));
  EXPECT_EQ(session_.Stats().nodes, before.nodes);
  EXPECT_EQ(session_.Stats().bytes_held, before.bytes_held);
  // Name counters are as they were: the next request names its nodes exactly
  // as the same request does in a session that never failed.
  ASSERT_OK_AND_ASSIGN(auto after_failure, session_.Gradients(good, {x}));
  SessionState fresh(backend_.get(), Floatx64(), std::make_shared<MemoryAccount>("fresh"));
  PlaceholderRequest pr;
  pr.shape = Shape({3});
  pr.dtype = DType::kFloat64;
  const std::string fx = fresh.AddNode(pr).value().handle;
  const std::string fsq = fresh.AddNode(OpNodeRequest{"", "square", {fx}, {}}).value().handle;
  const std::string fgood = fresh.AddNode(OpNodeRequest{"", "sum", {fsq}, {}}).value().handle;
  ASSERT_OK_AND_ASSIGN(auto in_fresh, fresh.Gradients(fgood, {fx}));
  EXPECT_EQ(after_failure[0]->handle, in_fresh[0]->handle);

  // Loss must be floating.
  const std::string ints = Op("argmax", {x});
  EXPECT_THAT(session_.Gradients(ints, {x}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "gradients: loss \"" + ints + "\" has dtype int64; expected a floating dtype"));
  // Unknown handles.
  EXPECT_THAT(session_.Gradients("nope", {x}),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("unknown handle \"nope\"")));
  EXPECT_THAT(session_.Gradients(good, {x, "nope"}),
              StatusIs(absl::StatusCode::kNotFound,
                       "gradients: variables[1]: unknown handle \"nope\""));
}

TEST_P(GradientsTest, UnsupportedVariantsAreRefusedNamingTheNode) {
  const std::string x = Placeholder({2, 3, 4});
  const std::string y = Placeholder({3, 4, 2});
  const std::string d = Op("dot", {x, y});
  EXPECT_THAT(session_.Gradients(Op("sum", {d}), {y}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("no gradient defined for op \"dot\" (node \"" + d + "\") with y of rank 3")));
}

// y = x . W + b fitted with mean_squared_error and plain SGD updates built
// from the gradients: 50 calls cut the loss more than tenfold.
TEST_P(GradientsTest, LinearModelTrainsWithSgdUpdates) {
  const std::string x = Placeholder(Shape{kUnknownDim, 3});
  const std::string y = Placeholder(Shape{kUnknownDim, 1});
  const std::string w = Variable(MakeTensor<double>({3, 1}, {0, 0, 0}));
  const std::string b = Variable(MakeTensor<double>({1}, {0}));
  const std::string pred = Op("add", {Op("dot", {x, w}), b});
  const std::string loss = Op("mean", {Op("mean_squared_error", {y, pred})});
  ASSERT_OK_AND_ASSIGN(auto grads, session_.Gradients(loss, {w, b}));
  ASSERT_TRUE(grads[0].has_value() && grads[1].has_value());
  const std::string lr = Constant(MakeTensor<double>({}, {0.1}));
  const std::string new_w = Op("subtract", {w, Op("multiply", {grads[0]->handle, lr})});
  const std::string new_b = Op("subtract", {b, Op("multiply", {grads[1]->handle, lr})});
  ASSERT_OK_AND_ASSIGN(std::string step,
                       session_.CreateFunction({{x, y}, {loss}, {{w, new_w}, {b, new_b}}}, "step"));
  // Targets from y = 1.5 x0 - 2 x1 + 0.5 x2 + 0.3.
  std::vector<double> xv, yv;
  for (int i = 0; i < 16; ++i) {
    const double a = std::sin(i), c = std::cos(1.3 * i), e = 0.1 * i - 0.8;
    xv.insert(xv.end(), {a, c, e});
    yv.push_back(1.5 * a - 2 * c + 0.5 * e + 0.3);
  }
  const std::vector<Tensor> feeds = {MakeTensor<double>({16, 3}, xv), MakeTensor<double>({16, 1}, yv)};
  double first = 0, last = 0;
  for (int i = 0; i < 50; ++i) {
    ASSERT_OK_AND_ASSIGN(std::vector<Tensor> out, session_.CallFunction(step, feeds));
    (i == 0 ? first : last) = out[0].data<double>()[0];
  }
  EXPECT_GT(first, 10 * last) << "loss went from " << first << " to " << last;
}

// The MLP, in float32 (Keras's default floatx): dense + relu +
// softmax with categorical_crossentropy on three Gaussian blobs, trained by
// SGD updates built from the gradients, reaches >= 95% accuracy.
TEST_P(GradientsTest, Float32MlpLearnsThreeBlobs) {
  SessionState s(backend_.get(), OpConfig{}, std::make_shared<MemoryAccount>("mlp"));
  const auto add = [&](NodeRequest r) { return s.AddNode(r).value().handle; };
  const auto op = [&](const std::string& name, std::vector<std::string> in, AttrMap attrs = {}) {
    return add(OpNodeRequest{"", name, std::move(in), std::move(attrs)});
  };
  const auto var = [&](Shape shape, double scale, int seed) {
    std::vector<float> v(shape.NumElements().value());
    for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(scale * std::sin(seed * 7.1 + i * 1.7));
    VariableRequest r;
    r.value = MakeTensor<float>(shape, v);
    return add(r);
  };
  PlaceholderRequest px, py;
  px.shape = Shape{kUnknownDim, 2};
  py.shape = Shape{kUnknownDim, 3};
  const std::string x = add(px), y = add(py);
  const std::string w1 = var({2, 8}, 0.5, 1), b1 = var({8}, 0.0, 2);
  const std::string w2 = var({8, 3}, 0.5, 3), b2 = var({3}, 0.0, 4);
  const std::string h = op("relu", {op("add", {op("dot", {x, w1}), b1})});
  const std::string p = op("softmax", {op("add", {op("dot", {h, w2}), b2})});
  const std::string loss = op("mean", {op("categorical_crossentropy", {y, p})});
  const std::vector<std::string> params = {w1, b1, w2, b2};
  ASSERT_OK_AND_ASSIGN(auto grads, s.Gradients(loss, params));
  ConstantRequest lr;
  lr.value = MakeTensor<float>({}, {0.5f});
  const std::string lr_h = add(lr);
  FunctionSignature sig{{x, y}, {loss, p}, {}};
  for (size_t i = 0; i < params.size(); ++i) {
    ASSERT_TRUE(grads[i].has_value()) << params[i];
    EXPECT_EQ(grads[i]->spec.dtype, DType::kFloat32);
    sig.updates.push_back({params[i], op("subtract", {params[i], op("multiply", {grads[i]->handle, lr_h})})});
  }
  ASSERT_OK_AND_ASSIGN(std::string step, s.CreateFunction(sig, ""));
  // Three blobs around (0, 2), (-2, -1), (2, -1), deterministic jitter.
  std::vector<float> xv, yv;
  const double centers[3][2] = {{0, 2}, {-2, -1}, {2, -1}};
  for (int i = 0; i < 90; ++i) {
    const int k = i % 3;
    xv.push_back(static_cast<float>(centers[k][0] + 0.6 * std::sin(i * 12.9898)));
    xv.push_back(static_cast<float>(centers[k][1] + 0.6 * std::cos(i * 78.233)));
    for (int j = 0; j < 3; ++j) yv.push_back(j == k ? 1.0f : 0.0f);
  }
  const std::vector<Tensor> feeds = {MakeTensor<float>({90, 2}, xv), MakeTensor<float>({90, 3}, yv)};
  float first = 0, last = 0;
  std::vector<float> probs;
  for (int i = 0; i < 100; ++i) {
    ASSERT_OK_AND_ASSIGN(std::vector<Tensor> out, s.CallFunction(step, feeds));
    (i == 0 ? first : last) = out[0].data<float>()[0];
    probs = Values<float>(out[1]);
  }
  int correct = 0;
  for (int i = 0; i < 90; ++i) {
    const float* row = &probs[i * 3];
    const int best = static_cast<int>(std::max_element(row, row + 3) - row);
    correct += best == i % 3;
  }
  EXPECT_LT(last, first / 4) << "loss went from " << first << " to " << last;
  EXPECT_GE(correct, 86) << "accuracy " << correct << "/90";
}

INSTANTIATE_TEST_SUITE_P(Backends, GradientsTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "eigen" : "reference";
                         });

}  // namespace
}  // namespace remotek
