#include "backend/core/attrs.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace remotek {

absl::Status AttrReader::WrongType(const std::string& name, const char* want) const {
  return absl::InvalidArgumentError(absl::StrCat(
      op_, ": ", name, " must be ", want, ", got ",
      AttrValueToString(attrs_.at(name))));
}

absl::StatusOr<std::optional<int64_t>> AttrReader::OptionalInt(
    const std::string& name) const {
  auto it = attrs_.find(name);
  if (it == attrs_.end()) return std::optional<int64_t>();
  if (const int64_t* v = std::get_if<int64_t>(&it->second)) return *v;
  return WrongType(name, "an int");
}

absl::StatusOr<int64_t> AttrReader::Int(const std::string& name, int64_t dflt) const {
  auto v = OptionalInt(name);
  if (!v.ok()) return v.status();
  return v->value_or(dflt);
}

absl::StatusOr<int64_t> AttrReader::RequiredInt(const std::string& name) const {
  auto v = OptionalInt(name);
  if (!v.ok()) return v.status();
  if (!v->has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat(op_, ": attribute ", name, " is required"));
  }
  return **v;
}

absl::StatusOr<std::optional<double>> AttrReader::OptionalFloat(
    const std::string& name) const {
  auto it = attrs_.find(name);
  if (it == attrs_.end()) return std::optional<double>();
  if (const double* v = std::get_if<double>(&it->second)) return *v;
  if (const int64_t* v = std::get_if<int64_t>(&it->second))
    return static_cast<double>(*v);
  return WrongType(name, "a number");
}

absl::StatusOr<double> AttrReader::Float(const std::string& name, double dflt) const {
  auto v = OptionalFloat(name);
  if (!v.ok()) return v.status();
  return v->value_or(dflt);
}

absl::StatusOr<bool> AttrReader::Bool(const std::string& name, bool dflt) const {
  auto it = attrs_.find(name);
  if (it == attrs_.end()) return dflt;
  if (const bool* v = std::get_if<bool>(&it->second)) return *v;
  return WrongType(name, "a bool");
}

absl::StatusOr<std::string> AttrReader::String(const std::string& name,
                                               const std::string& dflt) const {
  auto it = attrs_.find(name);
  if (it == attrs_.end()) return dflt;
  if (const std::string* v = std::get_if<std::string>(&it->second)) return *v;
  return WrongType(name, "a string");
}

absl::StatusOr<std::optional<std::vector<int64_t>>> AttrReader::OptionalInts(
    const std::string& name) const {
  auto it = attrs_.find(name);
  if (it == attrs_.end()) return std::optional<std::vector<int64_t>>();
  if (const auto* v = std::get_if<std::vector<int64_t>>(&it->second)) return *v;
  if (const int64_t* v = std::get_if<int64_t>(&it->second))
    return std::vector<int64_t>{*v};
  return WrongType(name, "an int or a list of ints");
}

absl::StatusOr<std::vector<int64_t>> AttrReader::RequiredInts(
    const std::string& name) const {
  auto v = OptionalInts(name);
  if (!v.ok()) return v.status();
  if (!v->has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat(op_, ": attribute ", name, " is required"));
  }
  return **v;
}

absl::Status AttrReader::OnlyKnown(std::initializer_list<const char*> known) const {
  std::vector<std::string> unknown;
  for (const auto& [name, value] : attrs_) {
    // Init-capture, not [&]: clang < 16 cannot capture a structured binding.
    if (std::none_of(known.begin(), known.end(),
                     [&n = name](const char* k) { return n == k; })) {
      unknown.push_back(name);
    }
  }
  if (unknown.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(op_, ": unknown attribute(s) ", absl::StrJoin(unknown, ", "),
                   known.size() == 0 ? " (takes none)"
                                     : absl::StrCat(" (known: ",
                                                    absl::StrJoin(known, ", "), ")")));
}

std::string AttrValueToString(const AttrValue& value) {
  struct Printer {
    std::string operator()(int64_t v) const { return absl::StrCat(v); }
    std::string operator()(double v) const { return absl::StrCat(v); }
    std::string operator()(bool v) const { return v ? "True" : "False"; }
    std::string operator()(const std::string& v) const {
      return absl::StrCat("\"", v, "\"");
    }
    std::string operator()(const std::vector<int64_t>& v) const {
      return absl::StrCat("[", absl::StrJoin(v, ", "), "]");
    }
    std::string operator()(const std::vector<double>& v) const {
      return absl::StrCat("[", absl::StrJoin(v, ", "), "]");
    }
  };
  return std::visit(Printer{}, value);
}

}  // namespace remotek
