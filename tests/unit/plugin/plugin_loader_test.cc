// PluginLibrary: name resolution on the search path and every refusal, each
// asserted with its exact message.
#include "backend/plugin/plugin_library.h"

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace remotek::plugin {
namespace {

using ::remotek::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::StartsWith;

const std::string kDir = REMOTEK_BACKEND_DIR;

std::string BrokenPath(const std::string& module) {
  return absl::StrCat(kDir, "/broken/lib", module, ".so");
}

TEST(PluginLibrary, LoadsAValidLibraryFromTheSearchPath) {
  auto lib = PluginLibrary::Load("remotek_testing.reference", {"/nonexistent", kDir});
  ASSERT_TRUE(lib.ok()) << lib.status();
  EXPECT_EQ((*lib)->name(), "remotek_testing.reference");
  EXPECT_EQ((*lib)->path(), kDir + "/remotek_testing/libreference.so");
  EXPECT_EQ((*lib)->entries().abi_version(), REMOTEK_BACKEND_ABI_VERSION);
  // The SDK provides the optional entries too.
  EXPECT_NE((*lib)->entries().graph, nullptr);
  EXPECT_NE((*lib)->entries().describe, nullptr);
  EXPECT_NE((*lib)->entries().ops, nullptr);
  EXPECT_NE((*lib)->entries().stats, nullptr);
}

TEST(PluginLibrary, EachMissingRequiredEntryIsNamed) {
  ASSERT_EQ(RequiredEntryNames().size(), 14u);
  for (const std::string& entry : RequiredEntryNames()) {
    SCOPED_TRACE(entry);
    const std::string name = "broken.no_" + entry;
    auto lib = PluginLibrary::Load(name, {kDir});
    EXPECT_THAT(lib.status(),
                StatusIs(absl::StatusCode::kFailedPrecondition,
                         absl::StrCat("backend \"", name, "\" (", BrokenPath("no_" + entry),
                                      ") is invalid: missing required entries: ", entry)));
  }
}

TEST(PluginLibrary, EveryMissingEntryInOneSortedMessage) {
  auto lib = PluginLibrary::Load("broken.no_function_placeholder", {kDir});
  EXPECT_THAT(lib.status(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       absl::StrCat("backend \"broken.no_function_placeholder\" (",
                                    BrokenPath("no_function_placeholder"),
                                    ") is invalid: missing required entries: function, "
                                    "placeholder")));
}

TEST(PluginLibrary, WrongAbiVersionIsRefused) {
  auto lib = PluginLibrary::Load("broken.abi_version_2", {kDir});
  EXPECT_THAT(lib.status(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       absl::StrCat("backend \"broken.abi_version_2\" (",
                                    BrokenPath("abi_version_2"),
                                    ") is invalid: it was built for backend ABI version 2 and "
                                    "this server speaks version 1")));
}

TEST(PluginLibrary, AFileThatIsNotALibraryIsRefused) {
  auto lib = PluginLibrary::Load("broken.not_elf", {kDir});
  EXPECT_THAT(lib.status(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       StartsWith(absl::StrCat("backend \"broken.not_elf\" (",
                                               BrokenPath("not_elf"), ") could not be loaded: "))));
}

TEST(PluginLibrary, AnUnresolvableNameNamesTheDirectoriesSearched) {
  auto lib = PluginLibrary::Load("my_package.my_module", {"/opt/a", "/opt/b/"});
  EXPECT_THAT(lib.status(),
              StatusIs(absl::StatusCode::kNotFound,
                       "backend \"my_package.my_module\" not found: no my_package/libmy_module.so "
                       "in /opt/a, /opt/b/ (directories come from --backend_path and "
                       "REMOTEK_BACKEND_PATH)"));
  EXPECT_THAT(PluginLibrary::Load("a.b", {}).status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("in (an empty search path)")));
}

TEST(PluginLibrary, NamesThatCouldEscapeTheSearchPathAreRefused) {
  for (const std::string name : {"../evil", "a..b", "a./b", ".a", "a.", "a.b-c", "a.1b", ""}) {
    SCOPED_TRACE(name);
    EXPECT_THAT(PluginLibrary::Load(name, {kDir}).status(),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         absl::StrCat("backend \"", name,
                                      "\" is not a valid backend name: expected dot-separated "
                                      "identifiers such as \"my_package.my_module\"")));
  }
}

TEST(PluginLibrary, NameResolution) {
  EXPECT_EQ(LibraryFileFor("my_package.my_module").value(), "my_package/libmy_module.so");
  EXPECT_EQ(LibraryFileFor("a.b.c").value(), "a/b/libc.so");
  EXPECT_EQ(LibraryFileFor("solo").value(), "libsolo.so");
  EXPECT_TRUE(IsExternalBackendName("a.b"));
  EXPECT_FALSE(IsExternalBackendName("eigen"));
  EXPECT_EQ(SplitSearchPath("/a::/b:"), (std::vector<std::string>{"/a", "/b"}));
}

}  // namespace
}  // namespace remotek::plugin
