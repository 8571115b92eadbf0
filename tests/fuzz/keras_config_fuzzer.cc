// Fuzzes the keras.json parser (protobuf JSON into v1::KerasConfigFile, then
// the field checks in server/keras_config.cc) through ResolveKerasConfig with
// --config pointing at a file holding the fuzz bytes, and the single-value
// parsers used for flags and the environment.
//
// Checks: no crash / UB / leak; an accepted config has floatx one of
// float16/32/64, a finite epsilon > 0 and a non-empty backend, and every
// value's source is one of default/file/env/flag.
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>

#include "server/keras_config.h"
#include "tests/fuzz/fuzz_inputs.h"

namespace remotek::fuzz {
namespace {

const std::string& ConfigPath() {
  static const std::string path =
      "/tmp/remotek_keras_config_fuzz_" + std::to_string(getpid()) + ".json";
  return path;
}

void CheckAccepted(const server::KerasConfig& config) {
  Require(config.op.floatx == DType::kFloat16 || config.op.floatx == DType::kFloat32 ||
              config.op.floatx == DType::kFloat64,
          "an accepted floatx is float16, float32 or float64");
  Require(std::isfinite(config.op.epsilon) && config.op.epsilon > 0,
          "an accepted epsilon is finite and > 0");
  Require(!config.backend.empty(), "an accepted backend is not empty");
  for (const auto& entry : config.sources) {
    const std::string& s = entry.second;
    Require(s == "default" || s == "file" || s == "env" || s == "flag",
            "every source is default, file, env or flag");
  }
  (void)server::DescribeKerasConfig(config);
}

}  // namespace
}  // namespace remotek::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace remotek;
  using namespace remotek::fuzz;
  if (size == 0) return 0;
  // First byte: which path; the rest is the text.
  const uint8_t mode = data[0];
  const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  if (mode % 4 == 3) {
    // Flag / environment values.
    server::KerasConfigFlags flags;
    server::KerasConfigEnv env;
    switch ((mode >> 2) % 4) {
      case 0: flags.floatx = text; break;
      case 1: flags.epsilon = text; break;
      case 2: flags.image_data_format = text; break;
      default: env.keras_backend = text; break;
    }
    absl::StatusOr<server::KerasConfig> config = server::ResolveKerasConfig(flags, env);
    if (config.ok()) CheckAccepted(*config);
    (void)server::ParseFloatx(text, "fuzz: ");
    absl::StatusOr<double> eps = server::ParseEpsilon(text, "fuzz: ");
    if (eps.ok()) Require(std::isfinite(*eps) && *eps > 0, "ParseEpsilon accepts finite > 0");
    return 0;
  }
  const std::string& path = ConfigPath();
  FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) return 0;
  std::fwrite(text.data(), 1, text.size(), file);
  std::fclose(file);
  server::KerasConfigFlags flags;
  flags.config_path = path;
  absl::StatusOr<server::KerasConfig> config =
      server::ResolveKerasConfig(flags, server::KerasConfigEnv{});
  if (config.ok()) {
    CheckAccepted(*config);
    Require(config->file == path, "an accepted config names its file");
  }
  std::remove(path.c_str());
  return 0;
}
