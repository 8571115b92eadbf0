// Attr text -> AttrValue, as described in attr_parser.h.
#include "tools/cli/attr_parser.h"

#include <charconv>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace remotek::cli {
namespace {

std::optional<int64_t> ParseInt(absl::string_view text) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return value;
}

std::optional<double> ParseFloat(absl::string_view text) {
  double value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return value;
}

// Strips one pair of surrounding [] or () so Python-style lists work too.
absl::string_view StripBrackets(absl::string_view text) {
  if (text.size() >= 2 && ((text.front() == '[' && text.back() == ']') ||
                           (text.front() == '(' && text.back() == ')'))) {
    return absl::StripAsciiWhitespace(text.substr(1, text.size() - 2));
  }
  return text;
}

absl::StatusOr<client::AttrValue> ParseList(absl::string_view name,
                                            absl::string_view text) {
  std::vector<int64_t> ints;
  std::vector<double> floats;
  bool all_ints = true;
  std::vector<absl::string_view> items = absl::StrSplit(text, ',');
  // One trailing comma is allowed, as in Python's (1,).
  if (items.size() > 1 && absl::StripAsciiWhitespace(items.back()).empty()) {
    items.pop_back();
  }
  for (absl::string_view raw : items) {
    const absl::string_view item = absl::StripAsciiWhitespace(raw);
    const std::optional<double> f = ParseFloat(item);
    if (!f.has_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat("attr '", name, "': list element '", item, "' of '",
                       text, "' is not a number"));
    }
    const std::optional<int64_t> i = ParseInt(item);
    if (!i.has_value()) all_ints = false;
    ints.push_back(i.value_or(0));
    floats.push_back(*f);
  }
  if (all_ints) return client::AttrValue(std::move(ints));
  return client::AttrValue(std::move(floats));
}

}  // namespace

absl::StatusOr<client::AttrValue> ParseAttrValue(absl::string_view name,
                                                 absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  if (text.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("attr '", name, "' has an empty value"));
  }
  if (text == "true" || text == "True") return client::AttrValue(true);
  if (text == "false" || text == "False") return client::AttrValue(false);
  const absl::string_view inner = StripBrackets(text);
  if (inner.size() != text.size() ||
      inner.find(',') != absl::string_view::npos) {
    if (inner.empty()) return client::AttrValue(std::vector<int64_t>());
    return ParseList(name, inner);
  }
  if (std::optional<int64_t> i = ParseInt(text)) return client::AttrValue(*i);
  if (std::optional<double> f = ParseFloat(text)) return client::AttrValue(*f);
  return client::AttrValue(std::string(text));
}

absl::StatusOr<std::pair<std::string, client::AttrValue>> ParseAttrAssignment(
    absl::string_view text) {
  const size_t eq = text.find('=');
  if (eq == absl::string_view::npos || eq == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--attr '", text, "' must look like NAME=VALUE (e.g. keepdims=true)"));
  }
  const std::string name(absl::StripAsciiWhitespace(text.substr(0, eq)));
  absl::StatusOr<client::AttrValue> value =
      ParseAttrValue(name, text.substr(eq + 1));
  if (!value.ok()) return value.status();
  return std::make_pair(name, *std::move(value));
}

absl::StatusOr<client::AttrValue> ParseAxes(absl::string_view text) {
  absl::StatusOr<client::AttrValue> value = ParseAttrValue("axes", text);
  const bool is_int =
      value.ok() &&
      (std::holds_alternative<int64_t>(value->value()) ||
       std::holds_alternative<std::vector<int64_t>>(value->value()));
  if (!is_int) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--axes '", text, "' must be an integer or integers like 1,2"));
  }
  return value;
}

}  // namespace remotek::cli
