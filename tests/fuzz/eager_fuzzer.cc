// Fuzzes eager op dispatch: fuzz bytes -> a registered op name (rarely junk)
// + attributes + small inline tensors or handles of values the session holds
// -> SessionState::RunEager, a few times per input, sometimes keeping the
// result in the session so that later ops read it by handle.
//
// Checks: no crash / UB / leak; a result is a valid tensor whose byte size
// matches dtype x shape; a kept result reads back (GetValue) with the same
// dtype and shape; after Clear() the account is back to exactly 0 bytes.
// Differential: an op on inline tensors also runs on the other built-in
// backend; both must accept or refuse it with the same code, agree on dtype
// and shape, and agree bit for bit when the result is integer or bool.
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include <cstring>

#include "backend/core/session_state.h"
#include "tests/fuzz/fuzz_inputs.h"

namespace remotek::fuzz {
namespace {

// Runs `op` again on the other backend and compares (see the file comment).
void CompareBackends(const Backend& first, const OpConfig& config, const std::string& op,
                     absl::Span<const EagerArg> args, const AttrMap& attrs,
                     const absl::StatusOr<Tensor>& out) {
  const Backend& other = &first == &EigenBackend() ? ReferenceBackend() : EigenBackend();
  auto account = std::make_shared<MemoryAccount>("fuzz other", kSessionLimitBytes);
  SessionState session(&other, config, account);
  NodeInfo unused;
  absl::StatusOr<Tensor> again = session.RunEager(op, args, attrs, std::nullopt, &unused);
  if (out.ok() != again.ok() || out.status().code() != again.status().code()) {
    std::fprintf(stderr, "op %s: %s on %s but %s on %s\n", op.c_str(),
                 out.status().ToString().c_str(), first.name().c_str(),
                 again.status().ToString().c_str(), other.name().c_str());
    Require(false, "both backends accept or refuse an op with the same code");
  }
  if (!out.ok()) return;
  Require(out->dtype() == again->dtype() && out->shape() == again->shape(),
          "both backends agree on the result's dtype and shape");
  if (IsFloating(out->dtype()) || out->byte_size() == 0) return;
  if (std::memcmp(out->raw_data(), again->raw_data(), out->byte_size()) != 0) {
    std::fprintf(stderr, "op %s: %s differs between %s and %s\n", op.c_str(),
                 out->DebugString().c_str(), first.name().c_str(), other.name().c_str());
    Require(false, "both backends agree bit for bit on integer and bool results");
  }
}

void RunOne(FuzzedDataProvider& in) {
  FuzzInputs f(in);
  const Backend& backend = PickBackend(in);
  OpConfig config;
  if (in.ConsumeIntegralInRange<int>(0, 7) == 0) config.floatx = DType::kFloat16;
  if (in.ConsumeIntegralInRange<int>(0, 7) == 0) config.floatx = DType::kFloat64;
  auto account = std::make_shared<MemoryAccount>("fuzz session", kSessionLimitBytes);
  {
    SessionState session(&backend, config, account);
    std::vector<std::string> kept_handles;
    const int ops = in.ConsumeIntegralInRange<int>(1, 4);
    for (int k = 0; k < ops && in.remaining_bytes() > 0; ++k) {
      const std::string op = f.OpName();
      std::vector<EagerArg> args(in.ConsumeIntegralInRange<int>(0, 4));
      for (auto& arg : args) {
        if (!kept_handles.empty() && in.ConsumeIntegralInRange<int>(0, 3) == 0) {
          arg = f.Handle(kept_handles);
        } else {
          arg = f.AnyTensor(account);  // may be an invalid (default) tensor
        }
      }
      const AttrMap attrs = f.Attrs();
      std::optional<std::string> keep_as;
      if (in.ConsumeBool()) keep_as = f.Name("kept");
      NodeInfo kept;
      absl::StatusOr<Tensor> out = session.RunEager(op, args, attrs, keep_as, &kept);
      bool inline_only = true;
      for (const auto& arg : args) inline_only = inline_only && std::holds_alternative<Tensor>(arg);
      if (inline_only && !keep_as.has_value()) {
        CompareBackends(backend, config, op, args, attrs, out);
      }
      if (!out.ok()) continue;
      Require(out->valid(), "RunEager's result is a valid tensor");
      absl::StatusOr<int64_t> n = out->shape().NumElements();
      Require(n.ok() && *n == out->num_elements(),
              "the result's element count matches its shape");
      Require(out->num_elements() == 0 || out->raw_data() != nullptr,
              "a non-empty result has a buffer");
      if (keep_as.has_value()) {
        Require(!kept.handle.empty(), "a kept result has a handle");
        absl::StatusOr<Tensor> value = session.GetValue(kept.handle);
        Require(value.ok(), "a kept result can be read back");
        Require(value->dtype() == out->dtype() && value->shape() == out->shape(),
                "a kept result reads back with its dtype and shape");
        kept_handles.push_back(kept.handle);
      }
    }
    session.Clear();
  }
  Require(account->current() == 0, "the session account is back to 0 bytes");
}

}  // namespace
}  // namespace remotek::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  remotek::fuzz::RunOne(in);
  return 0;
}
