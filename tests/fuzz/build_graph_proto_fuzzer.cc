// Fuzzes BuildGraph as the server runs it, minus the RPC: fuzz bytes ->
// v1::BuildGraphRequest (binary protobuf) -> the node decoders of
// server/request_decoding.cc -> SessionState::AddGraph on the reference
// backend; then, when the graph was accepted, a function over every node and
// one call with zero feeds shaped from the input specs.
//
// Checks: no crash / UB / leak; all-or-nothing AddGraph; after Clear() the
// account is back to exactly 0 bytes.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "backend/core/session_state.h"
#include "backend/reference/reference_kernels.h"
#include "server/remotek_service.h"
#include "google/protobuf/stubs/logging.h"
#include "tests/fuzz/fuzz_inputs.h"

namespace remotek::fuzz {
namespace {

const Backend& Reference() {
  static const Backend* const backend = CreateReferenceBackend().release();
  return *backend;
}

void RunOne(const v1::BuildGraphRequest& request) {
  if (request.nodes_size() > 16) return;  // keep each input fast
  auto account = std::make_shared<MemoryAccount>("fuzz session", kSessionLimitBytes);
  {
    SessionState session(&Reference(), OpConfig{}, account);
    std::vector<NodeRequest> nodes;
    for (const v1::GraphNode& node : request.nodes()) {
      absl::StatusOr<NodeRequest> r;
      switch (node.node_case()) {
        case v1::GraphNode::kPlaceholder: r = server::DecodePlaceholder(node.placeholder()); break;
        case v1::GraphNode::kVariable: r = server::DecodeVariable(node.variable(), account); break;
        case v1::GraphNode::kConstant: r = server::DecodeConstant(node.constant(), account); break;
        case v1::GraphNode::kOp: r = server::DecodeOpNode(node.op()); break;
        default: return;
      }
      if (!r.ok()) return;
      nodes.push_back(*std::move(r));
    }
    absl::StatusOr<std::vector<NodeInfo>> infos = session.AddGraph(nodes);
    if (!infos.ok()) {
      Require(session.Stats().nodes == 0, "a failed AddGraph adds nothing");
    } else {
      Require(infos->size() == nodes.size(), "AddGraph returns one NodeInfo per node");
      FunctionSignature sig;
      for (const NodeInfo& info : *infos) {
        if (info.kind == NodeKind::kPlaceholder) sig.inputs.push_back(info.handle);
        sig.outputs.push_back(info.handle);
      }
      std::vector<TensorSpec> in_specs, out_specs;
      absl::StatusOr<std::string> fn = session.CreateFunction(sig, "", &in_specs, &out_specs);
      if (fn.ok()) {
        std::vector<Tensor> feeds;
        bool small = true;
        for (const TensorSpec& spec : in_specs) {
          std::vector<int64_t> dims = spec.shape.dims();
          int64_t n = 1;
          for (auto& d : dims) {
            if (d == kUnknownDim) d = 2;
            if (d < 0 || d > 4096) small = false;
            if (small) n = std::min<int64_t>(n * d, 4097);  // both <= 4097: no overflow
          }
          if (n > 4096) small = false;
          if (!small) break;
          absl::StatusOr<Tensor> t = Tensor::Zeros(
              spec.dtype == DType::kInvalid ? DType::kFloat32 : spec.dtype, Shape(dims), account);
          if (!t.ok()) { small = false; break; }
          feeds.push_back(*std::move(t));
        }
        if (small) (void)session.CallFunction(*fn, feeds);
      }
    }
    session.Clear();
  }
  Require(account->current() == 0, "the session account is back to 0 bytes");
}

}  // namespace
}  // namespace remotek::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Invalid UTF-8 in string fields is expected here; its log lines are noise.
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  remotek::v1::BuildGraphRequest request;
  if (!request.ParseFromArray(data, static_cast<int>(size))) return 0;
  remotek::fuzz::RunOne(request);
  return 0;
}
