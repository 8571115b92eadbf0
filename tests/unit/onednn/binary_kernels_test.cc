// add, subtract, multiply, divide on the onednn backend against the
// reference, with numpy broadcasting; maximum/minimum, float64, tiny
// tensors, small equal shapes and x-broadcasting subtract/divide use the
// eigen fallback.
#include <cmath>
#include <limits>
#include <vector>

#include "gtest/gtest.h"
#include "tests/unit/onednn/onednn_test_util.h"

namespace remotek {
namespace {

using onednn_test::ExpectMatchesReference;
using onednn_test::Onednn;
using onednn_test::Path;
using onednn_test::RandomF32;

constexpr const char* kOps[] = {"add", "subtract", "multiply", "divide"};

const float kInf = std::numeric_limits<float>::infinity();
const std::vector<float> kSpecials = {
    0.f, -0.f, kInf, -kInf, std::numeric_limits<float>::quiet_NaN(), 1e-40f, -1e-40f,
    3.4e38f, -3.4e38f, 1.f, -2.5f, 7.f, 1e-20f};

// x (13, 2048) with x[i, j] = kSpecials[j % 13] and y (13, 1) with
// y[i] = kSpecials[i]: broadcasting meets every pair of value classes.
Tensor SpecialRows() {
  const int64_t n = static_cast<int64_t>(kSpecials.size());
  Tensor t = Tensor::Allocate(DType::kFloat32, {n, 2048}, nullptr).value();
  for (int64_t i = 0; i < t.num_elements(); ++i) t.data<float>()[i] = kSpecials[i % 2048 % n];
  return t;
}
Tensor SpecialColumn() {
  return testing::MakeTensor<float>({static_cast<int64_t>(kSpecials.size()), 1}, kSpecials);
}

TEST(OnednnBinary, LargeEqualShapesUseATeamOfThreads) {
  for (const char* op : kOps) {
    ExpectMatchesReference(op, {RandomF32({512, 512}, 1), RandomF32({512, 512}, 2, 0.5f, 2.f)},
                           {}, onednn_test::ParallelOnlyPath());
  }
}

TEST(OnednnBinary, SmallEqualShapesKeepTheVectorisedEigenKernel) {
  for (const char* op : kOps) {
    ExpectMatchesReference(op, {RandomF32({128, 256}, 1), RandomF32({128, 256}, 2, 0.5f, 2.f)},
                           {}, Path::kFallback);
  }
}

TEST(OnednnBinary, YBroadcastsIntoX) {
  for (const char* op : kOps) {
    const Tensor x = RandomF32({64, 32, 16}, 3);
    ExpectMatchesReference(op, {x, RandomF32({16}, 4, 0.5f, 2.f)}, {}, Path::kOnednn);
    ExpectMatchesReference(op, {x, RandomF32({32, 1}, 5, 0.5f, 2.f)}, {}, Path::kOnednn);
    ExpectMatchesReference(op, {x, RandomF32({64, 1, 16}, 6, 0.5f, 2.f)}, {}, Path::kOnednn);
    ExpectMatchesReference(op, {x, RandomF32({}, 7, 0.5f, 2.f)}, {}, Path::kOnednn);
  }
}

TEST(OnednnBinary, XBroadcastingSwapsOperandsOnlyForCommutativeOps) {
  const Tensor x = RandomF32({16}, 8, 0.5f, 2.f);
  const Tensor y = RandomF32({64, 32, 16}, 9, 0.5f, 2.f);
  ExpectMatchesReference("add", {x, y}, {}, Path::kOnednn);
  ExpectMatchesReference("multiply", {x, y}, {}, Path::kOnednn);
  ExpectMatchesReference("subtract", {x, y}, {}, Path::kFallback);
  ExpectMatchesReference("divide", {x, y}, {}, Path::kFallback);
}

TEST(OnednnBinary, BothOperandsBroadcastingFallsBack) {
  // (128, 1) + (1, 256) -> (128, 256): oneDNN broadcasts only src1.
  ExpectMatchesReference("add", {RandomF32({128, 1}, 10), RandomF32({1, 256}, 11)}, {},
                         Path::kFallback);
}

TEST(OnednnBinary, SpecialValuesFollowTheReference) {
  for (const char* op : kOps) {
    ExpectMatchesReference(op, {SpecialRows(), SpecialColumn()}, {}, Path::kOnednn);
  }
  // And with the broadcasting operand on the left.
  ExpectMatchesReference("add", {SpecialColumn(), SpecialRows()}, {}, Path::kOnednn);
  ExpectMatchesReference("multiply", {SpecialColumn(), SpecialRows()}, {}, Path::kOnednn);
}

TEST(OnednnBinary, DivideByZeroGivesSignedInfinity) {
  Tensor x = RandomF32({128, 128}, 12);
  std::vector<float> zeros(128, 0.f);
  zeros[1] = -0.f;
  x.data<float>()[0] = 1.f;
  x.data<float>()[1] = -1.f;
  x.data<float>()[2] = 0.f;
  const int64_t served = onednn_test::PrimitivesServed();
  absl::StatusOr<Tensor> out =
      testing::Run(Onednn(), "divide", {x, testing::MakeTensor<float>({128}, zeros)});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(onednn_test::PrimitivesServed() - served, 1);
  EXPECT_EQ(out->data<float>()[0], kInf);
  EXPECT_EQ(out->data<float>()[1], kInf);  // -1 / -0
  EXPECT_TRUE(std::isnan(out->data<float>()[2]));
}

TEST(OnednnBinary, MaximumAndMinimumKeepTheNanPropagatingFallback) {
  ExpectMatchesReference("maximum", {SpecialRows(), SpecialColumn()}, {}, Path::kFallback);
  ExpectMatchesReference("minimum", {SpecialRows(), SpecialColumn()}, {}, Path::kFallback);
}

TEST(OnednnBinary, TinyAndFloat64FallBack) {
  ExpectMatchesReference("add", {RandomF32({4, 8}, 13), RandomF32({8}, 14)}, {}, Path::kFallback);
  const Tensor x = testing::MakeTensorAs(DType::kFloat64, {512, 512},
                                         std::vector<double>(512 * 512, 1.25));
  ExpectMatchesReference("add", {x, x}, {}, Path::kFallback);
}

}  // namespace
}  // namespace remotek
