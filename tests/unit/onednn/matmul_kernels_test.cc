// dot and batch_dot on the onednn backend against the reference backend:
// the plain-matmul cases of at least 2^18 multiply-adds run a dnnl::matmul
// primitive; the N-D cases oneDNN cannot express, smaller products and
// float64 use the eigen fallback.
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

constexpr onednn_test::Tolerance kGemm{1e-4, 1e-4};

AttrMap Axes(int64_t a, int64_t b) { return {{"axes", std::vector<int64_t>{a, b}}}; }

TEST(OnednnDot, TwoDimensional) {
  ExpectMatchesReference("dot", {RandomF32({128, 64}, 1), RandomF32({64, 64}, 2)}, {},
                         Path::kOnednn, kGemm);
  ExpectMatchesReference("dot", {RandomF32({4, 300}, 3), RandomF32({300, 256}, 4)}, {},
                         Path::kOnednn, kGemm);
  // Large enough for a team of threads.
  ExpectMatchesReference("dot", {RandomF32({160, 128}, 31), RandomF32({128, 144}, 32)}, {},
                         Path::kOnednn, kGemm);
}

TEST(OnednnDot, LeadingDimsOfXFoldIntoRows) {
  // (16, 8, 64) . (64, 64) -> (16, 8, 64): one (128, 64) . (64, 64) product.
  ExpectMatchesReference("dot", {RandomF32({16, 8, 64}, 5), RandomF32({64, 64}, 6)}, {},
                         Path::kOnednn, kGemm);
}

TEST(OnednnDot, VectorAgainstBatchOfMatricesFallsBack) {
  // (256,) . (8, 256, 128) -> (8, 128): a batched vector product, where
  // oneDNN 2.6 measured 3x slower than the eigen kernel.
  ExpectMatchesReference("dot", {RandomF32({256}, 7), RandomF32({8, 256, 128}, 8)}, {},
                         Path::kFallback, kGemm);
}

TEST(OnednnDot, SingleRowOrColumnIsOneMatrixVectorProduct) {
  ExpectMatchesReference("dot", {RandomF32({1, 1024}, 33), RandomF32({1024, 512}, 34)}, {},
                         Path::kOnednn, kGemm);
  ExpectMatchesReference("dot", {RandomF32({512, 1024}, 35), RandomF32({1024, 1}, 36)}, {},
                         Path::kOnednn, kGemm);
}

TEST(OnednnDot, NdCaseThatIsNoPlainMatmulFallsBack) {
  // (4, 8, 64) . (4, 64, 64) -> (4, 8, 4, 64): rows of x against each y.
  ExpectMatchesReference("dot", {RandomF32({4, 8, 64}, 9), RandomF32({4, 64, 64}, 10)}, {},
                         Path::kFallback, kGemm);
}

TEST(OnednnDot, SmallAndFloat64FallBack) {
  ExpectMatchesReference("dot", {RandomF32({2, 3}, 11), RandomF32({3, 4}, 12)}, {},
                         Path::kFallback, kGemm);
  ExpectMatchesReference("dot", {RandomF32({32, 32}, 11), RandomF32({32, 32}, 12)}, {},
                         Path::kFallback, kGemm);
  const Tensor x = testing::MakeTensorAs(DType::kFloat64, {64, 64}, std::vector<double>(4096, 0.5));
  ExpectMatchesReference("dot", {x, x}, {}, Path::kFallback, kGemm);
}

TEST(OnednnDot, ExactValues) {
  // [[1, 2], [3, 4]] . [[5, 6], [7, 8]] with zero padding to reach oneDNN.
  std::vector<float> a(64 * 64, 0.f), b(64 * 64, 0.f);
  a[0] = 1, a[1] = 2, a[64] = 3, a[65] = 4;
  b[0] = 5, b[1] = 6, b[64] = 7, b[65] = 8;
  const int64_t served = onednn_test::PrimitivesServed();
  absl::StatusOr<Tensor> out = testing::Run(
      Onednn(), "dot", {testing::MakeTensor<float>({64, 64}, a), testing::MakeTensor<float>({64, 64}, b)});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(onednn_test::PrimitivesServed() - served, 1);
  EXPECT_EQ(out->data<float>()[0], 19.f);
  EXPECT_EQ(out->data<float>()[1], 22.f);
  EXPECT_EQ(out->data<float>()[64], 43.f);
  EXPECT_EQ(out->data<float>()[65], 50.f);
  EXPECT_EQ(out->data<float>()[2], 0.f);
}

TEST(OnednnBatchDot, KerasDocExample) {
  // K.batch_dot(x (32, 20, 1), y (32, 30, 20), axes=(1, 2)) -> (32, 1, 30).
  const Tensor x = RandomF32({32, 20, 1}, 13);
  const Tensor y = RandomF32({32, 30, 20}, 14);
  absl::StatusOr<Tensor> out = testing::Run(Onednn(), "batch_dot", {x, y}, Axes(1, 2));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->shape(), Shape({32, 1, 30}));
  // A batched vector product (M = 1) of 19,200 multiply-adds: eigen serves it.
  ExpectMatchesReference("batch_dot", {x, y}, Axes(1, 2), Path::kFallback, kGemm);
}

TEST(OnednnBatchDot, KerasDocAxesWithMatrixBlocksTransposeBothOperands) {
  // axes=(1, 2) as in the doc example, with x (32, 200, 4): per batch
  // x^T (4, 200) . y^T (200, 300), both read in place through strides.
  const Tensor x = RandomF32({32, 200, 4}, 29);
  const Tensor y = RandomF32({32, 300, 200}, 30);
  absl::StatusOr<Tensor> out = testing::Run(Onednn(), "batch_dot", {x, y}, Axes(1, 2));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->shape(), Shape({32, 4, 300}));
  ExpectMatchesReference("batch_dot", {x, y}, Axes(1, 2), Path::kOnednn, kGemm);
}

TEST(OnednnBatchDot, BatchedVectorProductsKeepTheEigenKernel) {
  // M = 1, N = 1 and M = N = 1 with a batch: 3-14x slower on oneDNN 2.6.
  ExpectMatchesReference("batch_dot", {RandomF32({32, 200, 1}, 37), RandomF32({32, 300, 200}, 38)},
                         Axes(1, 2), Path::kFallback, kGemm);
  ExpectMatchesReference("batch_dot", {RandomF32({32, 300, 200}, 39), RandomF32({32, 200, 1}, 40)},
                         Axes(2, 1), Path::kFallback, kGemm);
}

TEST(OnednnBatchDot, DefaultAxesArePlainBatchedMatmul) {
  ExpectMatchesReference("batch_dot", {RandomF32({8, 64, 64}, 15), RandomF32({8, 64, 64}, 16)},
                         {}, Path::kOnednn, kGemm);
}

TEST(OnednnBatchDot, ContractingFirstAxisOfXTransposesX) {
  // axes (1, 1): x (8, 64, 32) read as the transpose of (32, 64) per batch.
  ExpectMatchesReference("batch_dot", {RandomF32({8, 64, 32}, 17), RandomF32({8, 64, 48}, 18)},
                         Axes(1, 1), Path::kOnednn, kGemm);
}

TEST(OnednnBatchDot, ContractingLastAxisOfYTransposesY) {
  ExpectMatchesReference("batch_dot", {RandomF32({8, 32, 64}, 19), RandomF32({8, 48, 64}, 20)},
                         Axes(2, 2), Path::kOnednn, kGemm);
}

TEST(OnednnBatchDot, RankTwoInputsGiveAColumnOnTheEigenKernel) {
  // Keras: batch_dot((1024, 256), (1024, 256), axes=1) -> (1024, 1), row-wise
  // dots: M = N = 1 per batch, 14x slower on oneDNN 2.6.
  const Tensor x = RandomF32({1024, 256}, 21);
  const Tensor y = RandomF32({1024, 256}, 22);
  absl::StatusOr<Tensor> out = testing::Run(Onednn(), "batch_dot", {x, y}, Axes(1, 1));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->shape(), Shape({1024, 1}));
  ExpectMatchesReference("batch_dot", {x, y}, Axes(1, 1), Path::kFallback, kGemm);
}

TEST(OnednnBatchDot, TrailingDimsOfYFoldIntoColumns) {
  // y (4, 64, 8, 16) contracted on axis 1: out (4, 32, 8, 16) is (4, 32, 128).
  const Tensor x = RandomF32({4, 32, 64}, 23);
  const Tensor y = RandomF32({4, 64, 8, 16}, 24);
  absl::StatusOr<Tensor> out = testing::Run(Onednn(), "batch_dot", {x, y}, Axes(2, 1));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->shape(), Shape({4, 32, 8, 16}));
  ExpectMatchesReference("batch_dot", {x, y}, Axes(2, 1), Path::kOnednn, kGemm);
}

TEST(OnednnBatchDot, ContractingAMiddleAxisFallsBack) {
  // x (4, 3, 32, 5) on axis 2 has dims on both sides: no single matmul.
  ExpectMatchesReference("batch_dot", {RandomF32({4, 8, 64, 16}, 25), RandomF32({4, 64, 64}, 26)},
                         Axes(2, 1), Path::kFallback, kGemm);
}

TEST(OnednnBatchDot, SpecialValuesPropagate) {
  Tensor x = RandomF32({4, 64, 64}, 27);
  Tensor y = RandomF32({4, 64, 64}, 28);
  x.data<float>()[0] = std::numeric_limits<float>::quiet_NaN();          // row 0 of batch 0
  x.data<float>()[64 * 64 + 5] = std::numeric_limits<float>::infinity();  // row 0 of batch 1
  ExpectMatchesReference("batch_dot", {x, y}, {}, Path::kOnednn, kGemm);
}

}  // namespace
}  // namespace remotek
