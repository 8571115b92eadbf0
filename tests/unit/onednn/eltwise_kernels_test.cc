// The unary maps served by dnnl::eltwise (sqrt; square and abs when a team of
// threads may run) against the reference over normal and special values, and
// the maps kept on the eigen kernel because oneDNN differs there (relu and
// exp on NaN, log) or is slower (tanh, sigmoid).
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

// A (1024, 128) float32 tensor: a dense sweep of [-20, 20] with the special
// values (+-0, +-inf, NaN, subnormals, +-FLT_MAX) mixed in.
Tensor SweepWithSpecials() {
  const float inf = std::numeric_limits<float>::infinity();
  const float specials[] = {0.f, -0.f, inf, -inf, std::numeric_limits<float>::quiet_NaN(),
                            1e-40f, -1e-40f, 1.17549435e-38f, 3.4e38f, -3.4e38f, 88.8f, -104.f};
  Tensor t = Tensor::Allocate(DType::kFloat32, {1024, 128}, nullptr).value();
  float* data = t.data<float>();
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    data[i] = -20.f + 40.f * static_cast<float>(i) / static_cast<float>(t.num_elements());
  }
  for (int i = 0; i < 12; ++i) data[i * 9973] = specials[i];
  return t;
}

TEST(OnednnEltwise, ReplacedMapsMatchTheReferenceOnEveryValueClass) {
  const Tensor x = SweepWithSpecials();
  ExpectMatchesReference("sqrt", {x}, {}, Path::kOnednn);
  ExpectMatchesReference("square", {x}, {}, onednn_test::ParallelOnlyPath());
  ExpectMatchesReference("abs", {x}, {}, onednn_test::ParallelOnlyPath());
}

TEST(OnednnEltwise, AbsClearsTheSignOfNegativeZero) {
  std::vector<float> values(1024 * 128, -3.f);
  values[0] = -0.f;
  absl::StatusOr<Tensor> out =
      testing::Run(Onednn(), "abs", {testing::MakeTensor<float>({1024, 128}, values)});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->data<float>()[0], 0.f);
  EXPECT_FALSE(std::signbit(out->data<float>()[0]));
  EXPECT_EQ(out->data<float>()[1], 3.f);
}

TEST(OnednnEltwise, MapsWhereOneDnnDiffersOrIsSlowerKeepTheEigenKernel) {
  const Tensor x = SweepWithSpecials();
  ExpectMatchesReference("tanh", {x}, {}, Path::kFallback, {1e-5, 1e-6});
  ExpectMatchesReference("sigmoid", {x}, {}, Path::kFallback, {1e-5, 1e-6});
  ExpectMatchesReference("relu", {x}, {}, Path::kFallback);  // oneDNN: relu(NaN) = 0
  ExpectMatchesReference("exp", {x}, {}, Path::kFallback);   // oneDNN: exp(NaN) = inf
  ExpectMatchesReference("log", {x}, {}, Path::kFallback);   // oneDNN: ~3e-6 error
}

TEST(OnednnEltwise, SmallAndFloat64FallBack) {
  ExpectMatchesReference("sqrt", {RandomF32({10}, 1, 0.f, 2.f)}, {}, Path::kFallback);
  ExpectMatchesReference("square", {RandomF32({128, 128}, 2)}, {}, Path::kFallback);
  ExpectMatchesReference(
      "sqrt", {testing::MakeTensorAs(DType::kFloat64, {128, 128}, std::vector<double>(16384, 0.3))},
      {}, Path::kFallback);
}

}  // namespace
}  // namespace remotek
