// JSON string quoting shared by the server's structured log lines and the
// command-line tools (the CLI's --json output and remotek-load's reports).
#ifndef REMOTEK_COMMON_JSON_QUOTE_H_
#define REMOTEK_COMMON_JSON_QUOTE_H_

#include <string>

#include "absl/strings/string_view.h"

namespace remotek {

// `value` as a JSON string literal: quotes, backslashes and control
// characters escaped; other bytes (UTF-8 included) passed through.
std::string JsonQuote(absl::string_view value);

}  // namespace remotek

#endif  // REMOTEK_COMMON_JSON_QUOTE_H_
