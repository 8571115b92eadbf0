// Op attributes from the command line (`--attr keepdims=true`,
// `--axes 1,2`) as client AttrValues. The server accepts an int where a
// float or an int list is asked for, so each text maps to the narrowest type:
//   "true" / "false" (or True / False)  -> bool
//   "3", "-1"                           -> int
//   "0.5", "1e-3", "nan"                -> float
//   "1,2", "[1, 2]", "(1,2)"            -> int list
//   "0.5,1", "[0.5, 2.5]"               -> float list
//   anything else ("float32")           -> string
// Errors are INVALID_ARGUMENT naming the flag, attr and value.
//
// Thread-safety: free functions without shared state.
#ifndef REMOTEK_TOOLS_CLI_ATTR_PARSER_H_
#define REMOTEK_TOOLS_CLI_ATTR_PARSER_H_

#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "remotek/graph.h"

namespace remotek::cli {

// `text` (the part after '=') as an attribute value. `name` names the attr
// in errors.
absl::StatusOr<client::AttrValue> ParseAttrValue(absl::string_view name,
                                                 absl::string_view text);

// "NAME=VALUE" as a pair.
absl::StatusOr<std::pair<std::string, client::AttrValue>> ParseAttrAssignment(
    absl::string_view text);

// --axes: an int or a comma-separated int list ("1,2").
absl::StatusOr<client::AttrValue> ParseAxes(absl::string_view text);

}  // namespace remotek::cli

#endif  // REMOTEK_TOOLS_CLI_ATTR_PARSER_H_
