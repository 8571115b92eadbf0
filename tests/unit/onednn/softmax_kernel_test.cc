// softmax on dnnl::softmax_v2 against the reference along every axis kind,
// and the non-finite inputs that go to the eigen kernel (oneDNN gives zeros
// where the reference gives NaN).
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

AttrMap Axis(int64_t axis) { return {{"axis", axis}}; }

TEST(OnednnSoftmax, LastAxis) {
  ExpectMatchesReference("softmax", {RandomF32({64, 128}, 1, -10.f, 10.f)}, Axis(-1),
                         Path::kOnednn);
}

TEST(OnednnSoftmax, LastAxisOfRankThree) {
  ExpectMatchesReference("softmax", {RandomF32({16, 32, 24}, 2, -30.f, 30.f)}, Axis(2),
                         Path::kOnednn);
}

TEST(OnednnSoftmax, MiddleAndFirstAxisKeepTheEigenKernel) {
  // oneDNN 2.6 has only its ref:any softmax for an axis with inner dims.
  const Tensor x = RandomF32({16, 32, 24}, 2, -30.f, 30.f);
  ExpectMatchesReference("softmax", {x}, Axis(1), Path::kFallback);
  ExpectMatchesReference("softmax", {x}, Axis(0), Path::kFallback);
}

TEST(OnednnSoftmax, RowsSumToOne) {
  absl::StatusOr<Tensor> out =
      testing::Run(Onednn(), "softmax", {RandomF32({64, 100}, 3, -5.f, 5.f)}, Axis(-1));
  ASSERT_TRUE(out.ok()) << out.status();
  for (int r = 0; r < 64; ++r) {
    double sum = 0;
    for (int k = 0; k < 100; ++k) sum += out->data<float>()[r * 100 + k];
    EXPECT_NEAR(sum, 1.0, 1e-5) << "row " << r;
  }
}

TEST(OnednnSoftmax, SubnormalAndHugeFiniteInputsStayOnOneDnn) {
  Tensor x = RandomF32({64, 128}, 4);
  x.data<float>()[0] = 1e-40f;
  x.data<float>()[130] = 3.4e38f;   // row 1: one element takes all the mass
  x.data<float>()[300] = -3.4e38f;  // row 2: one element gets exactly 0
  ExpectMatchesReference("softmax", {x}, Axis(-1), Path::kOnednn);
}

TEST(OnednnSoftmax, NonFiniteInputsUseTheFallbackAndGiveNan) {
  Tensor x = RandomF32({64, 128}, 5);
  x.data<float>()[0] = std::numeric_limits<float>::infinity();
  x.data<float>()[200] = std::numeric_limits<float>::quiet_NaN();
  ExpectMatchesReference("softmax", {x}, Axis(-1), Path::kFallback);
  absl::StatusOr<Tensor> out = testing::Run(Onednn(), "softmax", {x}, Axis(-1));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(std::isnan(out->data<float>()[1]));    // row 0 holds +inf
  EXPECT_TRUE(std::isnan(out->data<float>()[129]));  // row 1 holds NaN
  EXPECT_FALSE(std::isnan(out->data<float>()[256]));
}

TEST(OnednnSoftmax, TinyFallsBack) {
  ExpectMatchesReference("softmax", {RandomF32({2, 5}, 6)}, Axis(-1), Path::kFallback);
}

}  // namespace
}  // namespace remotek
