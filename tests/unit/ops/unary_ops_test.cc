// Unary elementwise ops, on both built-in backends.
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "backend/eigen/eigen_backend.h"
#include "backend/reference/reference_kernels.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"
#include "tests/support/tensor_testing.h"

namespace remotek {
namespace {

using ::remotek::testing::Infer;
using ::remotek::testing::MakeTensor;
using ::remotek::testing::MakeTensorAs;
using ::remotek::testing::StatusIs;
using ::remotek::testing::Values;
using ::remotek::testing::ValuesAsDouble;
using ::testing::DoubleNear;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::NanSensitiveDoubleNear;
using ::testing::NanSensitiveFloatNear;
using ::testing::Pointwise;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

class UnaryOpsTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    backend_ = GetParam() == "reference" ? CreateReferenceBackend()
                                         : CreateEigenBackend();
  }
  absl::StatusOr<Tensor> Run(const std::string& op, Tensor x,
                             const AttrMap& attrs = {}) {
    return testing::Run(*backend_, op, {std::move(x)}, attrs);
  }
  // Runs `op` on float64 `xs` and returns the values (shape and dtype checked).
  std::vector<double> Doubles(const std::string& op,
                              const std::vector<double>& xs,
                              const AttrMap& attrs = {}) {
    absl::StatusOr<Tensor> z =
        Run(op, MakeTensor<double>(Shape({int64_t(xs.size())}), xs), attrs);
    if (!z.ok()) {
      ADD_FAILURE() << op << ": " << z.status();
      return {};
    }
    EXPECT_EQ(z->dtype(), DType::kFloat64) << op;
    EXPECT_EQ(z->shape(), Shape({int64_t(xs.size())})) << op;
    return Values<double>(*z);
  }
  std::unique_ptr<Backend> backend_;
};

TEST_P(UnaryOpsTest, NumericOpsOnFloats) {
  const std::vector<double> xs = {-2.5, -0.0, 0.0, 3.0, kNaN, -kInf};
  EXPECT_THAT(
      Doubles("negative", xs),
      Pointwise(NanSensitiveDoubleNear(0), {2.5, 0.0, -0.0, -3.0, kNaN, kInf}));
  EXPECT_THAT(Doubles("abs", xs), Pointwise(NanSensitiveDoubleNear(0),
                                            {2.5, 0.0, 0.0, 3.0, kNaN, kInf}));
  EXPECT_THAT(
      Doubles("sign", xs),
      Pointwise(NanSensitiveDoubleNear(0), {-1.0, 0.0, 0.0, 1.0, kNaN, -1.0}));
  EXPECT_THAT(
      Doubles("square", xs),
      Pointwise(NanSensitiveDoubleNear(0), {6.25, 0.0, 0.0, 9.0, kNaN, kInf}));
}

TEST_P(UnaryOpsTest, SignsOfZeroFollowNumpy) {
  // np.abs(-0.0) is +0.0; np.round(-0.4) is -0.0; -(+0.0) is -0.0.
  const std::vector<double> abs = Doubles("abs", {-0.0, 0.0});
  ASSERT_EQ(abs.size(), 2u);
  EXPECT_FALSE(std::signbit(abs[0]));
  EXPECT_FALSE(std::signbit(abs[1]));
  const std::vector<double> round = Doubles("round", {-0.4, -0.5, 0.4});
  ASSERT_EQ(round.size(), 3u);
  EXPECT_TRUE(std::signbit(round[0]));
  EXPECT_TRUE(std::signbit(round[1]));
  EXPECT_FALSE(std::signbit(round[2]));
  const std::vector<double> neg = Doubles("negative", {0.0});
  ASSERT_EQ(neg.size(), 1u);
  EXPECT_TRUE(std::signbit(neg[0]));
}

TEST_P(UnaryOpsTest, RoundHalfToEven) {
  EXPECT_THAT(Doubles("round", {0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, 2.6, -2.6,
                                1e300, kNaN, kInf}),
              Pointwise(NanSensitiveDoubleNear(0),
                        {0.0, 2.0, 2.0, -0.0, -2.0, -2.0, 2.0, 3.0, -3.0, 1e300,
                         kNaN, kInf}));
  ASSERT_OK_AND_ASSIGN(
      Tensor z,
      Run("round", MakeTensor<float>(Shape({3}), {0.5f, 3.5f, -7.49f})));
  EXPECT_EQ(z.dtype(), DType::kFloat32);
  EXPECT_THAT(Values<float>(z), ElementsAre(0.0f, 4.0f, -7.0f));
  ASSERT_OK_AND_ASSIGN(z,
                       Run("round", MakeTensor<int32_t>(Shape({2}), {7, -3})));
  EXPECT_THAT(Values<int32_t>(z), ElementsAre(7, -3));
}

TEST_P(UnaryOpsTest, NumericOpsOnIntegersWrap) {
  Tensor i8 = MakeTensor<int8_t>(Shape({4}), {-128, -3, 0, 16});
  ASSERT_OK_AND_ASSIGN(Tensor z, Run("negative", i8));
  EXPECT_EQ(z.dtype(), DType::kInt8);
  EXPECT_THAT(Values<int8_t>(z), ElementsAre(-128, 3, 0, -16));
  ASSERT_OK_AND_ASSIGN(z, Run("abs", i8));
  EXPECT_THAT(Values<int8_t>(z), ElementsAre(-128, 3, 0, 16));
  ASSERT_OK_AND_ASSIGN(z, Run("sign", i8));
  EXPECT_THAT(Values<int8_t>(z), ElementsAre(-1, -1, 0, 1));
  ASSERT_OK_AND_ASSIGN(z, Run("square", i8));
  EXPECT_THAT(Values<int8_t>(z), ElementsAre(0, 9, 0, 0));
  Tensor u8 = MakeTensor<uint8_t>(Shape({3}), {0, 1, 200});
  ASSERT_OK_AND_ASSIGN(z, Run("negative", u8));
  EXPECT_THAT(Values<uint8_t>(z), ElementsAre(0, 255, 56));
  ASSERT_OK_AND_ASSIGN(z, Run("sign", u8));
  EXPECT_THAT(Values<uint8_t>(z), ElementsAre(0, 1, 1));
  ASSERT_OK_AND_ASSIGN(
      z, Run("square", MakeTensor<int64_t>(Shape({1}), {int64_t{1} << 32})));
  EXPECT_THAT(Values<int64_t>(z), ElementsAre(0));
}

TEST_P(UnaryOpsTest, FloatMath) {
  const double e = std::exp(1.0);
  EXPECT_THAT(
      Doubles("sqrt", {4, 2, -1}),
      Pointwise(NanSensitiveDoubleNear(1e-15), {2.0, std::sqrt(2.0), kNaN}));
  EXPECT_THAT(Doubles("exp", {0, 1, -kInf}),
              Pointwise(DoubleNear(1e-15), {1.0, e, 0.0}));
  EXPECT_THAT(Doubles("log", {1, e, 0}),
              Pointwise(DoubleNear(1e-15), {0.0, 1.0, -kInf}));
  EXPECT_THAT(Doubles("tanh", {0, 1, -1000}),
              Pointwise(DoubleNear(1e-15), {0.0, std::tanh(1.0), -1.0}));
  EXPECT_THAT(Doubles("sigmoid", {0, 2, -2, 1000, -1000}),
              Pointwise(DoubleNear(1e-15), {0.5, 1 / (1 + std::exp(-2.0)),
                                            1 / (1 + e * e), 1.0, 0.0}));
  EXPECT_THAT(Doubles("softplus", {0, 1, -1, 1000, -1000}),
              Pointwise(DoubleNear(1e-12), {std::log(2.0), std::log(e + 1),
                                            std::log(1 / e + 1), 1000.0, 0.0}));
  EXPECT_THAT(Doubles("softsign", {0, 1, -3}),
              Pointwise(DoubleNear(1e-15), {0.0, 0.5, -0.75}));
  EXPECT_THAT(Doubles("hard_sigmoid", {0, 1, -1, 3, -3, kNaN}),
              Pointwise(NanSensitiveDoubleNear(1e-15),
                        {0.5, 0.7, 0.3, 1.0, 0.0, kNaN}));
}

TEST_P(UnaryOpsTest, Elu) {
  EXPECT_THAT(
      Doubles("elu", {2, 0, -1, -1000}),
      Pointwise(DoubleNear(1e-15), {2.0, 0.0, std::exp(-1.0) - 1, -1.0}));
  EXPECT_THAT(Doubles("elu", {2, -1}, {{"alpha", 0.5}}),
              Pointwise(DoubleNear(1e-15), {2.0, 0.5 * (std::exp(-1.0) - 1)}));
  ASSERT_OK_AND_ASSIGN(Tensor z,
                       Run("elu", MakeTensor<float>(Shape({2}), {3, -2}),
                           {{"alpha", int64_t{2}}}));
  EXPECT_EQ(z.dtype(), DType::kFloat32);
  EXPECT_THAT(Values<float>(z), Pointwise(NanSensitiveFloatNear(1e-6),
                                          {3.0f, float(2 * std::expm1(-2.0))}));
}

TEST_P(UnaryOpsTest, FloatOpsOnHalfAndFloat32) {
  ASSERT_OK_AND_ASSIGN(
      Tensor z, Run("exp", MakeTensorAs(DType::kFloat16, Shape({2}), {0, 1})));
  EXPECT_EQ(z.dtype(), DType::kFloat16);
  EXPECT_THAT(ValuesAsDouble(z),
              Pointwise(DoubleNear(2e-3), {1.0, std::exp(1.0)}));
  ASSERT_OK_AND_ASSIGN(
      z, Run("sigmoid", MakeTensor<float>(Shape({3}), {0, 100, -100})));
  EXPECT_EQ(z.dtype(), DType::kFloat32);
  EXPECT_THAT(Values<float>(z),
              Pointwise(NanSensitiveFloatNear(1e-7), {0.5f, 1.0f, 0.0f}));
}

TEST_P(UnaryOpsTest, Clip) {
  EXPECT_THAT(Doubles("clip", {-2, 0.5, 3, kNaN},
                      {{"min_value", 0.0}, {"max_value", 1.0}}),
              Pointwise(NanSensitiveDoubleNear(0), {0.0, 0.5, 1.0, kNaN}));
  // Keras: max_value below min_value is raised to it.
  EXPECT_THAT(Doubles("clip", {-2, 0.5, 3},
                      {{"min_value", 1.0}, {"max_value", int64_t{0}}}),
              ElementsAre(1.0, 1.0, 1.0));
  ASSERT_OK_AND_ASSIGN(
      Tensor z, Run("clip", MakeTensor<int32_t>(Shape({4}), {-5, 0, 5, 10}),
                    {{"min_value", int64_t{-1}}, {"max_value", 6.0}}));
  EXPECT_EQ(z.dtype(), DType::kInt32);
  EXPECT_THAT(Values<int32_t>(z), ElementsAre(-1, 0, 5, 6));
  // Bounds outside the dtype's range saturate to it.
  ASSERT_OK_AND_ASSIGN(z,
                       Run("clip", MakeTensor<uint8_t>(Shape({2}), {0, 255}),
                           {{"min_value", int64_t{-5}}, {"max_value", 1e10}}));
  EXPECT_THAT(Values<uint8_t>(z), ElementsAre(0, 255));
  const int64_t big = std::numeric_limits<int64_t>::max() - 1;
  ASSERT_OK_AND_ASSIGN(
      z, Run("clip", MakeTensor<int64_t>(Shape({2}), {0, big + 1}),
             {{"min_value", big}, {"max_value", big}}));
  EXPECT_THAT(Values<int64_t>(z), ElementsAre(big, big));
  ASSERT_OK_AND_ASSIGN(z, Run("clip", MakeTensor<float>(Shape({2}), {0, 1}),
                              {{"min_value", -1e300}, {"max_value", 1e300}}));
  EXPECT_THAT(Values<float>(z), ElementsAre(0.0f, 1.0f));
}

TEST_P(UnaryOpsTest, ClipErrors) {
  Tensor f = MakeTensor<float>(Shape({1}), {1});
  EXPECT_THAT(Run("clip", f, {{"min_value", 0.0}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("clip: attribute max_value is required")));
  EXPECT_THAT(
      Run("clip", f, {{"min_value", std::string("0")}, {"max_value", 1.0}}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("clip: min_value must be a number")));
  EXPECT_THAT(Run("clip", f, {{"min_value", kNaN}, {"max_value", 1.0}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("clip: min_value must be a number, got nan")));
  EXPECT_THAT(
      Run("clip", MakeTensor<int32_t>(Shape({1}), {1}),
          {{"min_value", 0.0}, {"max_value", 2.5}}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("clip: max_value=2.5 must be a whole number for x of "
                         "dtype int32")));
  EXPECT_THAT(
      Run("clip", MakeTensor<bool>(Shape({1}), {true}),
          {{"min_value", 0.0}, {"max_value", 1.0}}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("clip: x has dtype bool; expected a numeric dtype")));
}

TEST_P(UnaryOpsTest, ReluMatchesKeras) {
  // Expected values follow Keras 2.3's backend.relu step by step:
  //   negative_part = relu(-x + threshold); x = x * (x > threshold) or relu(x);
  //   if max_value: x = clip(x, 0, max_value); x -= alpha * negative_part.
  const std::vector<double> xs = {-2, -0.5, 0, 0.5, 1.5, 3};
  EXPECT_THAT(Doubles("relu", xs), ElementsAre(0, 0, 0, 0.5, 1.5, 3));
  EXPECT_THAT(Doubles("relu", xs, {{"alpha", 0.1}}),
              Pointwise(DoubleNear(1e-15), {-0.2, -0.05, 0.0, 0.5, 1.5, 3.0}));
  EXPECT_THAT(Doubles("relu", xs, {{"max_value", 2.0}}),
              ElementsAre(0, 0, 0, 0.5, 1.5, 2));
  EXPECT_THAT(Doubles("relu", xs, {{"threshold", 1.0}}),
              ElementsAre(0, 0, 0, 0, 1.5, 3));
  EXPECT_THAT(
      Doubles("relu", xs,
              {{"alpha", 0.5}, {"max_value", 2.0}, {"threshold", 1.0}}),
      Pointwise(DoubleNear(1e-15), {-1.5, -0.75, -0.5, -0.25, 1.5, 2.0}));
  // A negative threshold lets small negatives through unless max_value clips at
  // 0.
  EXPECT_THAT(Doubles("relu", xs, {{"threshold", -1.0}}),
              ElementsAre(0, -0.5, 0, 0.5, 1.5, 3));
  EXPECT_THAT(Doubles("relu", xs, {{"threshold", -1.0}, {"max_value", 2.0}}),
              ElementsAre(0, 0, 0, 0.5, 1.5, 2));
  // A negative max_value: clip_by_value(x, 0, max) is then 0 everywhere.
  EXPECT_THAT(Doubles("relu", xs, {{"max_value", -1.0}}),
              ElementsAre(0, 0, 0, 0, 0, 0));
  EXPECT_THAT(Doubles("relu", {kNaN}),
              Pointwise(NanSensitiveDoubleNear(0), {kNaN}));
}

TEST_P(UnaryOpsTest, ReluOnIntegers) {
  Tensor x = MakeTensor<int32_t>(Shape({5}), {-7, -3, 0, 4, 9});
  ASSERT_OK_AND_ASSIGN(Tensor z, Run("relu", x));
  EXPECT_EQ(z.dtype(), DType::kInt32);
  EXPECT_THAT(Values<int32_t>(z), ElementsAre(0, 0, 0, 4, 9));
  // Float math for alpha, truncated toward zero into the dtype.
  ASSERT_OK_AND_ASSIGN(
      z, Run("relu", x, {{"alpha", 0.5}, {"max_value", int64_t{6}}}));
  EXPECT_THAT(Values<int32_t>(z), ElementsAre(-3, -1, 0, 4, 6));
  const int64_t big = std::numeric_limits<int64_t>::max();
  ASSERT_OK_AND_ASSIGN(z, Run("relu", MakeTensor<int64_t>(Shape({1}), {big})));
  EXPECT_THAT(Values<int64_t>(z), ElementsAre(big));
}

TEST_P(UnaryOpsTest, Softmax) {
  ASSERT_OK_AND_ASSIGN(
      Tensor z, Run("softmax", MakeTensor<float>(Shape({2, 3}),
                                                 {1, 2, 3, 1000, 1000, 1000})));
  EXPECT_EQ(z.dtype(), DType::kFloat32);
  EXPECT_EQ(z.shape(), Shape({2, 3}));
  const double s = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  EXPECT_THAT(ValuesAsDouble(z),
              Pointwise(DoubleNear(1e-6),
                        {std::exp(1.0) / s, std::exp(2.0) / s,
                         std::exp(3.0) / s, 1 / 3.0, 1 / 3.0, 1 / 3.0}));
  // axis=0 (as -2) of a (2, 2, 1) float64 tensor.
  ASSERT_OK_AND_ASSIGN(
      z, Run("softmax", MakeTensor<double>(Shape({2, 2, 1}), {0, 5, 0, -5}),
             {{"axis", int64_t{-3}}}));
  EXPECT_THAT(Values<double>(z),
              Pointwise(DoubleNear(1e-15), {0.5, 1 / (1 + std::exp(-10.0)), 0.5,
                                            1 / (1 + std::exp(10.0))}));
  ASSERT_OK_AND_ASSIGN(
      z, Run("softmax", MakeTensor<double>(Shape({2, 2}), {0, 1, 2, 3}),
             {{"axis", int64_t{0}}}));
  const double a = 1 / (1 + std::exp(2.0));
  EXPECT_THAT(Values<double>(z),
              Pointwise(DoubleNear(1e-15), {a, a, 1 - a, 1 - a}));
}

TEST_P(UnaryOpsTest, DTypeErrors) {
  Tensor b = MakeTensor<bool>(Shape({1}), {true});
  Tensor i = MakeTensor<int32_t>(Shape({1}), {1});
  for (const char* op :
       {"negative", "abs", "sign", "square", "round", "relu"}) {
    EXPECT_THAT(
        Run(op, b),
        StatusIs(absl::StatusCode::kInvalidArgument,
                 HasSubstr(std::string(op) +
                           ": x has dtype bool; expected a numeric dtype")));
  }
  for (const char* op : {"sqrt", "exp", "log", "sigmoid", "tanh", "softplus",
                         "softsign", "elu", "hard_sigmoid", "softmax"}) {
    EXPECT_THAT(
        Run(op, i),
        StatusIs(absl::StatusCode::kInvalidArgument,
                 HasSubstr(std::string(op) +
                           ": x has dtype int32; expected a floating dtype")));
  }
}

TEST_P(UnaryOpsTest, AttrAndShapeErrors) {
  Tensor f = MakeTensor<float>(Shape({2}), {1, 2});
  EXPECT_THAT(
      Run("relu", f, {{"alpah", 0.1}}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr(
                   "relu: unknown attribute(s) alpah (known: alpha, max_value, "
                   "threshold)")));
  EXPECT_THAT(
      Run("exp", f, {{"alpha", 0.1}}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("exp: unknown attribute(s) alpha (takes none)")));
  EXPECT_THAT(Run("relu", f, {{"max_value", true}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("relu: max_value must be a number")));
  EXPECT_THAT(
      Run("softmax", MakeTensor<float>(Shape(), {1})),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("softmax: x must have rank >= 1, got a scalar")));
  EXPECT_THAT(
      Run("softmax", f, {{"axis", int64_t{1}}}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("softmax: axis=1 is out of range for rank 1")));
  EXPECT_THAT(testing::Run(*backend_, "exp", {f, f}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("exp: takes 1 input(s), got 2")));
}

INSTANTIATE_TEST_SUITE_P(Backends, UnaryOpsTest,
                         ::testing::Values("reference", "eigen"),
                         [](const auto& info) { return info.param; });

// ------------------------------------------------------- static inference

absl::StatusOr<InferResult> InferWithAttrs(const std::string& op, TensorSpec x,
                                           const AttrMap& attrs) {
  REMOTEK_ASSIGN_OR_RETURN(const OpDef* def, OpRegistry::Global().Find(op));
  return InferOp(*def, {x}, attrs, OpConfig{});
}

TEST(UnaryInfer, CarriesUnknownDimsAndDType) {
  const Shape shape({kUnknownDim, 3});
  for (const char* op :
       {"negative", "abs", "sign", "square", "round", "sqrt", "exp", "log",
        "sigmoid", "tanh", "softplus", "softsign", "elu", "hard_sigmoid",
        "relu", "softmax"}) {
    ASSERT_OK_AND_ASSIGN(TensorSpec s, Infer(op, {{DType::kFloat16, shape}}));
    EXPECT_EQ(s.dtype, DType::kFloat16) << op;
    EXPECT_EQ(s.shape, shape) << op;
  }
  ASSERT_OK_AND_ASSIGN(TensorSpec s,
                       Infer("clip", {{DType::kInt8, shape}},
                             {{"min_value", 0.0}, {"max_value", 1.0}}));
  EXPECT_EQ(s.dtype, DType::kInt8);
  EXPECT_EQ(s.shape, shape);
}

TEST(UnaryInfer, CanonicalAttrs) {
  const TensorSpec f32{DType::kFloat32, Shape({kUnknownDim, 4, 5})};
  ASSERT_OK_AND_ASSIGN(InferResult r, InferWithAttrs("softmax", f32, {}));
  EXPECT_EQ(r.attrs, (AttrMap{{"axis", int64_t{2}}}));
  ASSERT_OK_AND_ASSIGN(r,
                       InferWithAttrs("softmax", f32, {{"axis", int64_t{-3}}}));
  EXPECT_EQ(r.attrs, (AttrMap{{"axis", int64_t{0}}}));
  ASSERT_OK_AND_ASSIGN(r, InferWithAttrs("relu", f32, {}));
  EXPECT_EQ(r.attrs, (AttrMap{{"alpha", 0.0}, {"threshold", 0.0}}));
  ASSERT_OK_AND_ASSIGN(
      r, InferWithAttrs("relu", f32, {{"max_value", int64_t{6}}}));
  EXPECT_EQ(r.attrs,
            (AttrMap{{"alpha", 0.0}, {"max_value", 6.0}, {"threshold", 0.0}}));
  ASSERT_OK_AND_ASSIGN(r, InferWithAttrs("elu", f32, {}));
  EXPECT_EQ(r.attrs, (AttrMap{{"alpha", 1.0}}));
  ASSERT_OK_AND_ASSIGN(r, InferWithAttrs("exp", f32, {}));
  EXPECT_TRUE(r.attrs.empty());
  ASSERT_OK_AND_ASSIGN(
      r, InferWithAttrs("clip", f32,
                        {{"min_value", int64_t{2}}, {"max_value", 1e300}}));
  EXPECT_EQ(r.attrs, (AttrMap{{"min_value", 2.0}, {"max_value", kInf}}));
  ASSERT_OK_AND_ASSIGN(
      r, InferWithAttrs("clip", {DType::kUInt8, Shape({2})},
                        {{"min_value", 3.0}, {"max_value", int64_t{1}}}));
  EXPECT_EQ(r.attrs,
            (AttrMap{{"min_value", int64_t{3}}, {"max_value", int64_t{3}}}));
}

TEST(UnaryInfer, EveryOpHasSummaryAndKernels) {
  auto reference = CreateReferenceBackend();
  auto eigen = CreateEigenBackend();
  for (const char* op :
       {"negative", "abs", "sign", "square", "round", "sqrt", "exp", "log",
        "sigmoid", "tanh", "softplus", "softsign", "elu", "hard_sigmoid",
        "clip", "relu", "softmax"}) {
    ASSERT_OK_AND_ASSIGN(const OpDef* def, OpRegistry::Global().Find(op));
    EXPECT_FALSE(def->summary.empty()) << op;
    EXPECT_TRUE(reference->SupportsOp(op)) << op;
    EXPECT_TRUE(eigen->SupportsOp(op)) << op;
  }
}

}  // namespace
}  // namespace remotek
