// The onednn backend as a whole: it serves every op the eigen backend
// serves, and the test variant without speed routing sends small cases,
// which the served backend leaves on eigen, through oneDNN.
#include <string>
#include <vector>

#include "backend/eigen/eigen_backend.h"
#include "backend/onednn/onednn_backend.h"
#include "gtest/gtest.h"
#include "tests/unit/onednn/onednn_test_util.h"

namespace remotek {
namespace {

using onednn_test::PrimitivesServed;
using onednn_test::RandomF32;

TEST(OnednnBackend, ServesEveryOpOfTheEigenBackend) {
  const auto onednn = CreateOnednnBackend();
  EXPECT_EQ(onednn->name(), "onednn");
  EXPECT_EQ(onednn->SupportedOps(), CreateEigenBackend()->SupportedOps());
  EXPECT_GE(onednn->SupportedOps().size(), 60u);
}

TEST(OnednnBackend, WithoutSpeedRoutingSmallCasesRunOnOneDnn) {
  const auto unrouted = CreateOnednnBackendWithoutSpeedRoutingForTest();
  const Tensor x = testing::MakeTensor<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  const Tensor y = testing::MakeTensor<float>({3}, {10, 20, 30});
  int64_t served = PrimitivesServed();
  absl::StatusOr<Tensor> routed = testing::Run(onednn_test::Onednn(), "add", {x, y});
  ASSERT_TRUE(routed.ok()) << routed.status();
  EXPECT_EQ(PrimitivesServed() - served, 0);  // tiny: eigen
  served = PrimitivesServed();
  absl::StatusOr<Tensor> sum = testing::Run(*unrouted, "add", {x, y});
  ASSERT_TRUE(sum.ok()) << sum.status();
  EXPECT_EQ(PrimitivesServed() - served, 1);
  EXPECT_EQ(testing::Values<float>(*sum), (std::vector<float>{11, 22, 33, 14, 25, 36}));

  // A batched vector product (Keras's doc example) is oneDNN-capable too.
  served = PrimitivesServed();
  const AttrMap axes = {{"axes", std::vector<int64_t>{1, 2}}};
  onednn_test::ExpectMatchesReference("batch_dot",
                                      {RandomF32({32, 20, 1}, 1), RandomF32({32, 30, 20}, 2)},
                                      axes, onednn_test::Path::kFallback, {1e-4, 1e-4});
  absl::StatusOr<Tensor> product = testing::Run(
      *unrouted, "batch_dot", {RandomF32({32, 20, 1}, 1), RandomF32({32, 30, 20}, 2)}, axes);
  ASSERT_TRUE(product.ok()) << product.status();
  EXPECT_EQ(product->shape(), Shape({32, 1, 30}));
  EXPECT_EQ(PrimitivesServed() - served, 1);
}

TEST(OnednnBackend, WithoutSpeedRoutingStillFallsBackForFloat64AndEmpty) {
  const auto unrouted = CreateOnednnBackendWithoutSpeedRoutingForTest();
  const int64_t served = PrimitivesServed();
  const Tensor d = testing::MakeTensorAs(DType::kFloat64, {2, 2}, {1, 2, 3, 4});
  absl::StatusOr<Tensor> product = testing::Run(*unrouted, "dot", {d, d});
  ASSERT_TRUE(product.ok()) << product.status();
  EXPECT_EQ(testing::Values<double>(*product), (std::vector<double>{7, 10, 15, 22}));
  absl::StatusOr<Tensor> empty =
      testing::Run(*unrouted, "sum", {RandomF32({0, 4}, 3)}, {{"axis", std::vector<int64_t>{0}}});
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_EQ(testing::Values<float>(*empty), (std::vector<float>{0, 0, 0, 0}));
  EXPECT_EQ(PrimitivesServed() - served, 0);
}

}  // namespace
}  // namespace remotek
