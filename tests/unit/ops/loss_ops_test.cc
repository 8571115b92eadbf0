// mean_squared_error, binary_crossentropy and categorical_crossentropy on both
// built-in backends, against values worked out by hand.
#include <cmath>
#include <cstdint>
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
using ::testing::Pointwise;

constexpr auto kInvalid = absl::StatusCode::kInvalidArgument;
constexpr int64_t kU = kUnknownDim;

class LossOpsTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    backend_ =
        GetParam() == "eigen" ? CreateEigenBackend() : CreateReferenceBackend();
  }
  absl::StatusOr<Tensor> Eval(const std::string& op, std::vector<Tensor> inputs,
                              const AttrMap& attrs = {},
                              const OpConfig& config = {}) {
    return ::remotek::testing::Run(*backend_, op, std::move(inputs), attrs,
                                   config);
  }
  std::unique_ptr<Backend> backend_;
};

INSTANTIATE_TEST_SUITE_P(Backends, LossOpsTest,
                         ::testing::Values("reference", "eigen"),
                         [](const auto& info) { return info.param; });

TEST_P(LossOpsTest, MeanSquaredErrorOverLastAxis) {
  const Tensor t = MakeTensor<float>({2, 2}, {0, 1, 2, 2});
  const Tensor p = MakeTensor<float>({2, 2}, {1, 1, 4, 0});
  ASSERT_OK_AND_ASSIGN(Tensor out, Eval("mean_squared_error", {t, p}));
  EXPECT_EQ(out.dtype(), DType::kFloat32);
  EXPECT_EQ(out.shape(), Shape({2}));
  EXPECT_THAT(Values<float>(out), ElementsAre(0.5, 4));
  ASSERT_OK_AND_ASSIGN(Tensor vec, Eval("mean_squared_error",
                                        {MakeTensor<double>({3}, {1, 2, 3}),
                                         MakeTensor<double>({3}, {1, 2, 6})}));
  EXPECT_EQ(vec.shape(), Shape({}));
  EXPECT_THAT(Values<double>(vec), ElementsAre(3));
  ASSERT_OK_AND_ASSIGN(
      Tensor half,
      Eval("mean_squared_error", {MakeTensorAs(DType::kFloat16, {2}, {0, 0}),
                                  MakeTensorAs(DType::kFloat16, {2}, {1, 3})}));
  EXPECT_EQ(half.dtype(), DType::kFloat16);
  EXPECT_THAT(ValuesAsDouble(half), ElementsAre(5));
}

TEST_P(LossOpsTest, BinaryCrossentropyFromProbabilities) {
  const Tensor t = MakeTensor<double>({4}, {1, 0, 1, 0.25});
  const Tensor o = MakeTensor<double>({4}, {0.5, 0.5, 0.9, 0.2});
  ASSERT_OK_AND_ASSIGN(Tensor out, Eval("binary_crossentropy", {t, o}));
  EXPECT_EQ(out.shape(), Shape({4}));
  const double mixed = -(0.25 * std::log(0.2) + 0.75 * std::log(0.8));
  EXPECT_THAT(Values<double>(out),
              Pointwise(DoubleNear(1e-12),
                        {std::log(2.0), std::log(2.0), -std::log(0.9), mixed}));
  // Outputs of exactly 0 and 1 are clipped to [eps, 1 - eps]: finite losses.
  ASSERT_OK_AND_ASSIGN(Tensor edges, Eval("binary_crossentropy",
                                          {MakeTensor<double>({2}, {1, 0}),
                                           MakeTensor<double>({2}, {0, 1})}));
  EXPECT_THAT(Values<double>(edges),
              Pointwise(DoubleNear(1e-6), {-std::log(1e-7), -std::log(1e-7)}));
  // epsilon comes from the session config.
  ASSERT_OK_AND_ASSIGN(Tensor wide, Eval("binary_crossentropy",
                                         {MakeTensor<double>({1}, {1}),
                                          MakeTensor<double>({1}, {0})},
                                         {}, {.epsilon = 0.1}));
  EXPECT_THAT(Values<double>(wide),
              Pointwise(DoubleNear(1e-12), {-std::log(0.1)}));
}

TEST_P(LossOpsTest, BinaryCrossentropyFromLogits) {
  const Tensor t = MakeTensor<float>({2, 2}, {1, 0, 0.5, 1});
  const Tensor z = MakeTensor<float>({2, 2}, {0, 2, -1, 100});
  ASSERT_OK_AND_ASSIGN(
      Tensor out, Eval("binary_crossentropy", {t, z}, {{"from_logits", true}}));
  EXPECT_EQ(out.shape(), Shape({2, 2}));
  const auto bce = [](double t, double z) {
    return -(t * std::log(1 / (1 + std::exp(-z))) +
             (1 - t) * std::log(1 - 1 / (1 + std::exp(-z))));
  };
  EXPECT_THAT(
      ValuesAsDouble(out),
      Pointwise(DoubleNear(1e-6), {bce(1, 0), bce(0, 2), bce(0.5, -1), 0.0}));
  EXPECT_THAT(
      Eval("binary_crossentropy", {t, z}, {{"from_logits", int64_t{1}}}),
      StatusIs(kInvalid,
               HasSubstr("binary_crossentropy: from_logits must be a bool")));
}

TEST_P(LossOpsTest, CategoricalCrossentropy) {
  // Unnormalised outputs are scaled to sum to 1 first.
  const Tensor t = MakeTensor<float>({2, 3}, {0, 1, 0, 0.5, 0, 0.5});
  const Tensor o = MakeTensor<float>({2, 3}, {0.4, 1.0, 0.6, 0.25, 0.5, 0.25});
  ASSERT_OK_AND_ASSIGN(Tensor out, Eval("categorical_crossentropy", {t, o}));
  EXPECT_EQ(out.shape(), Shape({2}));
  EXPECT_THAT(ValuesAsDouble(out),
              Pointwise(DoubleNear(1e-6), {std::log(2.0), std::log(4.0)}));
  // axis=0 reads the same data transposed.
  const Tensor tt = MakeTensor<float>({3, 2}, {0, 0.5, 1, 0, 0, 0.5});
  const Tensor ot = MakeTensor<float>({3, 2}, {0.4, 0.25, 1.0, 0.5, 0.6, 0.25});
  ASSERT_OK_AND_ASSIGN(Tensor cols, Eval("categorical_crossentropy", {tt, ot},
                                         {{"axis", int64_t{0}}}));
  EXPECT_THAT(ValuesAsDouble(cols),
              Pointwise(DoubleNear(1e-6), {std::log(2.0), std::log(4.0)}));
  // A zero probability is clipped to eps.
  ASSERT_OK_AND_ASSIGN(Tensor clipped, Eval("categorical_crossentropy",
                                            {MakeTensor<double>({2}, {1, 0}),
                                             MakeTensor<double>({2}, {0, 1})}));
  EXPECT_THAT(Values<double>(clipped),
              Pointwise(DoubleNear(1e-6), {-std::log(1e-7)}));
}

TEST_P(LossOpsTest, CategoricalCrossentropyFromLogits) {
  const Tensor t = MakeTensor<double>({2, 3}, {0, 0, 1, 0.5, 0.5, 0});
  const Tensor z = MakeTensor<double>({2, 3}, {1, 2, 3, 1000, 1000, 0});
  ASSERT_OK_AND_ASSIGN(Tensor out,
                       Eval("categorical_crossentropy", {t, z},
                            {{"from_logits", true}, {"axis", int64_t{-1}}}));
  EXPECT_THAT(Values<double>(out),
              Pointwise(DoubleNear(1e-9),
                        {std::log(std::exp(-2.0) + std::exp(-1.0) + 1.0),
                         std::log(2.0)}));
}

TEST_P(LossOpsTest, InvalidInputs) {
  const Tensor a = MakeTensor<float>({2, 3}, {0, 0, 0, 0, 0, 0});
  EXPECT_THAT(
      Eval("mean_squared_error",
           {a, MakeTensor<float>({3, 2}, {0, 0, 0, 0, 0, 0})}),
      StatusIs(
          kInvalid,
          HasSubstr("mean_squared_error: y_true has shape (2, 3) but "
                    "y_pred has shape (3, 2) (equal shapes are required)")));
  EXPECT_THAT(
      Eval("mean_squared_error",
           {a, MakeTensor<double>({2, 3}, {0, 0, 0, 0, 0, 0})}),
      StatusIs(kInvalid,
               HasSubstr("mean_squared_error: y_true has dtype float32 but "
                         "y_pred has float64")));
  EXPECT_THAT(Eval("binary_crossentropy", {MakeTensor<int32_t>({1}, {0}),
                                           MakeTensor<int32_t>({1}, {0})}),
              StatusIs(kInvalid,
                       HasSubstr("binary_crossentropy: target has dtype int32, "
                                 "expected a float dtype")));
  EXPECT_THAT(
      Eval("mean_squared_error",
           {MakeTensor<float>({}, {1}), MakeTensor<float>({}, {1})}),
      StatusIs(kInvalid,
               HasSubstr("mean_squared_error: y_pred must have rank >= 1")));
  EXPECT_THAT(
      Eval("categorical_crossentropy", {a, a}, {{"axis", int64_t{2}}}),
      StatusIs(kInvalid,
               HasSubstr("categorical_crossentropy: axis=2 is out of range")));
  EXPECT_THAT(
      Eval("categorical_crossentropy", {a, a}, {{"label_smoothing", 0.1}}),
      StatusIs(kInvalid,
               HasSubstr("categorical_crossentropy: unknown attribute(s) "
                         "label_smoothing")));
}

TEST(LossInfer, StaticShapesAndCanonicalAttrs) {
  ASSERT_OK_AND_ASSIGN(
      TensorSpec mse,
      Infer("mean_squared_error", {{DType::kFloat32, Shape({kU, 3})},
                                   {DType::kFloat32, Shape({4, kU})}}));
  EXPECT_EQ(mse.shape, Shape({4}));
  ASSERT_OK_AND_ASSIGN(TensorSpec cce,
                       Infer("categorical_crossentropy",
                             {{DType::kFloat64, Shape({kU, 5, 2})},
                              {DType::kFloat64, Shape({kU, 5, 2})}},
                             {{"axis", int64_t{1}}}));
  EXPECT_EQ(cce.shape, Shape({kU, 2}));
  EXPECT_EQ(cce.dtype, DType::kFloat64);

  ASSERT_OK_AND_ASSIGN(const OpDef* def,
                       OpRegistry::Global().Find("categorical_crossentropy"));
  const TensorSpec x{DType::kFloat32, Shape({2, 3})};
  ASSERT_OK_AND_ASSIGN(InferResult r,
                       InferOp(*def, {x, x}, {}, {.epsilon = 1e-3}));
  EXPECT_EQ(std::get<bool>(r.attrs.at("from_logits")), false);
  EXPECT_EQ(std::get<int64_t>(r.attrs.at("axis")), 1);
  EXPECT_EQ(std::get<double>(r.attrs.at("epsilon")), 1e-3);
}

}  // namespace
}  // namespace remotek
