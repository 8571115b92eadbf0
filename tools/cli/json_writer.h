// A minimal streaming JSON writer for the CLI's --json output (objects,
// arrays, strings, numbers, bools), so that scripts can parse what we print
// without a JSON library here.
//
//   JsonWriter json;
//   json.BeginObject();
//   json.Key("version").String("0.1.0");
//   json.Key("backends").BeginArray().String("eigen").EndArray();
//   json.EndObject();
//   std::cout << json.str() << "\n";
//
// Non-finite doubles are written as the strings "NaN", "Infinity",
// "-Infinity" (JSON has no literal for them).
//
// Thread-safety: none.
#ifndef REMOTEK_TOOLS_CLI_JSON_WRITER_H_
#define REMOTEK_TOOLS_CLI_JSON_WRITER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace remotek::cli {

class JsonWriter {
 public:
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  // REQUIRES: inside an object, before the member's value.
  JsonWriter& Key(absl::string_view key);
  JsonWriter& String(absl::string_view value);
  JsonWriter& Int(int64_t value);
  JsonWriter& Double(double value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  // A value already formatted as JSON (a number from FormatNumber).
  JsonWriter& Raw(absl::string_view json);

  const std::string& str() const { return out_; }

  // `value` as a JSON string literal, quotes included.
  static std::string Quote(absl::string_view value);

 private:
  // Writes the comma that separates this value from the previous one.
  void BeforeValue();

  std::string out_;
  // One entry per open container: whether it already has a member.
  std::vector<bool> has_member_;
  bool after_key_ = false;
};

}  // namespace remotek::cli

#endif  // REMOTEK_TOOLS_CLI_JSON_WRITER_H_
