// Op attributes as clients send them (Keras argument names: "axis", "keepdims",
// "axes", ...). Absent means Keras's None.
#ifndef REMOTEK_BACKEND_CORE_ATTRS_H_
#define REMOTEK_BACKEND_CORE_ATTRS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"

namespace remotek {

using AttrValue = std::variant<int64_t, double, bool, std::string,
                               std::vector<int64_t>, std::vector<double>>;
// Ordered so that canonical attrs print and compare deterministically.
using AttrMap = std::map<std::string, AttrValue>;

// Typed readers. Each returns INVALID_ARGUMENT "<op>: <name> must be ..." when
// the attr is present with another type. An int is accepted where a float is
// asked for; a single int where a list of ints is asked for.
class AttrReader {
 public:
  // Keeps references: `op` and `attrs` must outlive the reader.
  AttrReader(const std::string& op, const AttrMap& attrs) : op_(op), attrs_(attrs) {}
  // A temporary name would dangle (ASan found one in a test).
  AttrReader(std::string&& op, const AttrMap& attrs) = delete;

  bool Has(const std::string& name) const { return attrs_.count(name) > 0; }
  absl::StatusOr<int64_t> Int(const std::string& name, int64_t dflt) const;
  absl::StatusOr<int64_t> RequiredInt(const std::string& name) const;
  absl::StatusOr<std::optional<int64_t>> OptionalInt(const std::string& name) const;
  absl::StatusOr<double> Float(const std::string& name, double dflt) const;
  absl::StatusOr<std::optional<double>> OptionalFloat(const std::string& name) const;
  absl::StatusOr<bool> Bool(const std::string& name, bool dflt) const;
  absl::StatusOr<std::string> String(const std::string& name,
                                     const std::string& dflt) const;
  absl::StatusOr<std::optional<std::vector<int64_t>>> OptionalInts(
      const std::string& name) const;
  absl::StatusOr<std::vector<int64_t>> RequiredInts(const std::string& name) const;
  // Fails naming every attr not in `known` (catches misspelt Keras arguments).
  absl::Status OnlyKnown(std::initializer_list<const char*> known) const;

 private:
  absl::Status WrongType(const std::string& name, const char* want) const;
  const std::string& op_;
  const AttrMap& attrs_;
};

std::string AttrValueToString(const AttrValue& value);

}  // namespace remotek

#endif  // REMOTEK_BACKEND_CORE_ATTRS_H_
