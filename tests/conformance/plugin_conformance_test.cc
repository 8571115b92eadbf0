// The conformance table through the external-backend ABI: every row and dtype
// runs as an eager op in a session of each external backend built from this
// tree — loaded with dlopen, called through the C entries, results copied
// back by the server's reply collector — and must match the in-process
// reference backend within the row's tolerance (errors: same code, message).
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "backend/plugin/plugin_session.h"
#include "backend/reference/reference_kernels.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/conformance/op_case.h"
#include "tests/support/status_matchers.h"
#include "tests/support/tensor_testing.h"

namespace remotek::conformance {
namespace {

using ::remotek::testing::StatusIs;
using ::testing::HasSubstr;

// The external backends under test: the SDK plugin over the reference
// kernels always; onednn when it was built, as shipped and with every case
// oneDNN can serve routed to it (the table's tensors are mostly small).
const std::vector<std::shared_ptr<const plugin::PluginLibrary>>& Plugins() {
  static const auto* plugins = [] {
    auto* v = new std::vector<std::shared_ptr<const plugin::PluginLibrary>>;
    std::vector<std::string> names = {"remotek_testing.reference"};
#ifdef REMOTEK_HAVE_ONEDNN
    names.push_back("onednn");
    names.push_back("remotek_testing.onednn_all_paths");
#endif
    for (const std::string& name : names) {
      auto lib = plugin::PluginLibrary::Load(name, {REMOTEK_BACKEND_DIR});
      if (!lib.ok()) {
        ADD_FAILURE() << lib.status();
        continue;
      }
      v->push_back(std::shared_ptr<const plugin::PluginLibrary>(*std::move(lib)));
    }
    return v;
  }();
  return *plugins;
}

const Backend& Reference() {
  static const Backend* reference = CreateReferenceBackend().release();
  return *reference;
}

TEST(PluginConformance, TheExpectedBackendsLoaded) {
#ifdef REMOTEK_HAVE_ONEDNN
  EXPECT_EQ(Plugins().size(), 3u);
#else
  EXPECT_EQ(Plugins().size(), 1u);
#endif
}

class PluginConformance : public ::testing::TestWithParam<int> {};

TEST_P(PluginConformance, EveryExternalBackendMatchesReference) {
  const int row = GetParam();
  const OpCase& c = AllCases()[row];
  for (const auto& library : Plugins()) {
    auto session = plugin::PluginSession::Create(library, c.config,
                                                 std::make_shared<MemoryAccount>("conformance"));
    ASSERT_TRUE(session.ok()) << session.status();
    for (DType dtype : DTypesFor(c)) {
      const std::string where = absl::StrCat(Describe(c, dtype), " on ", library->name());
      const std::vector<Tensor> inputs = InputsFor(c, row, dtype);
      std::vector<EagerArg> args(inputs.begin(), inputs.end());
      absl::StatusOr<Tensor> got =
          (*session)->RunEager(c.op, args, c.attrs, std::nullopt, nullptr);
      if (!c.expect_error.empty()) {
        EXPECT_THAT(got.status(),
                    StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.expect_error)))
            << where;
        continue;
      }
      absl::StatusOr<Tensor> want =
          ::remotek::testing::Run(Reference(), c.op, inputs, c.attrs, c.config);
      ASSERT_TRUE(want.ok()) << where << ": reference: " << want.status();
      ASSERT_TRUE(got.ok()) << where << ": " << got.status();
      const bool exact = library->name() == "remotek_testing.reference" || c.tol == Tol::kExact;
      EXPECT_EQ(CompareTensors(*want, *got, ToleranceFor(c.tol, want->dtype()), exact), "")
          << where;
    }
  }
}

std::string RowName(const ::testing::TestParamInfo<int>& info) {
  const OpCase& c = AllCases()[info.param];
  return absl::StrCat(c.op, "_", c.ordinal);
}

INSTANTIATE_TEST_SUITE_P(AllOps, PluginConformance,
                         ::testing::Range(0, static_cast<int>(AllCases().size())), RowName);

}  // namespace
}  // namespace remotek::conformance
