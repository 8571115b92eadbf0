// The CLI's flag parser: see arg_parser.h for the accepted forms.
#include "tools/cli/arg_parser.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace remotek::cli {
namespace {

const FlagSpec* FindLong(const std::vector<FlagSpec>& specs,
                         absl::string_view name) {
  for (const FlagSpec& spec : specs) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

const FlagSpec* FindShort(const std::vector<FlagSpec>& specs, char name) {
  for (const FlagSpec& spec : specs) {
    if (spec.short_name != 0 && spec.short_name == name) return &spec;
  }
  return nullptr;
}

std::string Spelling(const FlagSpec& spec) {
  return absl::StrCat("--", spec.name);
}

}  // namespace

bool ParsedArgs::Has(absl::string_view name) const {
  return flags_.find(name) != flags_.end();
}

std::optional<std::string> ParsedArgs::Value(absl::string_view name) const {
  auto it = flags_.find(name);
  if (it == flags_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::vector<std::string> ParsedArgs::Values(absl::string_view name) const {
  auto it = flags_.find(name);
  return it == flags_.end() ? std::vector<std::string>() : it->second;
}

absl::StatusOr<ParsedArgs> ParseArgs(const std::vector<std::string>& args,
                                     const std::vector<FlagSpec>& specs,
                                     absl::string_view command,
                                     bool stop_at_first_positional) {
  ParsedArgs parsed;
  bool flags_ended = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    const bool looks_like_flag = arg.size() > 1 && arg[0] == '-';
    if (flags_ended || !looks_like_flag) {
      if (stop_at_first_positional) {
        parsed.rest_.assign(args.begin() + i, args.end());
        break;
      }
      parsed.positionals_.push_back(arg);
      continue;
    }
    if (arg == "--") {
      flags_ended = true;
      continue;
    }
    const FlagSpec* spec = nullptr;
    std::optional<std::string> inline_value;
    if (arg[1] == '-') {
      absl::string_view body = absl::string_view(arg).substr(2);
      const size_t eq = body.find('=');
      if (eq != absl::string_view::npos) {
        inline_value = std::string(body.substr(eq + 1));
        body = body.substr(0, eq);
      }
      spec = FindLong(specs, body);
    } else if (arg.size() == 2) {
      spec = FindShort(specs, arg[1]);
    }
    if (spec == nullptr) {
      const absl::string_view shown =
          absl::string_view(arg).substr(0, arg.find('='));
      return absl::InvalidArgumentError(
          absl::StrCat("unknown flag '", shown, "' for '", command, "'"));
    }
    std::string value;
    if (!spec->takes_value) {
      if (inline_value.has_value()) {
        return absl::InvalidArgumentError(
            absl::StrCat("flag '", Spelling(*spec), "' takes no value (got '",
                         *inline_value, "')"));
      }
    } else if (inline_value.has_value()) {
      value = *inline_value;
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "flag '", Spelling(*spec), "' needs a value (",
          spec->value_name.empty() ? "VALUE" : spec->value_name, ")"));
    }
    std::vector<std::string>& values = parsed.flags_[spec->name];
    if (spec->takes_value && !spec->repeated && !values.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("flag '", Spelling(*spec), "' given more than once ('",
                       values[0], "' and '", value, "')"));
    }
    values.push_back(std::move(value));
  }
  return parsed;
}

std::string FormatFlagHelp(const std::vector<FlagSpec>& specs) {
  std::vector<std::string> left;
  size_t width = 0;
  for (const FlagSpec& spec : specs) {
    std::string s = spec.short_name != 0
                        ? absl::StrCat("  -", std::string(1, spec.short_name),
                                       ", --", spec.name)
                        : absl::StrCat("      --", spec.name);
    if (spec.takes_value) absl::StrAppend(&s, " ", spec.value_name);
    width = std::max(width, s.size());
    left.push_back(std::move(s));
  }
  std::string out;
  for (size_t i = 0; i < specs.size(); ++i) {
    absl::StrAppend(&out, left[i], std::string(width - left[i].size() + 3, ' '),
                    specs[i].help, specs[i].repeated ? " (repeatable)" : "",
                    "\n");
  }
  return out;
}

}  // namespace remotek::cli
