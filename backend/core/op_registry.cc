#include "backend/core/op_registry.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "backend/core/ops/op_families.h"

namespace remotek {

const OpRegistry& OpRegistry::Global() {
  static const OpRegistry* registry = [] {
    auto* r = new OpRegistry();
    RegisterAllOps(*r);
    return r;
  }();
  return *registry;
}

void OpRegistry::Register(OpDef def) {
  std::string name = def.name;
  if (!ops_.emplace(name, std::move(def)).second) {
    // Two registrations of one op is a bug in this codebase, not bad input.
    std::abort();
  }
}

absl::StatusOr<const OpDef*> OpRegistry::Find(const std::string& name) const {
  auto it = ops_.find(name);
  if (it == ops_.end()) {
    return absl::NotFoundError(absl::StrCat("unknown op \"", name, "\""));
  }
  return &it->second;
}

std::vector<std::string> OpRegistry::Names() const {
  std::vector<std::string> names;
  names.reserve(ops_.size());
  for (const auto& [name, def] : ops_) names.push_back(name);
  return names;
}

absl::StatusOr<InferResult> InferOp(const OpDef& def,
                                    absl::Span<const TensorSpec> inputs,
                                    const AttrMap& attrs, const OpConfig& config) {
  const int n = static_cast<int>(inputs.size());
  if (n < def.min_inputs || n > def.max_inputs) {
    std::string expected =
        def.max_inputs == kVariadic
            ? absl::StrCat("at least ", def.min_inputs)
            : (def.min_inputs == def.max_inputs
                   ? absl::StrCat(def.min_inputs)
                   : absl::StrCat(def.min_inputs, " to ", def.max_inputs));
    return absl::InvalidArgumentError(absl::StrCat(
        def.name, ": takes ", expected, " input(s), got ", n));
  }
  for (int i = 0; i < n; ++i) {
    if (!IsValidDType(static_cast<int>(inputs[i].dtype))) {
      return absl::InvalidArgumentError(
          absl::StrCat(def.name, ": input ", i, " has an invalid dtype"));
    }
  }
  InferContext ctx{def.name, inputs, attrs, config};
  return def.infer(ctx);
}

}  // namespace remotek
