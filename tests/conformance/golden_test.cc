// The golden cases of golden/golden_cases.txt (numpy, from the Keras 2.3
// definitions; see golden/make_golden.py) on every built-in backend.
#include <string>
#include <vector>

#include "backend/eigen/eigen_backend.h"
#if defined(REMOTEK_HAVE_ONEDNN)
#include "backend/onednn/onednn_backend.h"
#endif
#include "backend/reference/reference_kernels.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/conformance/golden_file.h"
#include "tests/conformance/op_case.h"
#include "tests/support/status_matchers.h"
#include "tests/support/tensor_testing.h"

namespace remotek::conformance {
namespace {

const absl::StatusOr<std::vector<GoldenCase>>& GoldenCases() {
  static const auto* golden =
      new absl::StatusOr<std::vector<GoldenCase>>(LoadGolden(REMOTEK_GOLDEN_FILE));
  return *golden;
}

int GoldenCount() { return GoldenCases().ok() ? static_cast<int>(GoldenCases()->size()) : 0; }

TEST(GoldenFile, Loads) {
  ASSERT_TRUE(GoldenCases().ok()) << GoldenCases().status();
  EXPECT_GE(GoldenCases()->size(), 40u);
}

TEST(GoldenFile, ParserRefusesMalformedText) {
  EXPECT_THAT(ParseGolden("case a\nop add\nbogus 1\nend\n"),
              ::remotek::testing::StatusIs(absl::StatusCode::kInvalidArgument,
                                           ::testing::HasSubstr("golden line 3")));
  EXPECT_THAT(ParseGolden("case a\nop neg\ninput float32 shape 2 values 1\n"),
              ::remotek::testing::StatusIs(absl::StatusCode::kInvalidArgument,
                                           ::testing::HasSubstr("needs 2 values")));
  EXPECT_THAT(ParseGolden("case a\nop neg\n"),
              ::remotek::testing::StatusIs(absl::StatusCode::kInvalidArgument,
                                           ::testing::HasSubstr("no \"end\"")));
}

class Golden : public ::testing::TestWithParam<int> {};

TEST_P(Golden, EveryBackendMatchesNumpy) {
  const GoldenCase& c = (*GoldenCases())[GetParam()];
  const auto reference = CreateReferenceBackend();
  const auto eigen = CreateEigenBackend();
  std::vector<const Backend*> backends = {reference.get(), eigen.get()};
#if defined(REMOTEK_HAVE_ONEDNN)
  const auto onednn = CreateOnednnBackend();
  const auto onednn_unrouted = CreateOnednnBackendWithoutSpeedRoutingForTest();
  backends.push_back(onednn.get());
  backends.push_back(onednn_unrouted.get());
#endif
  for (const Backend* backend : backends) {
    absl::StatusOr<Tensor> got =
        ::remotek::testing::Run(*backend, c.op, c.inputs, c.attrs, c.config);
    ASSERT_TRUE(got.ok()) << c.name << " on " << backend->name() << ": " << got.status();
    EXPECT_EQ(CompareTensors(c.expect, *got, {c.rtol, c.atol},
                             /*bit_exact=*/c.rtol == 0 && c.atol == 0),
              "")
        << c.name << " on " << backend->name();
  }
}

INSTANTIATE_TEST_SUITE_P(
    Numpy, Golden, ::testing::Range(0, GoldenCount()),
    [](const ::testing::TestParamInfo<int>& info) { return (*GoldenCases())[info.param].name; });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Golden);

}  // namespace
}  // namespace remotek::conformance
