#include "server/keras_config.h"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "backend/core/status_macros.h"
#include "google/protobuf/util/json_util.h"
#include "remotek/v1/keras_config.pb.h"
#include "server/session_manager.h"

namespace remotek::server {
namespace {

std::optional<std::string> GetEnv(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

absl::Status ApplyImageDataFormat(const std::string& value, const std::string& where,
                                  KerasConfig* config) {
  REMOTEK_ASSIGN_OR_RETURN(config->op.image_data_format,
                           ParseImageDataFormat(value, absl::StrCat(where, "image_data_format")));
  return absl::OkStatus();
}

absl::Status ApplyBackend(const std::string& value, const std::string& where) {
  if (value.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(where, "backend=\"\" must name a backend"));
  }
  return absl::OkStatus();
}

// Reads and applies the file at `path`. `must_exist`: an explicit --config.
absl::Status ApplyFile(const std::string& path, bool must_exist, KerasConfig* config) {
  std::ifstream in(path);
  if (!in) {
    if (must_exist) {
      return absl::InvalidArgumentError(absl::StrCat("config file ", path, " cannot be read"));
    }
    return absl::OkStatus();
  }
  std::stringstream text;
  text << in.rdbuf();
  v1::KerasConfigFile file;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto parsed = google::protobuf::util::JsonStringToMessage(text.str(), &file, options);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("config file ", path, " is not a valid keras.json: ",
                     std::string(parsed.message())));
  }
  config->file = path;
  const std::string where = absl::StrCat("config file ", path, ": ");
  if (file.has_floatx()) {
    REMOTEK_ASSIGN_OR_RETURN(config->op.floatx, ParseFloatx(file.floatx(), where));
    config->sources["floatx"] = "file";
  }
  if (file.has_epsilon()) {
    if (!(file.epsilon() > 0) || !std::isfinite(file.epsilon())) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, "epsilon=", file.epsilon(), " must be a finite number > 0"));
    }
    config->op.epsilon = file.epsilon();
    config->sources["epsilon"] = "file";
  }
  if (file.has_image_data_format()) {
    REMOTEK_RETURN_IF_ERROR(ApplyImageDataFormat(file.image_data_format(), where, config));
    config->sources["image_data_format"] = "file";
  }
  if (file.has_backend()) {
    REMOTEK_RETURN_IF_ERROR(ApplyBackend(file.backend(), where));
    config->backend = file.backend();
    config->sources["backend"] = "file";
  }
  return absl::OkStatus();
}

}  // namespace

KerasConfigEnv KerasConfigEnv::FromProcess() {
  return {GetEnv("KERAS_HOME"), GetEnv("HOME"), GetEnv("KERAS_BACKEND")};
}

absl::StatusOr<DType> ParseFloatx(const std::string& value, const std::string& where) {
  if (value == "float16") return DType::kFloat16;
  if (value == "float32") return DType::kFloat32;
  if (value == "float64") return DType::kFloat64;
  return absl::InvalidArgumentError(absl::StrCat(
      where, "floatx=\"", value, "\" must be \"float16\", \"float32\" or \"float64\""));
}

absl::StatusOr<double> ParseEpsilon(const std::string& value, const std::string& where) {
  double eps;
  if (!absl::SimpleAtod(value, &eps) || !(eps > 0) || !std::isfinite(eps)) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, "epsilon=\"", value, "\" must be a finite number > 0"));
  }
  return eps;
}

absl::StatusOr<KerasConfig> ResolveKerasConfig(const KerasConfigFlags& flags,
                                               const KerasConfigEnv& env) {
  KerasConfig config;
  for (const char* key : {"floatx", "epsilon", "image_data_format", "backend"}) {
    config.sources[key] = "default";
  }
  if (flags.config_path.has_value()) {
    REMOTEK_RETURN_IF_ERROR(ApplyFile(*flags.config_path, true, &config));
  } else if (env.keras_home.has_value()) {
    REMOTEK_RETURN_IF_ERROR(ApplyFile(absl::StrCat(*env.keras_home, "/keras.json"), false, &config));
  } else if (env.home.has_value()) {
    REMOTEK_RETURN_IF_ERROR(
        ApplyFile(absl::StrCat(*env.home, "/.keras/keras.json"), false, &config));
  }
  if (env.keras_backend.has_value()) {
    REMOTEK_RETURN_IF_ERROR(ApplyBackend(*env.keras_backend, "environment KERAS_BACKEND: "));
    config.backend = *env.keras_backend;
    config.sources["backend"] = "env";
  }
  const std::string flag = "flag --";
  if (flags.floatx.has_value()) {
    REMOTEK_ASSIGN_OR_RETURN(config.op.floatx, ParseFloatx(*flags.floatx, flag));
    config.sources["floatx"] = "flag";
  }
  if (flags.epsilon.has_value()) {
    REMOTEK_ASSIGN_OR_RETURN(config.op.epsilon, ParseEpsilon(*flags.epsilon, flag));
    config.sources["epsilon"] = "flag";
  }
  if (flags.image_data_format.has_value()) {
    REMOTEK_RETURN_IF_ERROR(ApplyImageDataFormat(*flags.image_data_format, flag, &config));
    config.sources["image_data_format"] = "flag";
  }
  if (flags.backend.has_value()) {
    REMOTEK_RETURN_IF_ERROR(ApplyBackend(*flags.backend, flag));
    config.backend = *flags.backend;
    config.sources["backend"] = "flag";
  }
  return config;
}

std::string DescribeKerasConfig(const KerasConfig& c) {
  return absl::StrCat(
      "floatx=", DTypeName(c.op.floatx), " (", c.sources.at("floatx"), ") epsilon=",
      c.op.epsilon, " (", c.sources.at("epsilon"), ") image_data_format=",
      ImageDataFormatName(c.op.image_data_format), " (", c.sources.at("image_data_format"),
      ") backend=", c.backend, " (", c.sources.at("backend"), ")",
      c.file.empty() ? "" : absl::StrCat(" file=", c.file));
}

}  // namespace remotek::server
