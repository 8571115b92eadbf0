// The `cast` op, on both built-in backends (conversion rules:
// core/cast_test.cc).
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
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class CastOpTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    backend_ = GetParam() == "reference" ? CreateReferenceBackend()
                                         : CreateEigenBackend();
  }
  absl::StatusOr<Tensor> Cast(Tensor x, const std::string& dtype) {
    return testing::Run(*backend_, "cast", {std::move(x)}, {{"dtype", dtype}});
  }
  std::unique_ptr<Backend> backend_;
};

TEST_P(CastOpTest, FloatToIntegerAndBool) {
  Tensor x =
      MakeTensor<float>(Shape({2, 3}), {1.7f, -1.7f, 3e9f, -3e9f, NAN, 0});
  ASSERT_OK_AND_ASSIGN(Tensor z, Cast(x, "int32"));
  EXPECT_EQ(z.dtype(), DType::kInt32);
  EXPECT_EQ(z.shape(), Shape({2, 3}));
  EXPECT_THAT(Values<int32_t>(z),
              ElementsAre(1, -1, std::numeric_limits<int32_t>::max(),
                          std::numeric_limits<int32_t>::min(), 0, 0));
  ASSERT_OK_AND_ASSIGN(z, Cast(x, "bool"));
  EXPECT_EQ(z.dtype(), DType::kBool);
  EXPECT_THAT(Values<bool>(z),
              ElementsAre(true, true, true, true, true, false));
}

TEST_P(CastOpTest, IntegersWrapAndBoolBecomesNumber) {
  ASSERT_OK_AND_ASSIGN(
      Tensor z, Cast(MakeTensor<int32_t>(Shape({3}), {300, -1, 7}), "uint8"));
  EXPECT_THAT(Values<uint8_t>(z), ElementsAre(44, 255, 7));
  ASSERT_OK_AND_ASSIGN(
      z, Cast(MakeTensor<bool>(Shape({2}), {true, false}), "float64"));
  EXPECT_EQ(z.dtype(), DType::kFloat64);
  EXPECT_THAT(Values<double>(z), ElementsAre(1.0, 0.0));
}

TEST_P(CastOpTest, HalfBothWaysWithoutWidening) {
  ASSERT_OK_AND_ASSIGN(const OpDef* def, OpRegistry::Global().Find("cast"));
  EXPECT_FALSE(def->widen_float16);
  ASSERT_OK_AND_ASSIGN(
      Tensor h,
      Cast(MakeTensor<float>(Shape({3}), {0.1f, 1, 70000}), "float16"));
  EXPECT_EQ(h.dtype(), DType::kFloat16);
  EXPECT_THAT(ValuesAsDouble(h),
              ElementsAre(0.0999755859375, 1.0,
                          std::numeric_limits<double>::infinity()));
  ASSERT_OK_AND_ASSIGN(Tensor i, Cast(h, "int8"));
  EXPECT_EQ(i.dtype(), DType::kInt8);
  EXPECT_THAT(Values<int8_t>(i), ElementsAre(0, 1, 127));
  ASSERT_OK_AND_ASSIGN(
      Tensor f,
      Cast(MakeTensorAs(DType::kFloat16, Shape(), {-2.5}), "float32"));
  EXPECT_EQ(f.shape(), Shape());
  EXPECT_THAT(Values<float>(f), ElementsAre(-2.5f));
}

TEST_P(CastOpTest, SameDTypeCopiesValues) {
  Tensor x = MakeTensor<int64_t>(Shape({2}), {(int64_t{1} << 53) + 1, -5});
  ASSERT_OK_AND_ASSIGN(Tensor z, Cast(x, "int64"));
  EXPECT_EQ(Values<int64_t>(z), Values<int64_t>(x));
}

TEST_P(CastOpTest, Errors) {
  Tensor x = MakeTensor<float>(Shape({1}), {1});
  EXPECT_THAT(
      Cast(x, "float128"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("cast: dtype \"float128\" is not one of float16")));
  EXPECT_THAT(testing::Run(*backend_, "cast", {x}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("cast: attribute dtype is required")));
  EXPECT_THAT(testing::Run(*backend_, "cast", {x}, {{"dtype", int64_t{2}}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("cast: dtype must be a string, got 2")));
  EXPECT_THAT(
      testing::Run(
          *backend_, "cast", {x},
          {{"dtype", std::string("int8")}, {"type", std::string("int8")}}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("cast: unknown attribute(s) type (known: dtype)")));
  EXPECT_THAT(
      testing::Run(*backend_, "cast", {x, x}, {{"dtype", std::string("int8")}}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("cast: takes 1 input(s), got 2")));
}

INSTANTIATE_TEST_SUITE_P(Backends, CastOpTest,
                         ::testing::Values("reference", "eigen"),
                         [](const auto& info) { return info.param; });

TEST(CastInfer, StaticShapeAndCanonicalAttrs) {
  const Shape shape({kUnknownDim, 2});
  ASSERT_OK_AND_ASSIGN(TensorSpec s,
                       Infer("cast", {{DType::kBool, shape}},
                             {{"dtype", std::string("float16")}}));
  EXPECT_EQ(s.dtype, DType::kFloat16);
  EXPECT_EQ(s.shape, shape);
  ASSERT_OK_AND_ASSIGN(const OpDef* def, OpRegistry::Global().Find("cast"));
  ASSERT_OK_AND_ASSIGN(InferResult r,
                       InferOp(*def, {{DType::kInt8, shape}},
                               {{"dtype", std::string("uint8")}}, OpConfig{}));
  EXPECT_EQ(r.attrs, (AttrMap{{"dtype", std::string("uint8")}}));
  EXPECT_FALSE(def->summary.empty());
  EXPECT_TRUE(CreateReferenceBackend()->SupportsOp("cast"));
  EXPECT_TRUE(CreateEigenBackend()->SupportsOp("cast"));
}

}  // namespace
}  // namespace remotek
