// Broadcasting binary ops, logical_not and the broadcast helpers they share.
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "backend/core/ops/broadcast.h"
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
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::NanSensitiveDoubleNear;
using ::testing::NanSensitiveFloatNear;
using ::testing::Pointwise;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// ---------------------------------------------------------------- broadcast.h

TEST(BroadcastShapes, NumpyRulesOnKnownDims) {
  EXPECT_EQ(BroadcastShapes(Shape({2, 3}), Shape({3}), "add").value(),
            Shape({2, 3}));
  EXPECT_EQ(BroadcastShapes(Shape({3, 1, 2}), Shape({4, 1}), "add").value(),
            Shape({3, 4, 2}));
  EXPECT_EQ(BroadcastShapes(Shape(), Shape({0, 2}), "add").value(),
            Shape({0, 2}));
  EXPECT_EQ(BroadcastShapes(Shape({1, 0}), Shape({3, 1}), "add").value(),
            Shape({3, 0}));
}

TEST(BroadcastShapes, UnknownDims) {
  const int64_t N = kUnknownDim;
  EXPECT_EQ(BroadcastShapes(Shape({N, 3}), Shape({4, 1}), "add").value(),
            Shape({4, 3}));
  EXPECT_EQ(BroadcastShapes(Shape({N, 1}), Shape({1, N}), "add").value(),
            Shape({N, N}));
  EXPECT_EQ(BroadcastShapes(Shape({N}), Shape({N}), "add").value(), Shape({N}));
  EXPECT_EQ(BroadcastShapes(Shape({1}), Shape({N}), "add").value(), Shape({N}));
  EXPECT_EQ(BroadcastShapes(Shape({N}), Shape({5}), "add").value(), Shape({5}));
  EXPECT_EQ(BroadcastShapes(Shape({2, N, 3}), Shape({N, 1}), "add").value(),
            Shape({2, N, 3}));
}

TEST(BroadcastShapes, IncompatibleNamesOpOperandsAndDims) {
  EXPECT_THAT(
      BroadcastShapes(Shape({2, 3}), Shape({4}), "add"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("add: cannot broadcast x of shape (2, 3) with y of "
                         "shape (4,): dims 3 and 4 differ at axis -1")));
  EXPECT_THAT(
      BroadcastShapes(Shape({kUnknownDim, 2}), Shape({3, 3}), "f", "a", "b"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("f: cannot broadcast a of shape (None, 2) with b")));
  const int64_t big = int64_t{1} << 40;
  EXPECT_THAT(BroadcastShapes(Shape({big, 1}), Shape({1, big}), "add"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("overflows int64")));
}

TEST(BroadcastsTo, Rules) {
  EXPECT_TRUE(BroadcastsTo(Shape({3}), Shape({2, 3})));
  EXPECT_TRUE(BroadcastsTo(Shape({1, 3}), Shape({2, 3})));
  EXPECT_TRUE(BroadcastsTo(Shape(), Shape({2, 3})));
  EXPECT_FALSE(BroadcastsTo(Shape({2}), Shape({2, 3})));
  EXPECT_FALSE(BroadcastsTo(Shape({1, 2, 3}), Shape({2, 3})));
}

TEST(BroadcastLayout, CollapsesDimsAndMapsIndices) {
  // Equal shapes collapse to one contiguous dim.
  BroadcastLayout same({Shape({2, 3, 4}), Shape({2, 3, 4})}, Shape({2, 3, 4}));
  EXPECT_THAT(same.dims(), ElementsAre(24));
  EXPECT_EQ(same.stride(0, 0), 1);
  // A scalar has stride 0.
  BroadcastLayout scalar({Shape({2, 3}), Shape()}, Shape({2, 3}));
  EXPECT_THAT(scalar.dims(), ElementsAre(6));
  EXPECT_EQ(scalar.stride(1, 0), 0);
  // (3, 1, 2) with (4, 1): three dims, size-1 dims dropped.
  BroadcastLayout mixed({Shape({3, 1, 2}), Shape({4, 1})}, Shape({3, 4, 2}));
  EXPECT_THAT(mixed.dims(), ElementsAre(3, 4, 2));
  EXPECT_EQ(mixed.num_elements(), 24);
  // Output element (2, 3, 1) = 2*8 + 3*2 + 1 = 23 reads x[2, 0, 1] and y[3, 0].
  EXPECT_EQ(mixed.OperandIndex(0, 23), 5);
  EXPECT_EQ(mixed.OperandIndex(1, 23), 3);
  // One-element output.
  BroadcastLayout one({Shape({1, 1})}, Shape({1, 1}));
  EXPECT_THAT(one.dims(), ElementsAre(1));
}

TEST(BroadcastLayout, ForEachMatchesOperandIndexOverAnyRange) {
  BroadcastLayout layout({Shape({3, 1, 2}), Shape({4, 1}), Shape({4, 2})},
                         Shape({3, 4, 2}));
  std::vector<int64_t> seen;
  layout.ForEachInRange(5, 19, [&](int64_t o, const int64_t* in) {
    seen.push_back(o);
    for (int i = 0; i < 3; ++i)
      EXPECT_EQ(in[i], layout.OperandIndex(i, o)) << o;
  });
  ASSERT_EQ(seen.size(), 14u);
  for (size_t k = 0; k < seen.size(); ++k) EXPECT_EQ(seen[k], 5 + int64_t(k));
  int calls = 0;
  layout.ForEach([&](int64_t, const int64_t*) { ++calls; });
  EXPECT_EQ(calls, 24);
  BroadcastLayout empty({Shape({0, 3}), Shape({3})}, Shape({0, 3}));
  empty.ForEach([&](int64_t, const int64_t*) { ADD_FAILURE(); });
}

// ------------------------------------------------------------------ the ops

class ElementwiseOpsTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    backend_ = GetParam() == "reference" ? CreateReferenceBackend()
                                         : CreateEigenBackend();
  }
  absl::StatusOr<Tensor> Run(const std::string& op, std::vector<Tensor> inputs,
                             const AttrMap& attrs = {}) {
    return testing::Run(*backend_, op, std::move(inputs), attrs);
  }
  std::unique_ptr<Backend> backend_;
};

TEST_P(ElementwiseOpsTest, AddSameShape) {
  ASSERT_OK_AND_ASSIGN(
      Tensor z,
      Run("add", {MakeTensor<float>(Shape({2, 2}), {1, 2, 3, 4}),
                  MakeTensor<float>(Shape({2, 2}), {10, 20, 30, 40})}));
  EXPECT_EQ(z.dtype(), DType::kFloat32);
  EXPECT_EQ(z.shape(), Shape({2, 2}));
  EXPECT_THAT(Values<float>(z), ElementsAre(11, 22, 33, 44));
}

TEST_P(ElementwiseOpsTest, SubtractBroadcastsBothWays) {
  // x (3, 1, 2) - y (4, 1): z[i, j, k] = x[i, 0, k] - y[j, 0].
  std::vector<double> xs = {1, 2, 3, 4, 5, 6};
  std::vector<double> ys = {10, 20, 30, 40};
  ASSERT_OK_AND_ASSIGN(
      Tensor z, Run("subtract", {MakeTensor<double>(Shape({3, 1, 2}), xs),
                                 MakeTensor<double>(Shape({4, 1}), ys)}));
  ASSERT_EQ(z.shape(), Shape({3, 4, 2}));
  std::vector<double> want;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j)
      for (int k = 0; k < 2; ++k) want.push_back(xs[i * 2 + k] - ys[j]);
  EXPECT_EQ(Values<double>(z), want);
}

TEST_P(ElementwiseOpsTest, ScalarAndRowBroadcast) {
  ASSERT_OK_AND_ASSIGN(
      Tensor z,
      Run("multiply", {MakeTensor<int32_t>(Shape(), {3}),
                       MakeTensor<int32_t>(Shape({2, 2}), {1, 2, 3, 4})}));
  EXPECT_EQ(z.shape(), Shape({2, 2}));
  EXPECT_THAT(Values<int32_t>(z), ElementsAre(3, 6, 9, 12));
  ASSERT_OK_AND_ASSIGN(
      z, Run("add", {MakeTensor<int64_t>(Shape({2, 3}), {0, 0, 0, 1, 1, 1}),
                     MakeTensor<int64_t>(Shape({3}), {1, 2, 3})}));
  EXPECT_THAT(Values<int64_t>(z), ElementsAre(1, 2, 3, 2, 3, 4));
  ASSERT_OK_AND_ASSIGN(z,
                       Run("add", {MakeTensor<float>(Shape({0, 3}), {}),
                                   MakeTensor<float>(Shape({3}), {1, 2, 3})}));
  EXPECT_EQ(z.shape(), Shape({0, 3}));
}

TEST_P(ElementwiseOpsTest, IntegerArithmeticWraps) {
  auto i8 = [](std::vector<int8_t> v) {
    return MakeTensor<int8_t>(Shape({int64_t(v.size())}), v);
  };
  ASSERT_OK_AND_ASSIGN(Tensor z, Run("add", {i8({127, -128}), i8({1, -1})}));
  EXPECT_THAT(Values<int8_t>(z), ElementsAre(-128, 127));
  ASSERT_OK_AND_ASSIGN(z,
                       Run("subtract", {MakeTensor<uint8_t>(Shape({1}), {0}),
                                        MakeTensor<uint8_t>(Shape({1}), {1})}));
  EXPECT_THAT(Values<uint8_t>(z), ElementsAre(255));
  ASSERT_OK_AND_ASSIGN(
      z, Run("multiply", {MakeTensor<int16_t>(Shape({1}), {300}),
                          MakeTensor<int16_t>(Shape({1}), {300})}));
  EXPECT_THAT(Values<int16_t>(z),
              ElementsAre(static_cast<int16_t>(90000 - 65536 * 1)));
  const int64_t max64 = std::numeric_limits<int64_t>::max();
  ASSERT_OK_AND_ASSIGN(z, Run("add", {MakeTensor<int64_t>(Shape({1}), {max64}),
                                      MakeTensor<int64_t>(Shape({1}), {1})}));
  EXPECT_THAT(Values<int64_t>(z),
              ElementsAre(std::numeric_limits<int64_t>::min()));
  ASSERT_OK_AND_ASSIGN(
      z, Run("multiply", {MakeTensor<int32_t>(Shape({1}), {65536}),
                          MakeTensor<int32_t>(Shape({1}), {65537})}));
  EXPECT_THAT(Values<int32_t>(z), ElementsAre(65536));
}

TEST_P(ElementwiseOpsTest, DivideIsTrueDivision) {
  ASSERT_OK_AND_ASSIGN(
      Tensor z, Run("divide", {MakeTensor<float>(Shape({3}), {1, -1, 0}),
                               MakeTensor<float>(Shape({3}), {4, 0, 0})}));
  EXPECT_EQ(z.dtype(), DType::kFloat32);
  EXPECT_THAT(ValuesAsDouble(z),
              Pointwise(NanSensitiveDoubleNear(0), {0.25, -kInf, kNaN}));

  const struct {
    DType in, out;
  } cases[] = {
      {DType::kInt8, DType::kFloat32},  {DType::kInt16, DType::kFloat32},
      {DType::kUInt8, DType::kFloat32}, {DType::kInt32, DType::kFloat64},
      {DType::kInt64, DType::kFloat64}, {DType::kFloat64, DType::kFloat64}};
  for (const auto& c : cases) {
    ASSERT_OK_AND_ASSIGN(
        z, Run("divide", {MakeTensorAs(c.in, Shape({4}), {7, 1, 0, 9}),
                          MakeTensorAs(c.in, Shape({4}), {2, 0, 0, 3})}));
    EXPECT_EQ(z.dtype(), c.out) << DTypeName(c.in);
    EXPECT_THAT(ValuesAsDouble(z),
                Pointwise(NanSensitiveDoubleNear(0), {3.5, kInf, kNaN, 3.0}))
        << DTypeName(c.in);
  }
}

TEST_P(ElementwiseOpsTest, MaximumMinimumPropagateNaN) {
  Tensor x = MakeTensor<float>(Shape({4}), {1, NAN, 3, -0.5f});
  Tensor y = MakeTensor<float>(Shape({4}), {2, 0, NAN, -1});
  ASSERT_OK_AND_ASSIGN(Tensor z, Run("maximum", {x, y}));
  EXPECT_THAT(Values<float>(z),
              Pointwise(NanSensitiveFloatNear(0), {2.0f, NAN, NAN, -0.5f}));
  ASSERT_OK_AND_ASSIGN(z, Run("minimum", {x, y}));
  EXPECT_THAT(Values<float>(z),
              Pointwise(NanSensitiveFloatNear(0), {1.0f, NAN, NAN, -1.0f}));
  ASSERT_OK_AND_ASSIGN(
      z, Run("maximum", {MakeTensor<uint8_t>(Shape({2}), {3, 200}),
                         MakeTensor<uint8_t>(Shape(), {100})}));
  EXPECT_THAT(Values<uint8_t>(z), ElementsAre(100, 200));
}

TEST_P(ElementwiseOpsTest, PowFloat) {
  ASSERT_OK_AND_ASSIGN(
      Tensor z,
      Run("pow", {MakeTensor<double>(Shape({4}), {2, -8, 0, 4}),
                  MakeTensor<double>(Shape({4}), {0.5, 1.0 / 3, -1, -0.5})}));
  EXPECT_THAT(Values<double>(z), Pointwise(NanSensitiveDoubleNear(1e-15),
                                           {std::sqrt(2.0), kNaN, kInf, 0.5}));
}

TEST_P(ElementwiseOpsTest, PowIntegerWrapsAndTruncatesNegativeExponents) {
  ASSERT_OK_AND_ASSIGN(
      Tensor z,
      Run("pow",
          {MakeTensor<int32_t>(Shape({9}), {3, 2, -2, 1, -1, -1, 2, 0, 5}),
           MakeTensor<int32_t>(Shape({9}),
                               {4, 31, 3, -3, -3, -2, -1, -1, 0})}));
  EXPECT_THAT(Values<int32_t>(z),
              ElementsAre(81, std::numeric_limits<int32_t>::min(), -8, 1, -1, 1,
                          0, 0, 1));
  ASSERT_OK_AND_ASSIGN(z,
                       Run("pow", {MakeTensor<uint8_t>(Shape({2}), {3, 3}),
                                   MakeTensor<uint8_t>(Shape({2}), {5, 6})}));
  EXPECT_THAT(Values<uint8_t>(z), ElementsAre(243, 729 % 256));
  ASSERT_OK_AND_ASSIGN(z, Run("pow", {MakeTensor<int8_t>(Shape({1}), {2}),
                                      MakeTensor<int8_t>(Shape({1}), {8})}));
  EXPECT_THAT(Values<int8_t>(z), ElementsAre(0));
  ASSERT_OK_AND_ASSIGN(z, Run("pow", {MakeTensor<int64_t>(Shape({1}), {-3}),
                                      MakeTensor<int64_t>(Shape({1}), {39})}));
  int64_t want = 1;
  for (int i = 0; i < 39; ++i) want *= -3;  // |(-3)^39| < 2^63, no overflow
  EXPECT_THAT(Values<int64_t>(z), ElementsAre(want));
}

TEST_P(ElementwiseOpsTest, ComparisonsOutputBool) {
  Tensor x = MakeTensor<float>(Shape({2, 3}), {1, 2, 3, NAN, 5, 6});
  Tensor y = MakeTensor<float>(Shape({3}), {2, 2, 2});
  const struct {
    const char* op;
    std::vector<bool> want;
  } cases[] = {{"equal", {false, true, false, false, false, false}},
               {"not_equal", {true, false, true, true, true, true}},
               {"greater", {false, false, true, false, true, true}},
               {"greater_equal", {false, true, true, false, true, true}},
               {"less", {true, false, false, false, false, false}},
               {"less_equal", {true, true, false, false, false, false}}};
  for (const auto& c : cases) {
    ASSERT_OK_AND_ASSIGN(Tensor z, Run(c.op, {x, y}));
    EXPECT_EQ(z.dtype(), DType::kBool) << c.op;
    EXPECT_EQ(z.shape(), Shape({2, 3})) << c.op;
    EXPECT_EQ(Values<bool>(z), c.want) << c.op;
  }
  ASSERT_OK_AND_ASSIGN(Tensor z,
                       Run("less", {MakeTensor<int64_t>(Shape({2}), {-1, 5}),
                                    MakeTensor<int64_t>(Shape({2}), {0, 5})}));
  EXPECT_THAT(Values<bool>(z), ElementsAre(true, false));
  ASSERT_OK_AND_ASSIGN(
      z, Run("equal", {MakeTensor<bool>(Shape({2}), {true, false}),
                       MakeTensor<bool>(Shape(), {false})}));
  EXPECT_THAT(Values<bool>(z), ElementsAre(false, true));
  ASSERT_OK_AND_ASSIGN(
      z, Run("not_equal", {MakeTensor<bool>(Shape({2}), {true, false}),
                           MakeTensor<bool>(Shape(), {false})}));
  EXPECT_THAT(Values<bool>(z), ElementsAre(true, false));
}

TEST_P(ElementwiseOpsTest, LogicalOps) {
  Tensor x = MakeTensor<bool>(Shape({2, 2}), {true, true, false, false});
  Tensor y = MakeTensor<bool>(Shape({2}), {true, false});
  ASSERT_OK_AND_ASSIGN(Tensor z, Run("logical_and", {x, y}));
  EXPECT_EQ(z.dtype(), DType::kBool);
  EXPECT_THAT(Values<bool>(z), ElementsAre(true, false, false, false));
  ASSERT_OK_AND_ASSIGN(z, Run("logical_or", {x, y}));
  EXPECT_THAT(Values<bool>(z), ElementsAre(true, true, true, false));
  ASSERT_OK_AND_ASSIGN(z, Run("logical_not", {x}));
  EXPECT_EQ(z.shape(), Shape({2, 2}));
  EXPECT_THAT(Values<bool>(z), ElementsAre(false, false, true, true));
}

TEST_P(ElementwiseOpsTest, Float16WidensAndNarrows) {
  Tensor x = MakeTensorAs(DType::kFloat16, Shape({3}), {1.5, 2, -4});
  Tensor y = MakeTensorAs(DType::kFloat16, Shape({1}), {0.25});
  ASSERT_OK_AND_ASSIGN(Tensor z, Run("add", {x, y}));
  EXPECT_EQ(z.dtype(), DType::kFloat16);
  EXPECT_THAT(ValuesAsDouble(z), ElementsAre(1.75, 2.25, -3.75));
  ASSERT_OK_AND_ASSIGN(z, Run("greater", {x, y}));
  EXPECT_EQ(z.dtype(), DType::kBool);
  EXPECT_THAT(Values<bool>(z), ElementsAre(true, true, false));
}

TEST_P(ElementwiseOpsTest, RefusesMixedDTypes) {
  EXPECT_THAT(Run("add", {MakeTensor<float>(Shape({1}), {1}),
                          MakeTensor<int32_t>(Shape({1}), {1})}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("add: x and y must have the same dtype, got x "
                                 "float32 and y int32")));
  EXPECT_THAT(Run("equal", {MakeTensor<bool>(Shape({1}), {true}),
                            MakeTensor<uint8_t>(Shape({1}), {1})}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("bool"), HasSubstr("uint8"))));
}

TEST_P(ElementwiseOpsTest, RefusesUnsupportedDTypes) {
  Tensor b = MakeTensor<bool>(Shape({1}), {true});
  Tensor f = MakeTensor<float>(Shape({1}), {1});
  for (const char* op :
       {"add", "subtract", "multiply", "divide", "maximum", "minimum", "pow",
        "greater", "greater_equal", "less", "less_equal"}) {
    EXPECT_THAT(
        Run(op, {b, b}),
        StatusIs(absl::StatusCode::kInvalidArgument,
                 HasSubstr(std::string(op) +
                           ": x has dtype bool; expected a numeric dtype")));
  }
  for (const char* op : {"logical_and", "logical_or"}) {
    EXPECT_THAT(Run(op, {f, f}),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr(std::string(op) +
                                   ": x has dtype float32; expected bool")));
  }
  EXPECT_THAT(
      Run("logical_not", {f}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("logical_not: x has dtype float32; expected bool")));
}

TEST_P(ElementwiseOpsTest, RefusesBadShapesAttrsAndArity) {
  EXPECT_THAT(
      Run("add", {MakeTensor<float>(Shape({2, 3}), std::vector<float>(6)),
                  MakeTensor<float>(Shape({2}), {1, 2})}),
      StatusIs(
          absl::StatusCode::kInvalidArgument,
          HasSubstr(
              "add: cannot broadcast x of shape (2, 3) with y of shape (2,)")));
  Tensor f = MakeTensor<float>(Shape({1}), {1});
  EXPECT_THAT(Run("add", {f, f}, {{"axis", int64_t{1}}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("add: unknown attribute(s) axis")));
  EXPECT_THAT(Run("add", {f}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("add: takes 2 input(s), got 1")));
  EXPECT_THAT(
      Run("logical_not", {MakeTensor<bool>(Shape({1}), {true})}, {{"x", true}}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("logical_not: unknown attribute(s) x")));
}

INSTANTIATE_TEST_SUITE_P(Backends, ElementwiseOpsTest,
                         ::testing::Values("reference", "eigen"),
                         [](const auto& info) { return info.param; });

// ------------------------------------------------------- static inference

TEST(ElementwiseInfer, CarriesUnknownDims) {
  const int64_t N = kUnknownDim;
  ASSERT_OK_AND_ASSIGN(TensorSpec s,
                       Infer("add", {{DType::kFloat32, Shape({N, 3})},
                                     {DType::kFloat32, Shape({4, 1})}}));
  EXPECT_EQ(s.dtype, DType::kFloat32);
  EXPECT_EQ(s.shape, Shape({4, 3}));
  ASSERT_OK_AND_ASSIGN(s, Infer("divide", {{DType::kInt32, Shape({N, 1})},
                                           {DType::kInt32, Shape({N})}}));
  EXPECT_EQ(s.dtype, DType::kFloat64);
  EXPECT_EQ(s.shape, Shape({N, N}));
  ASSERT_OK_AND_ASSIGN(s, Infer("less", {{DType::kFloat16, Shape({N, 5})},
                                         {DType::kFloat16, Shape()}}));
  EXPECT_EQ(s.dtype, DType::kBool);
  EXPECT_EQ(s.shape, Shape({N, 5}));
  ASSERT_OK_AND_ASSIGN(s,
                       Infer("logical_not", {{DType::kBool, Shape({N, 2})}}));
  EXPECT_EQ(s.shape, Shape({N, 2}));
  EXPECT_THAT(
      Infer("multiply", {{DType::kFloat32, Shape({N, 3})},
                         {DType::kFloat32, Shape({2, 4})}}),
      StatusIs(
          absl::StatusCode::kInvalidArgument,
          HasSubstr("multiply: cannot broadcast x of shape (None, 3) with y of "
                    "shape (2, 4): dims 3 and 4 differ at axis -1")));
}

TEST(ElementwiseInfer, EveryOpHasSummaryAndKernels) {
  auto reference = CreateReferenceBackend();
  auto eigen = CreateEigenBackend();
  for (const char* op :
       {"add", "subtract", "multiply", "divide", "maximum", "minimum", "pow",
        "equal", "not_equal", "greater", "greater_equal", "less", "less_equal",
        "logical_and", "logical_or", "logical_not"}) {
    ASSERT_OK_AND_ASSIGN(const OpDef* def, OpRegistry::Global().Find(op));
    EXPECT_FALSE(def->summary.empty()) << op;
    EXPECT_TRUE(reference->SupportsOp(op)) << op;
    EXPECT_TRUE(eigen->SupportsOp(op)) << op;
  }
}

}  // namespace
}  // namespace remotek
