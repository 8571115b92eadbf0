// A small command-line parser for the `remotek` CLI's nested subcommands.
//
// absl flags are process-global, which makes per-subcommand flag sets and
// per-level --help awkward; this parser takes the flag set as an argument.
//
// Accepted forms: `--name value`, `--name=value`, `-x value` (flags with a
// one-letter short name), boolean flags as `--name`, and `--` to end flag
// parsing. Every error is INVALID_ARGUMENT with a message naming the flag or
// argument (the CLI maps it to its usage exit code).
//
//   std::vector<FlagSpec> specs = {{.name = "json", .help = "JSON output"}};
//   absl::StatusOr<ParsedArgs> args = ParseArgs(argv, specs, "remotek info");
//
// Thread-safety: value types and free functions.
#ifndef REMOTEK_TOOLS_CLI_ARG_PARSER_H_
#define REMOTEK_TOOLS_CLI_ARG_PARSER_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace remotek::cli {

struct FlagSpec {
  std::string name;          // long name without dashes: "address"
  char short_name = 0;       // 'o' for -o; 0 for none
  bool takes_value = false;  // false: a boolean switch
  bool repeated = false;     // may be given more than once
  std::string value_name;    // shown in help: "HOST:PORT"
  std::string help;
};

class ParsedArgs {
 public:
  bool Has(absl::string_view name) const;
  // The value of a flag given once; nullopt when absent.
  std::optional<std::string> Value(absl::string_view name) const;
  // Every value of a repeated flag, in command-line order.
  std::vector<std::string> Values(absl::string_view name) const;
  const std::vector<std::string>& positionals() const { return positionals_; }
  // Arguments after the first positional when parsing stopped there
  // (ParseOptions::stop_at_first_positional), the positional included.
  const std::vector<std::string>& rest() const { return rest_; }

 private:
  friend absl::StatusOr<ParsedArgs> ParseArgs(
      const std::vector<std::string>& args, const std::vector<FlagSpec>& specs,
      absl::string_view command, bool stop_at_first_positional);
  std::map<std::string, std::vector<std::string>, std::less<>> flags_;
  std::vector<std::string> positionals_;
  std::vector<std::string> rest_;
};

// Parses `args` (without the program name) against `specs`. `command` names
// the level in error messages ("remotek eval"). With
// `stop_at_first_positional`, parsing ends at the first positional argument,
// which with everything after it lands in rest() — how the top level hands
// the remaining arguments to a subcommand.
absl::StatusOr<ParsedArgs> ParseArgs(const std::vector<std::string>& args,
                                     const std::vector<FlagSpec>& specs,
                                     absl::string_view command,
                                     bool stop_at_first_positional = false);

// Help lines for `specs`, one flag per line, aligned:
//   "  -o, --output FILE   write the result to FILE"
std::string FormatFlagHelp(const std::vector<FlagSpec>& specs);

}  // namespace remotek::cli

#endif  // REMOTEK_TOOLS_CLI_ARG_PARSER_H_
