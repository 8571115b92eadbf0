// The server's effective Keras config: defaults, then keras.json, then the
// KERAS_BACKEND environment variable (backend only), then command-line flags,
// each later source overriding the earlier, with the source of every value
// remembered for the start-up log and GetServerInfo.
#ifndef REMOTEK_SERVER_KERAS_CONFIG_H_
#define REMOTEK_SERVER_KERAS_CONFIG_H_

#include <map>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "backend/core/op_config.h"

namespace remotek::server {

struct KerasConfig {
  OpConfig op;                    // floatx, epsilon, image_data_format
  std::string backend = "eigen";
  std::string file;               // the keras.json read, or "" when none
  // "floatx" / "epsilon" / "image_data_format" / "backend" -> "default" |
  // "file" | "env" | "flag".
  std::map<std::string, std::string> sources;
};

// Values given on the command line; unset fields were not given.
struct KerasConfigFlags {
  std::optional<std::string> config_path;
  std::optional<std::string> floatx;
  std::optional<std::string> epsilon;
  std::optional<std::string> image_data_format;
  std::optional<std::string> backend;
};

// Where the environment points (injectable for tests).
struct KerasConfigEnv {
  std::optional<std::string> keras_home;     // $KERAS_HOME
  std::optional<std::string> home;           // $HOME
  std::optional<std::string> keras_backend;  // $KERAS_BACKEND
  static KerasConfigEnv FromProcess();
};

// Resolves the effective config. The file is --config, else
// $KERAS_HOME/keras.json, else $HOME/.keras/keras.json; a missing file in the
// last two places means defaults, a missing --config file is an error.
// INVALID_ARGUMENT naming the file (or flag/env), the field and the value for a
// malformed file, an unknown field, a wrong type or a bad value — never a
// silent fallback.
absl::StatusOr<KerasConfig> ResolveKerasConfig(const KerasConfigFlags& flags,
                                               const KerasConfigEnv& env);

// Validates one value as it would come from any source; `where` prefixes errors.
absl::StatusOr<DType> ParseFloatx(const std::string& value, const std::string& where);
absl::StatusOr<double> ParseEpsilon(const std::string& value, const std::string& where);

// "floatx=float32 (default), epsilon=1e-07 (file), ..."
std::string DescribeKerasConfig(const KerasConfig& config);

}  // namespace remotek::server

#endif  // REMOTEK_SERVER_KERAS_CONFIG_H_
