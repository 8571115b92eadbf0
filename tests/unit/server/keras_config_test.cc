#include "server/keras_config.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace remotek::server {
namespace {

using ::remotek::testing::StatusIs;
using ::testing::HasSubstr;

class KerasConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/remotek_config_XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override {
    std::remove((dir_ + "/keras.json").c_str());
    std::remove((dir_ + "/.keras/keras.json").c_str());
    rmdir((dir_ + "/.keras").c_str());
    rmdir(dir_.c_str());
  }
  std::string Write(const std::string& text, const std::string& rel = "keras.json") {
    const std::string path = dir_ + "/" + rel;
    std::ofstream(path) << text;
    return path;
  }
  std::string dir_;
};

TEST_F(KerasConfigTest, DefaultsWhenNoFile) {
  KerasConfigEnv env;
  env.home = dir_;  // no ~/.keras/keras.json there
  ASSERT_OK_AND_ASSIGN(KerasConfig c, ResolveKerasConfig({}, env));
  EXPECT_EQ(c.op.floatx, DType::kFloat32);
  EXPECT_DOUBLE_EQ(c.op.epsilon, 1e-7);
  EXPECT_EQ(c.op.image_data_format, ImageDataFormat::kChannelsLast);
  EXPECT_EQ(c.backend, "eigen");
  for (const char* key : {"floatx", "epsilon", "image_data_format", "backend"}) {
    EXPECT_EQ(c.sources.at(key), "default") << key;
  }
  EXPECT_EQ(c.file, "");
}

TEST_F(KerasConfigTest, FileThenEnvThenFlag) {
  const std::string path = Write(
      R"({"floatx": "float64", "epsilon": 1e-05, "image_data_format": "channels_first",
          "backend": "reference"})");
  KerasConfigEnv env;
  env.keras_home = dir_;
  ASSERT_OK_AND_ASSIGN(KerasConfig from_file, ResolveKerasConfig({}, env));
  EXPECT_EQ(from_file.op.floatx, DType::kFloat64);
  EXPECT_DOUBLE_EQ(from_file.op.epsilon, 1e-5);
  EXPECT_EQ(from_file.op.image_data_format, ImageDataFormat::kChannelsFirst);
  EXPECT_EQ(from_file.backend, "reference");
  EXPECT_EQ(from_file.sources.at("backend"), "file");
  EXPECT_EQ(from_file.file, path);

  env.keras_backend = "eigen";
  ASSERT_OK_AND_ASSIGN(KerasConfig from_env, ResolveKerasConfig({}, env));
  EXPECT_EQ(from_env.backend, "eigen");
  EXPECT_EQ(from_env.sources.at("backend"), "env");
  EXPECT_EQ(from_env.sources.at("floatx"), "file");

  KerasConfigFlags flags;
  flags.backend = "reference";
  flags.floatx = "float16";
  flags.epsilon = "0.001";
  flags.image_data_format = "channels_last";
  ASSERT_OK_AND_ASSIGN(KerasConfig from_flag, ResolveKerasConfig(flags, env));
  EXPECT_EQ(from_flag.backend, "reference");
  EXPECT_EQ(from_flag.op.floatx, DType::kFloat16);
  EXPECT_DOUBLE_EQ(from_flag.op.epsilon, 1e-3);
  for (const char* key : {"floatx", "epsilon", "image_data_format", "backend"}) {
    EXPECT_EQ(from_flag.sources.at(key), "flag") << key;
  }
  EXPECT_EQ(DescribeKerasConfig(from_flag),
            "floatx=float16 (flag) epsilon=0.001 (flag) image_data_format=channels_last (flag) "
            "backend=reference (flag) file=" + path);
}

TEST_F(KerasConfigTest, LookupOrderConfigFlagThenKerasHomeThenHome) {
  mkdir((dir_ + "/.keras").c_str(), 0700);
  Write(R"({"floatx": "float16"})", ".keras/keras.json");
  KerasConfigEnv env;
  env.home = dir_;
  ASSERT_OK_AND_ASSIGN(KerasConfig home, ResolveKerasConfig({}, env));
  EXPECT_EQ(home.op.floatx, DType::kFloat16);
  EXPECT_EQ(home.file, dir_ + "/.keras/keras.json");
  const std::string explicit_path = Write(R"({"floatx": "float64"})");
  KerasConfigFlags flags;
  flags.config_path = explicit_path;
  ASSERT_OK_AND_ASSIGN(KerasConfig chosen, ResolveKerasConfig(flags, env));
  EXPECT_EQ(chosen.op.floatx, DType::kFloat64);
  // Only the fields present in the file change; the others stay default.
  EXPECT_EQ(chosen.sources.at("epsilon"), "default");
}

TEST_F(KerasConfigTest, MalformedFilesNameFileFieldAndValue) {
  KerasConfigFlags flags;
  flags.config_path = Write(R"({"floatx": "float8"})");
  EXPECT_THAT(ResolveKerasConfig(flags, {}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("config file " + *flags.config_path + ": floatx=\"float8\"")));
  Write(R"({"epsilon": -1})");
  EXPECT_THAT(ResolveKerasConfig(flags, {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("epsilon=-1 must be")));
  Write(R"({"epsilon": "small"})");
  EXPECT_THAT(ResolveKerasConfig(flags, {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("epsilon")));
  Write(R"({"image_data_format": "channels_middle"})");
  EXPECT_THAT(ResolveKerasConfig(flags, {}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("image_data_format=\"channels_middle\"")));
  Write(R"({"floatx": 32})");
  EXPECT_THAT(ResolveKerasConfig(flags, {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("floatx")));
  Write(R"({"flotx": "float32"})");
  EXPECT_THAT(ResolveKerasConfig(flags, {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("flotx")));
  Write(R"({"floatx": "float32",)");
  EXPECT_THAT(ResolveKerasConfig(flags, {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("is not a valid keras.json")));
  Write(R"({"backend": ""})");
  EXPECT_THAT(ResolveKerasConfig(flags, {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("backend=\"\"")));
  flags.config_path = dir_ + "/missing.json";
  EXPECT_THAT(ResolveKerasConfig(flags, {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("cannot be read")));
}

TEST_F(KerasConfigTest, BadFlagAndEnvValues) {
  KerasConfigFlags flags;
  flags.epsilon = "0";
  EXPECT_THAT(ResolveKerasConfig(flags, {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("flag --epsilon=\"0\"")));
  flags.epsilon.reset();
  flags.floatx = "int32";
  EXPECT_THAT(ResolveKerasConfig(flags, {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("flag --floatx=\"int32\"")));
  KerasConfigEnv env;
  env.keras_backend = "";
  EXPECT_THAT(ResolveKerasConfig({}, env),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("KERAS_BACKEND")));
}

}  // namespace
}  // namespace remotek::server
