// sum, mean and prod on dnnl::reduction against the reference for axis lists
// and keepdims (trailing axes on oneDNN, others on eigen), the overflow guard (non-finite results are recomputed by the
// eigen kernel), and max/min, which keep the eigen kernel.
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

constexpr onednn_test::Tolerance kReduction{1e-5, 1e-5};

AttrMap Reduce(std::vector<int64_t> axis, bool keepdims) {
  return {{"axis", std::move(axis)}, {"keepdims", keepdims}};
}

TEST(OnednnReduction, TrailingAxesRunOnOneDnn) {
  const Tensor x = RandomF32({32, 24, 16}, 1);
  for (const char* op : {"sum", "mean"}) {
    for (bool keepdims : {false, true}) {
      ExpectMatchesReference(op, {x}, Reduce({-1}, keepdims), Path::kOnednn, kReduction);
      ExpectMatchesReference(op, {x}, Reduce({1, 2}, keepdims), Path::kOnednn, kReduction);
    }
    // axis=None reduces everything.
    ExpectMatchesReference(op, {x}, {}, Path::kOnednn, kReduction);
    // Size-1 dims between reduced ones do not break the trailing run.
    ExpectMatchesReference(op, {RandomF32({64, 16, 1, 8}, 2)}, Reduce({1, 3}, false),
                           Path::kOnednn, kReduction);
  }
}

TEST(OnednnReduction, LeadingAndMiddleAxesKeepTheEigenKernel) {
  // oneDNN 2.6 offers only its ref:any loops for these layouts.
  const Tensor x = RandomF32({32, 24, 16}, 1);
  for (const char* op : {"sum", "mean"}) {
    for (bool keepdims : {false, true}) {
      ExpectMatchesReference(op, {x}, Reduce({0}, keepdims), Path::kFallback, kReduction);
      ExpectMatchesReference(op, {x}, Reduce({1}, keepdims), Path::kFallback, kReduction);
      ExpectMatchesReference(op, {x}, Reduce({0, 2}, keepdims), Path::kFallback, kReduction);
    }
  }
}

TEST(OnednnReduction, KeepdimsShapes) {
  const Tensor x = RandomF32({32, 24, 16}, 2);
  absl::StatusOr<Tensor> kept = testing::Run(Onednn(), "sum", {x}, Reduce({1, 2}, true));
  ASSERT_TRUE(kept.ok()) << kept.status();
  EXPECT_EQ(kept->shape(), Shape({32, 1, 1}));
  absl::StatusOr<Tensor> dropped = testing::Run(Onednn(), "sum", {x}, Reduce({1, 2}, false));
  ASSERT_TRUE(dropped.ok()) << dropped.status();
  EXPECT_EQ(dropped->shape(), Shape({32}));
}

TEST(OnednnReduction, ExactSum) {
  // 0 + 1 + ... + 4095 per row is exact in float32.
  std::vector<float> values(2 * 4096);
  for (int i = 0; i < 4096; ++i) values[i] = values[4096 + i] = static_cast<float>(i);
  absl::StatusOr<Tensor> out = testing::Run(
      Onednn(), "sum", {testing::MakeTensor<float>({2, 4096}, values)}, Reduce({1}, false));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->data<float>()[0], 4095.f * 4096.f / 2.f);
  EXPECT_EQ(out->data<float>()[1], 4095.f * 4096.f / 2.f);
}

TEST(OnednnReduction, Prod) {
  const Tensor x = RandomF32({64, 8, 16}, 3, 0.8f, 1.25f);
  ExpectMatchesReference("prod", {x}, Reduce({2}, false), Path::kOnednn, kReduction);
  ExpectMatchesReference("prod", {x}, Reduce({1, 2}, true), Path::kOnednn, kReduction);
}

TEST(OnednnReduction, NanAndInfinityPropagate) {
  Tensor x = RandomF32({64, 128}, 4);
  x.data<float>()[0] = std::numeric_limits<float>::quiet_NaN();
  x.data<float>()[128] = std::numeric_limits<float>::infinity();
  x.data<float>()[256] = std::numeric_limits<float>::infinity();
  x.data<float>()[257] = -std::numeric_limits<float>::infinity();
  for (const char* op : {"sum", "mean"}) {
    ExpectMatchesReference(op, {x}, Reduce({1}, false), Path::kOnednn, kReduction);
    absl::StatusOr<Tensor> out = testing::Run(Onednn(), op, {x}, Reduce({1}, false));
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_TRUE(std::isnan(out->data<float>()[0]));
    EXPECT_EQ(out->data<float>()[1], std::numeric_limits<float>::infinity());
    EXPECT_TRUE(std::isnan(out->data<float>()[2]));  // inf + -inf
    EXPECT_TRUE(std::isfinite(out->data<float>()[3]));
  }
}

TEST(OnednnReduction, Float32OverflowOfAPartialResultIsRecomputed) {
  // The mean of values near FLT_MAX is finite, but oneDNN's float32 sum of
  // them overflows; the guard recomputes on the eigen kernel (double sums).
  const Tensor x = RandomF32({16, 512}, 5, 3.0e38f, 3.4e38f);
  ExpectMatchesReference("mean", {x}, Reduce({1}, false), Path::kOnednn, kReduction);
  absl::StatusOr<Tensor> out = testing::Run(Onednn(), "mean", {x}, Reduce({1}, false));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(std::isfinite(out->data<float>()[0]));
  EXPECT_GT(out->data<float>()[0], 3.0e38f);
}

TEST(OnednnReduction, MaxAndMinKeepTheNanPropagatingFallback) {
  Tensor x = RandomF32({64, 128}, 6);
  x.data<float>()[5] = std::numeric_limits<float>::quiet_NaN();
  for (const char* op : {"max", "min"}) {
    ExpectMatchesReference(op, {x}, Reduce({1}, false), Path::kFallback, {0, 0});
  }
}

TEST(OnednnReduction, CopiesEmptyTinyAndFloat64FallBack) {
  // Only size-1 axes reduced: a copy.
  ExpectMatchesReference("sum", {RandomF32({64, 1, 128}, 7)}, Reduce({1}, false),
                         Path::kFallback, kReduction);
  ExpectMatchesReference("sum", {RandomF32({64, 128}, 8)}, Reduce({}, false), Path::kFallback,
                         kReduction);
  ExpectMatchesReference("sum", {RandomF32({0, 4096}, 9)}, Reduce({1}, false), Path::kFallback,
                         kReduction);
  ExpectMatchesReference("mean", {RandomF32({3, 4}, 10)}, Reduce({1}, false), Path::kFallback,
                         kReduction);
  ExpectMatchesReference(
      "sum", {testing::MakeTensorAs(DType::kFloat64, {64, 128}, std::vector<double>(8192, 0.1))},
      Reduce({1}, false), Path::kFallback, {1e-12, 1e-12});
}

}  // namespace
}  // namespace remotek
