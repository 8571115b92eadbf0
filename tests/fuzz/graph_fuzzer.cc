// Fuzzes whole-graph building and the compiled-function path of the engine:
// fuzz bytes -> up to 8 NodeRequests (placeholders, variables, constants, op
// nodes naming each other in any order, cycles and junk included) ->
// SessionState::AddGraph (or AddNode one by one) -> CreateFunction over some
// outputs and updates -> CallFunction with generated feeds.
//
// Besides "no crash, no UB, no leak", it checks the engine's documented
// guarantees: AddGraph is all or nothing, a call's outputs have the dtype and
// a shape compatible with the function's static output specs, and after
// Clear() the session's account is back to exactly 0 bytes.
#include <cstdint>
#include <string>
#include <vector>

#include "backend/core/session_state.h"
#include "tests/fuzz/fuzz_inputs.h"

namespace remotek::fuzz {
namespace {

NodeRequest MakeNode(FuzzInputs& f, const std::vector<std::string>& names,
                     const std::shared_ptr<MemoryAccount>& account) {
  switch (f.raw().ConsumeIntegralInRange<int>(0, 5)) {
    case 0: {
      PlaceholderRequest r;
      r.name = f.Name("n");
      r.dtype = f.DTypeValue();
      if (f.raw().ConsumeIntegralInRange<int>(0, 7) == 0) {
        r.ndim = f.raw().ConsumeIntegralInRange<int>(-2, 5);
      } else {
        r.shape = f.ShapeValue(true);
      }
      return r;
    }
    case 1: {
      VariableRequest r;
      r.name = f.Name("n");
      r.dtype = f.DTypeValue();
      if (f.raw().ConsumeBool()) {
        r.value = f.AnyTensor(account);
        if (!r.value->valid()) r.value.reset();
      } else {
        InitializerSpec spec;
        spec.kind = static_cast<InitializerSpec::Kind>(f.raw().ConsumeIntegralInRange<int>(0, 6));
        spec.value = f.raw().ConsumeFloatingPoint<double>();
        spec.low = f.raw().ConsumeFloatingPoint<double>();
        spec.high = f.raw().ConsumeFloatingPoint<double>();
        spec.mean = f.raw().ConsumeFloatingPoint<double>();
        spec.stddev = f.raw().ConsumeFloatingPoint<double>();
        spec.seed = f.raw().ConsumeIntegral<uint64_t>();  // deterministic runs
        r.initializer = spec;
        r.shape = f.ShapeValue(false);
      }
      return r;
    }
    case 2: {
      ConstantRequest r;
      r.name = f.Name("n");
      r.value = f.AnyTensor(account);
      r.dtype = f.DTypeValue();
      return r;
    }
    default: {
      OpNodeRequest r;
      r.name = f.Name("n");
      r.op = f.OpName();
      const int n = f.raw().ConsumeIntegralInRange<int>(0, 3);
      for (int i = 0; i < n; ++i) r.inputs.push_back(f.Handle(names));
      r.attrs = f.Attrs();
      return r;
    }
  }
}

// The feed for one input spec: usually matching (unknown dims made concrete),
// sometimes of another dtype or shape to exercise the call's own checks.
Tensor MakeFeed(FuzzInputs& f, const TensorSpec& spec,
                const std::shared_ptr<MemoryAccount>& account) {
  if (f.raw().ConsumeIntegralInRange<int>(0, 15) == 0) return f.AnyTensor(account);
  const DType dtype = spec.dtype == DType::kInvalid ? DType::kFloat32 : spec.dtype;
  return f.TensorValue(dtype, f.Concrete(spec.shape), account);
}

bool Compatible(const TensorSpec& spec, const Tensor& t) {
  return spec.dtype == t.dtype() && spec.shape.Accepts(t.shape());
}

void RunOne(FuzzedDataProvider& in) {
  FuzzInputs f(in);
  const Backend& backend = PickBackend(in);
  auto account = std::make_shared<MemoryAccount>("fuzz session", kSessionLimitBytes);
  {
    SessionState session(&backend, OpConfig{}, account);
    std::vector<std::string> handles;  // everything that exists in the session
    std::vector<std::string> placeholders, variables;

    const int rounds = in.ConsumeIntegralInRange<int>(1, 2);
    for (int round = 0; round < rounds; ++round) {
      std::vector<std::string> names = handles;
      for (int i = 0; i < 8; ++i) names.push_back("n" + std::to_string(i));
      std::vector<NodeRequest> nodes(in.ConsumeIntegralInRange<int>(1, 8));
      for (auto& node : nodes) node = MakeNode(f, names, account);

      const SessionStats before = session.Stats();
      std::vector<NodeInfo> added;
      if (in.ConsumeBool()) {
        absl::StatusOr<std::vector<NodeInfo>> infos = session.AddGraph(nodes);
        if (infos.ok()) {
          Require(infos->size() == nodes.size(), "AddGraph returns one NodeInfo per node");
          added = *std::move(infos);
        } else {
          Require(session.Stats().nodes == before.nodes, "a failed AddGraph adds nothing");
        }
      } else {
        for (const auto& node : nodes) {
          absl::StatusOr<NodeInfo> info = session.AddNode(node);
          if (info.ok()) added.push_back(*std::move(info));
        }
      }
      for (const NodeInfo& info : added) {
        handles.push_back(info.handle);
        if (info.kind == NodeKind::kPlaceholder) placeholders.push_back(info.handle);
        if (info.kind == NodeKind::kVariable) variables.push_back(info.handle);
        absl::StatusOr<NodeInfo> described = session.Describe(info.handle);
        Require(described.ok(), "Describe finds a handle AddGraph/AddNode returned");
        if (info.kind == NodeKind::kVariable || info.kind == NodeKind::kConstant) {
          absl::StatusOr<Tensor> value = session.GetValue(info.handle);
          Require(value.ok() && value->dtype() == info.spec.dtype,
                  "GetValue of a variable/constant has its spec's dtype");
        }
      }
    }
    if (handles.empty()) return;

    FunctionSignature sig;
    sig.inputs = placeholders;
    if (!sig.inputs.empty() && in.ConsumeIntegralInRange<int>(0, 7) == 0) {
      sig.inputs.pop_back();  // an output may depend on a missing input
    }
    const int outputs = in.ConsumeIntegralInRange<int>(0, 3);
    for (int i = 0; i < outputs; ++i) sig.outputs.push_back(f.Handle(handles));
    if (!variables.empty() && in.ConsumeBool()) {
      sig.updates.emplace_back(f.Handle(variables), f.Handle(handles));
    }
    std::vector<TensorSpec> input_specs, output_specs;
    absl::StatusOr<std::string> fn =
        session.CreateFunction(sig, f.Name("f"), &input_specs, &output_specs);
    if (!fn.ok()) return;
    Require(input_specs.size() == sig.inputs.size(), "one input spec per input");
    Require(output_specs.size() == sig.outputs.size(), "one output spec per output");

    const int calls = in.ConsumeIntegralInRange<int>(1, 2);
    for (int c = 0; c < calls; ++c) {
      std::vector<Tensor> feeds;
      for (const TensorSpec& spec : input_specs) feeds.push_back(MakeFeed(f, spec, account));
      if (in.ConsumeIntegralInRange<int>(0, 15) == 0 && !feeds.empty()) feeds.pop_back();
      absl::StatusOr<std::vector<Tensor>> out = session.CallFunction(*fn, feeds);
      if (!out.ok()) continue;
      Require(out->size() == output_specs.size(), "one output per output handle");
      for (size_t i = 0; i < out->size(); ++i) {
        Require(Compatible(output_specs[i], (*out)[i]),
                "a call's output matches the function's static output spec");
      }
    }
    if (in.ConsumeBool()) (void)session.ReleaseFunction(*fn);
    session.Clear();
    Require(session.Stats().nodes == 0, "Clear drops every node");
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
