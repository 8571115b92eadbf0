// Reductions (sum .. logsumexp, argmax, argmin) on both built-in backends,
// plus the axis helpers of backend/core/ops/axes.h.
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "backend/core/ops/axes.h"
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
using ::testing::IsEmpty;
using ::testing::Pointwise;

constexpr auto kInvalid = absl::StatusCode::kInvalidArgument;
constexpr double kInf = std::numeric_limits<double>::infinity();
using Ints = std::vector<int64_t>;

class ReductionOpsTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    backend_ =
        GetParam() == "eigen" ? CreateEigenBackend() : CreateReferenceBackend();
  }
  absl::StatusOr<Tensor> Eval(const std::string& op, Tensor x,
                              const AttrMap& attrs = {},
                              const OpConfig& config = {}) {
    return ::remotek::testing::Run(*backend_, op, {std::move(x)}, attrs,
                                   config);
  }
  std::unique_ptr<Backend> backend_;
};

INSTANTIATE_TEST_SUITE_P(Backends, ReductionOpsTest,
                         ::testing::Values("reference", "eigen"),
                         [](const auto& info) { return info.param; });

// (2, 3): [[1, 2, 3], [4, 5, 6]]
Tensor Small() { return MakeTensor<float>({2, 3}, {1, 2, 3, 4, 5, 6}); }

TEST_P(ReductionOpsTest, SumOverAllOneAndSeveralAxes) {
  ASSERT_OK_AND_ASSIGN(Tensor all, Eval("sum", Small()));
  EXPECT_EQ(all.dtype(), DType::kFloat32);
  EXPECT_EQ(all.shape(), Shape({}));
  EXPECT_THAT(Values<float>(all), ElementsAre(21));

  ASSERT_OK_AND_ASSIGN(Tensor rows,
                       Eval("sum", Small(), {{"axis", int64_t{1}}}));
  EXPECT_EQ(rows.shape(), Shape({2}));
  EXPECT_THAT(Values<float>(rows), ElementsAre(6, 15));

  ASSERT_OK_AND_ASSIGN(
      Tensor cols,
      Eval("sum", Small(), {{"axis", int64_t{-2}}, {"keepdims", true}}));
  EXPECT_EQ(cols.shape(), Shape({1, 3}));
  EXPECT_THAT(Values<float>(cols), ElementsAre(5, 7, 9));

  ASSERT_OK_AND_ASSIGN(
      Tensor both,
      Eval("sum", Small(), {{"axis", Ints{-1, 0}}, {"keepdims", true}}));
  EXPECT_EQ(both.shape(), Shape({1, 1}));
  EXPECT_THAT(Values<float>(both), ElementsAre(21));

  ASSERT_OK_AND_ASSIGN(Tensor none, Eval("sum", Small(), {{"axis", Ints{}}}));
  EXPECT_EQ(none.shape(), Shape({2, 3}));  // axis=[] reduces nothing
  EXPECT_THAT(Values<float>(none), ElementsAre(1, 2, 3, 4, 5, 6));
}

TEST_P(ReductionOpsTest, SumOverNonAdjacentAxesMatchesLoops) {
  std::vector<double> v(2 * 3 * 4);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>(i * i % 7);
  ASSERT_OK_AND_ASSIGN(Tensor out, Eval("sum", MakeTensor<double>({2, 3, 4}, v),
                                        {{"axis", Ints{2, 0}}}));
  ASSERT_EQ(out.shape(), Shape({3}));
  for (int j = 0; j < 3; ++j) {
    double expect = 0;
    for (int i = 0; i < 2; ++i)
      for (int k = 0; k < 4; ++k) expect += v[(i * 3 + j) * 4 + k];
    EXPECT_EQ(Values<double>(out)[j], expect) << j;
  }
}

TEST_P(ReductionOpsTest, IntegerSumAndProdWrap) {
  ASSERT_OK_AND_ASSIGN(Tensor sum,
                       Eval("sum", MakeTensor<int32_t>({2}, {INT32_MAX, 1})));
  EXPECT_EQ(sum.dtype(), DType::kInt32);
  EXPECT_THAT(Values<int32_t>(sum), ElementsAre(INT32_MIN));
  ASSERT_OK_AND_ASSIGN(Tensor prod,
                       Eval("prod", MakeTensor<int8_t>({2}, {16, 16})));
  EXPECT_THAT(Values<int8_t>(prod), ElementsAre(0));  // 256 wraps to 0
  ASSERT_OK_AND_ASSIGN(
      Tensor neg, Eval("prod", MakeTensor<int64_t>({3}, {-2, 3, INT64_MIN})));
  EXPECT_THAT(Values<int64_t>(neg), ElementsAre(0));  // -6 * 2^63 wraps to 0
  ASSERT_OK_AND_ASSIGN(Tensor u8,
                       Eval("sum", MakeTensor<uint8_t>({2}, {200, 100})));
  EXPECT_THAT(Values<uint8_t>(u8), ElementsAre(44));
}

TEST_P(ReductionOpsTest, EmptyAxisIdentities) {
  const Tensor empty = MakeTensor<float>({2, 0}, {});
  ASSERT_OK_AND_ASSIGN(Tensor sum, Eval("sum", empty, {{"axis", int64_t{1}}}));
  EXPECT_THAT(Values<float>(sum), ElementsAre(0, 0));
  ASSERT_OK_AND_ASSIGN(Tensor prod,
                       Eval("prod", empty, {{"axis", int64_t{1}}}));
  EXPECT_THAT(Values<float>(prod), ElementsAre(1, 1));
  ASSERT_OK_AND_ASSIGN(Tensor mean,
                       Eval("mean", empty, {{"axis", int64_t{1}}}));
  EXPECT_TRUE(std::isnan(Values<float>(mean)[0]));
  ASSERT_OK_AND_ASSIGN(Tensor lse,
                       Eval("logsumexp", empty, {{"axis", int64_t{1}}}));
  EXPECT_THAT(ValuesAsDouble(lse), ElementsAre(-kInf, -kInf));
  ASSERT_OK_AND_ASSIGN(Tensor any, Eval("any", empty, {{"axis", int64_t{1}}}));
  EXPECT_THAT(Values<bool>(any), ElementsAre(false, false));
  ASSERT_OK_AND_ASSIGN(Tensor all, Eval("all", empty, {{"axis", int64_t{1}}}));
  EXPECT_THAT(Values<bool>(all), ElementsAre(true, true));
  ASSERT_OK_AND_ASSIGN(Tensor imean,
                       Eval("mean", MakeTensor<int32_t>({0}, {})));
  EXPECT_THAT(Values<int32_t>(imean), ElementsAre(0));
  // Reducing the non-empty axis of an empty tensor is fine even for max.
  ASSERT_OK_AND_ASSIGN(Tensor max, Eval("max", MakeTensor<float>({0, 3}, {}),
                                        {{"axis", int64_t{1}}}));
  EXPECT_EQ(max.shape(), Shape({0}));
}

TEST_P(ReductionOpsTest, ExtremaOverEmptyAxisAreRefused) {
  const Tensor empty = MakeTensor<float>({2, 0}, {});
  for (const char* op : {"max", "min"}) {
    EXPECT_THAT(
        Eval(op, empty),
        StatusIs(kInvalid, HasSubstr(std::string(op) +
                                     ": cannot reduce axis 1 of size 0")));
  }
  for (const char* op : {"argmax", "argmin"}) {
    EXPECT_THAT(
        Eval(op, empty),
        StatusIs(kInvalid, HasSubstr("cannot reduce axis 1 of size 0")));
  }
}

TEST_P(ReductionOpsTest, MeanRules) {
  ASSERT_OK_AND_ASSIGN(Tensor f, Eval("mean", Small(), {{"axis", int64_t{0}}}));
  EXPECT_THAT(Values<float>(f), ElementsAre(2.5, 3.5, 4.5));
  // Integers truncate toward zero and keep their dtype.
  ASSERT_OK_AND_ASSIGN(Tensor i,
                       Eval("mean", MakeTensor<int32_t>({2, 2}, {1, 2, -1, -2}),
                            {{"axis", int64_t{1}}}));
  EXPECT_EQ(i.dtype(), DType::kInt32);
  EXPECT_THAT(Values<int32_t>(i), ElementsAre(1, -1));
  // A 64-bit accumulator: no uint8 overflow.
  ASSERT_OK_AND_ASSIGN(Tensor u8,
                       Eval("mean", MakeTensor<uint8_t>({2}, {200, 250})));
  EXPECT_THAT(Values<uint8_t>(u8), ElementsAre(225));
  // bool is cast to floatx first, as K.mean does.
  const Tensor flags = MakeTensor<bool>({4}, {true, false, true, true});
  ASSERT_OK_AND_ASSIGN(Tensor b, Eval("mean", flags));
  EXPECT_EQ(b.dtype(), DType::kFloat32);
  EXPECT_THAT(Values<float>(b), ElementsAre(0.75));
  ASSERT_OK_AND_ASSIGN(Tensor b64,
                       Eval("mean", flags, {}, {.floatx = DType::kFloat64}));
  EXPECT_EQ(b64.dtype(), DType::kFloat64);
  EXPECT_THAT(Values<double>(b64), ElementsAre(0.75));
  ASSERT_OK_AND_ASSIGN(Tensor b16,
                       Eval("mean", flags, {}, {.floatx = DType::kFloat16}));
  EXPECT_EQ(b16.dtype(), DType::kFloat16);
  EXPECT_THAT(ValuesAsDouble(b16), ElementsAre(0.75));
}

TEST_P(ReductionOpsTest, Float16IsWidenedAndNarrowed) {
  const Tensor h = MakeTensorAs(DType::kFloat16, {2, 2}, {1, 2, 3, 4.5});
  ASSERT_OK_AND_ASSIGN(Tensor sum, Eval("sum", h, {{"axis", int64_t{1}}}));
  EXPECT_EQ(sum.dtype(), DType::kFloat16);
  EXPECT_THAT(ValuesAsDouble(sum), ElementsAre(3, 7.5));
  ASSERT_OK_AND_ASSIGN(Tensor arg, Eval("argmax", h));
  EXPECT_EQ(arg.dtype(), DType::kInt64);
  EXPECT_THAT(Values<int64_t>(arg), ElementsAre(1, 1));
}

TEST_P(ReductionOpsTest, MaxMinPropagateNaN) {
  const Tensor x = MakeTensor<float>({2, 3}, {1, NAN, 3, -4, 5, -6});
  ASSERT_OK_AND_ASSIGN(Tensor max, Eval("max", x, {{"axis", int64_t{1}}}));
  EXPECT_TRUE(std::isnan(Values<float>(max)[0]));
  EXPECT_EQ(Values<float>(max)[1], 5);
  ASSERT_OK_AND_ASSIGN(Tensor min, Eval("min", x, {{"axis", int64_t{1}}}));
  EXPECT_TRUE(std::isnan(Values<float>(min)[0]));
  EXPECT_EQ(Values<float>(min)[1], -6);
  ASSERT_OK_AND_ASSIGN(Tensor imax,
                       Eval("max", MakeTensor<int16_t>({3}, {-3, 7, 2})));
  EXPECT_EQ(imax.dtype(), DType::kInt16);
  EXPECT_THAT(Values<int16_t>(imax), ElementsAre(7));
  ASSERT_OK_AND_ASSIGN(Tensor umin,
                       Eval("min", MakeTensor<uint8_t>({3}, {9, 255, 4})));
  EXPECT_THAT(Values<uint8_t>(umin), ElementsAre(4));
}

TEST_P(ReductionOpsTest, VarAndStdArePopulationStatistics) {
  const Tensor x = MakeTensor<double>({2, 4}, {1, 2, 3, 4, 2, 2, 2, 2});
  ASSERT_OK_AND_ASSIGN(Tensor var, Eval("var", x, {{"axis", int64_t{1}}}));
  EXPECT_THAT(Values<double>(var), Pointwise(DoubleNear(1e-12), {1.25, 0.0}));
  ASSERT_OK_AND_ASSIGN(
      Tensor std, Eval("std", x, {{"axis", int64_t{-1}}, {"keepdims", true}}));
  EXPECT_EQ(std.shape(), Shape({2, 1}));
  EXPECT_THAT(Values<double>(std),
              Pointwise(DoubleNear(1e-12), {std::sqrt(1.25), 0.0}));
  ASSERT_OK_AND_ASSIGN(Tensor b,
                       Eval("var", MakeTensor<bool>({2}, {true, false})));
  EXPECT_EQ(b.dtype(), DType::kFloat32);
  EXPECT_THAT(Values<float>(b), ElementsAre(0.25));
  EXPECT_THAT(Eval("std", MakeTensor<int32_t>({2}, {1, 2})),
              StatusIs(kInvalid,
                       HasSubstr("std: x has dtype int32, expected a float")));
}

TEST_P(ReductionOpsTest, LogSumExpIsStableAndHandlesInfinities) {
  const Tensor x =
      MakeTensor<float>({4, 3}, {1, 2, 3, 1000, 1000, -INFINITY, -INFINITY,
                                 -INFINITY, -INFINITY, 1, INFINITY, 2});
  ASSERT_OK_AND_ASSIGN(Tensor out,
                       Eval("logsumexp", x, {{"axis", int64_t{1}}}));
  EXPECT_EQ(out.dtype(), DType::kFloat32);
  const std::vector<double> got = ValuesAsDouble(out);
  EXPECT_NEAR(got[0], std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0)),
              1e-5);
  EXPECT_NEAR(got[1], 1000 + std::log(2.0), 1e-3);
  EXPECT_EQ(got[2], -kInf);
  EXPECT_EQ(got[3], kInf);
  EXPECT_THAT(Eval("logsumexp", MakeTensor<int32_t>({1}, {1})),
              StatusIs(kInvalid, HasSubstr("logsumexp: x has dtype int32")));
}

TEST_P(ReductionOpsTest, AnyAllTestNonZeroOfAnyDtype) {
  const Tensor x = MakeTensor<float>({3, 2}, {0, 0, 0, NAN, -1, 2});
  ASSERT_OK_AND_ASSIGN(Tensor any, Eval("any", x, {{"axis", int64_t{1}}}));
  EXPECT_EQ(any.dtype(), DType::kBool);
  EXPECT_THAT(Values<bool>(any), ElementsAre(false, true, true));
  ASSERT_OK_AND_ASSIGN(Tensor all, Eval("all", x, {{"axis", int64_t{1}}}));
  EXPECT_THAT(Values<bool>(all), ElementsAre(false, false, true));
  ASSERT_OK_AND_ASSIGN(Tensor ball,
                       Eval("all", MakeTensor<bool>({2}, {true, true})));
  EXPECT_THAT(Values<bool>(ball), ElementsAre(true));
  ASSERT_OK_AND_ASSIGN(
      Tensor iany,
      Eval("any", MakeTensor<int64_t>({2}, {0, 5}), {{"keepdims", true}}));
  EXPECT_EQ(iany.shape(), Shape({1}));
  EXPECT_THAT(Values<bool>(iany), ElementsAre(true));
}

TEST_P(ReductionOpsTest, ArgMaxArgMinFirstOccurrenceAndNaN) {
  const Tensor x =
      MakeTensor<float>({3, 4}, {1, 3, 3, 0, 2, NAN, 5, NAN, -1, -1, 4, 4});
  ASSERT_OK_AND_ASSIGN(Tensor amax, Eval("argmax", x));
  EXPECT_EQ(amax.dtype(), DType::kInt64);
  EXPECT_EQ(amax.shape(), Shape({3}));
  EXPECT_THAT(Values<int64_t>(amax), ElementsAre(1, 1, 2));
  ASSERT_OK_AND_ASSIGN(Tensor amin, Eval("argmin", x));
  EXPECT_THAT(Values<int64_t>(amin), ElementsAre(3, 1, 0));
  ASSERT_OK_AND_ASSIGN(Tensor cols, Eval("argmax", x, {{"axis", int64_t{0}}}));
  EXPECT_THAT(Values<int64_t>(cols), ElementsAre(1, 1, 1, 1));
  ASSERT_OK_AND_ASSIGN(Tensor ints,
                       Eval("argmin", MakeTensor<int32_t>({3}, {4, -2, -2})));
  EXPECT_THAT(Values<int64_t>(ints), ElementsAre(1));
}

TEST_P(ReductionOpsTest, InvalidArgumentsNameOpArgumentAndValue) {
  EXPECT_THAT(
      Eval("sum", Small(), {{"axis", int64_t{2}}}),
      StatusIs(kInvalid, HasSubstr("sum: axis=2 is out of range for rank 2")));
  EXPECT_THAT(
      Eval("mean", Small(), {{"axis", Ints{0, -3}}}),
      StatusIs(kInvalid, HasSubstr("mean: axis[1]=-3 is out of range")));
  EXPECT_THAT(Eval("max", Small(), {{"axis", Ints{1, -1}}}),
              StatusIs(kInvalid, HasSubstr("max: axis[1]=-1 repeats axis 1")));
  EXPECT_THAT(Eval("sum", Small(), {{"keepdims", int64_t{1}}}),
              StatusIs(kInvalid, HasSubstr("sum: keepdims must be a bool")));
  EXPECT_THAT(Eval("sum", Small(), {{"axes", int64_t{1}}}),
              StatusIs(kInvalid, HasSubstr("sum: unknown attribute(s) axes")));
  EXPECT_THAT(
      Eval("sum", Small(), {{"axis", std::string("x")}}),
      StatusIs(kInvalid, HasSubstr("sum: axis must be an int or a list")));
  EXPECT_THAT(
      Eval("prod", MakeTensor<bool>({1}, {true})),
      StatusIs(kInvalid,
               HasSubstr("prod: x has dtype bool, expected a numeric")));
  EXPECT_THAT(Eval("argmax", Small(), {{"axis", Ints{0, 1}}}),
              StatusIs(kInvalid, HasSubstr("argmax: axis must be an int")));
  EXPECT_THAT(Eval("argmin", Small(), {{"axis", int64_t{-3}}}),
              StatusIs(kInvalid, HasSubstr("argmin: axis=-3 is out of range")));
  EXPECT_THAT(Eval("argmax", MakeTensor<bool>({1}, {true})),
              StatusIs(kInvalid, HasSubstr("argmax: x has dtype bool")));
  EXPECT_THAT(
      Eval("argmax", MakeTensor<float>({}, {1})),
      StatusIs(kInvalid,
               HasSubstr("argmax: axis=-1 is out of range for rank 0")));
}

TEST(ReductionInfer, StaticShapesCarryUnknownDims) {
  const Shape s{kUnknownDim, 3, kUnknownDim};
  ASSERT_OK_AND_ASSIGN(TensorSpec sum, Infer("sum", {{DType::kFloat32, s}},
                                             {{"axis", int64_t{1}}}));
  EXPECT_EQ(sum.shape, Shape({kUnknownDim, kUnknownDim}));
  ASSERT_OK_AND_ASSIGN(TensorSpec keep,
                       Infer("max", {{DType::kInt32, s}},
                             {{"axis", Ints{0, 2}}, {"keepdims", true}}));
  EXPECT_EQ(keep.shape, Shape({1, 3, 1}));
  EXPECT_EQ(keep.dtype, DType::kInt32);
  ASSERT_OK_AND_ASSIGN(TensorSpec all, Infer("mean", {{DType::kBool, s}}, {},
                                             {.floatx = DType::kFloat16}));
  EXPECT_EQ(all.shape, Shape({}));
  EXPECT_EQ(all.dtype, DType::kFloat16);
  ASSERT_OK_AND_ASSIGN(TensorSpec arg, Infer("argmin", {{DType::kFloat64, s}}));
  EXPECT_EQ(arg.shape, Shape({kUnknownDim, 3}));
  EXPECT_EQ(arg.dtype, DType::kInt64);
  EXPECT_THAT(
      Infer("max", {{DType::kFloat32, Shape({kUnknownDim, 0})}}),
      StatusIs(kInvalid, HasSubstr("max: cannot reduce axis 1 of size 0")));
}

TEST(ReductionInfer, CanonicalAttrsAreNormalised) {
  ASSERT_OK_AND_ASSIGN(const OpDef* sum, OpRegistry::Global().Find("sum"));
  const TensorSpec x{DType::kFloat32, Shape({2, 3, 4})};
  ASSERT_OK_AND_ASSIGN(InferResult r,
                       InferOp(*sum, {x}, {{"axis", Ints{-1, 0}}}, {}));
  EXPECT_EQ(std::get<Ints>(r.attrs.at("axis")), (Ints{0, 2}));
  EXPECT_EQ(std::get<bool>(r.attrs.at("keepdims")), false);
  ASSERT_OK_AND_ASSIGN(InferResult none, InferOp(*sum, {x}, {}, {}));
  EXPECT_EQ(std::get<Ints>(none.attrs.at("axis")), (Ints{0, 1, 2}));
  ASSERT_OK_AND_ASSIGN(const OpDef* argmax,
                       OpRegistry::Global().Find("argmax"));
  ASSERT_OK_AND_ASSIGN(InferResult a, InferOp(*argmax, {x}, {}, {}));
  EXPECT_EQ(std::get<int64_t>(a.attrs.at("axis")), 2);
}

TEST(Axes, NormaliseReduceAndWalk) {
  ASSERT_OK_AND_ASSIGN(Ints axes, NormalizeAxes(Ints{-1, 0}, 3, "op", "axis"));
  EXPECT_EQ(axes, (Ints{0, 2}));
  EXPECT_THAT(
      NormalizeAxes(Ints{1, 1}, 3, "op", "axis"),
      StatusIs(kInvalid,
               HasSubstr("op: axis[1]=1 repeats axis 1 (axis=[1, 1])")));
  ASSERT_OK_AND_ASSIGN(Ints scalar_axes,
                       ReadReductionAxes("op", {}, "axis", 0));
  EXPECT_THAT(scalar_axes, IsEmpty());
  EXPECT_EQ(ReducedShape(Shape({2, kUnknownDim, 4}), Ints{1}, false),
            Shape({2, 4}));
  EXPECT_EQ(ReducedShape(Shape({2, kUnknownDim, 4}), Ints{0, 2}, true),
            Shape({1, kUnknownDim, 1}));

  const ReductionLayout layout = MakeReductionLayout(Shape({2, 3, 4}), Ints{1});
  EXPECT_EQ(layout.num_outputs, 8);
  EXPECT_EQ(layout.slice_size, 3);
  StridedWalker outer(layout.outer_sizes, layout.outer_strides);
  std::vector<int64_t> offsets;
  for (int i = 0; i < 9; ++i, outer.Next()) offsets.push_back(outer.offset());
  EXPECT_THAT(offsets, ElementsAre(0, 1, 2, 3, 12, 13, 14, 15, 0));  // wraps
}

}  // namespace
}  // namespace remotek
