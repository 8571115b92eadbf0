// The ABI entries over RemoteK's engine (see plugin_sdk.h). Every entry is a
// firewall: statuses become codes and messages through the reply, and no
// exception leaves the library.
#include "backend/plugin/sdk/plugin_sdk.h"

#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "backend/core/session_state.h"
#include "backend/core/status_macros.h"
#include "backend/plugin/abi_convert.h"
#include "backend/plugin/remotek_backend_abi.h"

using remotek::AttrMap;
using remotek::DType;
using remotek::EagerArg;
using remotek::MemoryAccount;
using remotek::NodeInfo;
using remotek::NodeRequest;
using remotek::OpConfig;
using remotek::SessionState;
using remotek::Tensor;

struct RkSession {
  std::shared_ptr<MemoryAccount> account;
  std::unique_ptr<SessionState> state;
};

namespace {

const remotek::Backend& Kernels() {
  static const remotek::Backend* kernels = remotek::plugin_sdk::CreatePluginKernels().release();
  return *kernels;
}

RkCode Report(const RkReply* reply, const absl::Status& status) {
  if (status.ok()) return 0;
  const std::string message(status.message());
  reply->set_error(reply->host, static_cast<RkCode>(status.code()), message.c_str());
  return static_cast<RkCode>(status.code());
}

void ReportNode(const RkReply* reply, const NodeInfo& info) {
  reply->set_node(reply->host, info.handle.c_str(), remotek::plugin::NodeKindToAbi(info.kind),
                  static_cast<int32_t>(info.spec.dtype), info.spec.shape.rank(),
                  info.spec.shape.dims().data());
}

absl::Status ReportTensor(const RkReply* reply, const Tensor& t) {
  void* out = reply->add_tensor(reply->host, static_cast<int32_t>(t.dtype()), t.rank(),
                                t.shape().dims().data());
  if (out == nullptr) {
    return absl::ResourceExhaustedError(
        absl::StrCat("the server refused ", t.byte_size(), " bytes for a ", t.DebugString(),
                     " result"));
  }
  if (t.byte_size() > 0) std::memcpy(out, t.raw_data(), static_cast<size_t>(t.byte_size()));
  return absl::OkStatus();
}

void ReportSpec(const RkReply* reply, int32_t is_output, const remotek::TensorSpec& spec) {
  reply->add_spec(reply->host, is_output, static_cast<int32_t>(spec.dtype), spec.shape.rank(),
                  spec.shape.dims().data());
}

// Runs `body` (returning absl::Status) and reports its outcome; exceptions
// become RESOURCE_EXHAUSTED (allocation) or INTERNAL.
template <typename Body>
RkCode Guard(const RkReply* reply, Body body) {
  try {
    return Report(reply, body());
  } catch (const std::bad_alloc&) {
    return Report(reply, absl::ResourceExhaustedError("out of memory in the backend"));
  } catch (const std::exception& e) {
    return Report(reply, absl::InternalError(absl::StrCat("backend exception: ", e.what())));
  } catch (...) {
    return Report(reply, absl::InternalError("backend exception"));
  }
}

std::vector<std::string> Strings(const char* const* values, int32_t count) {
  std::vector<std::string> out;
  for (int32_t i = 0; i < count; ++i) out.emplace_back(values[i] ? values[i] : "");
  return out;
}

RkCode AddOneNode(RkSession* s, const RkNode* node, int32_t kind, const char* entry,
                  const RkReply* reply) {
  return Guard(reply, [&]() -> absl::Status {
    if (node == nullptr || node->kind != kind) {
      return absl::InvalidArgumentError(absl::StrCat(entry, ": node kind does not match"));
    }
    REMOTEK_ASSIGN_OR_RETURN(NodeRequest request,
                             remotek::plugin::NodeFromView(*node, s->account));
    REMOTEK_ASSIGN_OR_RETURN(NodeInfo info, s->state->AddNode(request));
    ReportNode(reply, info);
    return absl::OkStatus();
  });
}

}  // namespace

extern "C" {

REMOTEK_BACKEND_EXPORT uint32_t remotek_backend_abi_version(void) {
  return REMOTEK_BACKEND_ABI_VERSION;
}

REMOTEK_BACKEND_EXPORT RkCode remotek_backend_create(const RkConfig* config, RkSession** session,
                                                     const RkReply* reply) {
  return Guard(reply, [&]() -> absl::Status {
    OpConfig c;
    REMOTEK_ASSIGN_OR_RETURN(c.floatx, remotek::plugin::DTypeFromAbi(config->floatx, "floatx"));
    if (!remotek::IsFloating(c.floatx)) {
      return absl::InvalidArgumentError("floatx must be float16, float32 or float64");
    }
    if (!(config->epsilon > 0)) {
      return absl::InvalidArgumentError(absl::StrCat("epsilon=", config->epsilon, " must be > 0"));
    }
    c.epsilon = config->epsilon;
    c.image_data_format = config->channels_first ? remotek::ImageDataFormat::kChannelsFirst
                                                 : remotek::ImageDataFormat::kChannelsLast;
    auto s = std::make_unique<RkSession>();
    s->account = std::make_shared<MemoryAccount>(
        "backend session", config->memory_limit_bytes > 0 ? config->memory_limit_bytes
                                                          : MemoryAccount::kNoLimit);
    s->state = std::make_unique<SessionState>(&Kernels(), c, s->account);
    *session = s.release();
    return absl::OkStatus();
  });
}

REMOTEK_BACKEND_EXPORT void remotek_backend_destroy(RkSession* session) { delete session; }

REMOTEK_BACKEND_EXPORT RkCode remotek_backend_placeholder(RkSession* s, const RkNode* node,
                                                          const RkReply* reply) {
  return AddOneNode(s, node, RK_NODE_PLACEHOLDER, "placeholder", reply);
}
REMOTEK_BACKEND_EXPORT RkCode remotek_backend_variable(RkSession* s, const RkNode* node,
                                                       const RkReply* reply) {
  return AddOneNode(s, node, RK_NODE_VARIABLE, "variable", reply);
}
REMOTEK_BACKEND_EXPORT RkCode remotek_backend_constant(RkSession* s, const RkNode* node,
                                                       const RkReply* reply) {
  return AddOneNode(s, node, RK_NODE_CONSTANT, "constant", reply);
}
REMOTEK_BACKEND_EXPORT RkCode remotek_backend_op(RkSession* s, const RkNode* node,
                                                 const RkReply* reply) {
  return AddOneNode(s, node, RK_NODE_OP, "op", reply);
}

REMOTEK_BACKEND_EXPORT RkCode remotek_backend_graph(RkSession* s, const RkNode* nodes,
                                                    int32_t num_nodes, const RkReply* reply) {
  return Guard(reply, [&]() -> absl::Status {
    std::vector<NodeRequest> requests;
    for (int32_t i = 0; i < num_nodes; ++i) {
      REMOTEK_ASSIGN_OR_RETURN(NodeRequest r, remotek::plugin::NodeFromView(nodes[i], s->account));
      requests.push_back(std::move(r));
    }
    REMOTEK_ASSIGN_OR_RETURN(std::vector<NodeInfo> infos, s->state->AddGraph(requests));
    for (const NodeInfo& info : infos) ReportNode(reply, info);
    return absl::OkStatus();
  });
}

REMOTEK_BACKEND_EXPORT RkCode remotek_backend_describe(RkSession* s, const char* handle,
                                                       const RkReply* reply) {
  return Guard(reply, [&]() -> absl::Status {
    REMOTEK_ASSIGN_OR_RETURN(NodeInfo info, s->state->Describe(handle));
    ReportNode(reply, info);
    return absl::OkStatus();
  });
}

REMOTEK_BACKEND_EXPORT RkCode remotek_backend_function(
    RkSession* s, const char* name, const char* const* inputs, int32_t num_inputs,
    const char* const* outputs, int32_t num_outputs, const char* const* update_variables,
    const char* const* update_values, int32_t num_updates, const RkReply* reply) {
  return Guard(reply, [&]() -> absl::Status {
    remotek::FunctionSignature sig;
    sig.inputs = Strings(inputs, num_inputs);
    sig.outputs = Strings(outputs, num_outputs);
    const std::vector<std::string> targets = Strings(update_variables, num_updates);
    const std::vector<std::string> values = Strings(update_values, num_updates);
    for (int32_t i = 0; i < num_updates; ++i) sig.updates.emplace_back(targets[i], values[i]);
    std::vector<remotek::TensorSpec> in_specs, out_specs;
    REMOTEK_ASSIGN_OR_RETURN(
        std::string handle,
        s->state->CreateFunction(sig, name ? name : "", &in_specs, &out_specs));
    reply->set_handle(reply->host, handle.c_str());
    for (const auto& spec : in_specs) ReportSpec(reply, 0, spec);
    for (const auto& spec : out_specs) ReportSpec(reply, 1, spec);
    return absl::OkStatus();
  });
}

REMOTEK_BACKEND_EXPORT RkCode remotek_backend_call(RkSession* s, const char* function,
                                                   const RkTensor* feeds, int32_t num_feeds,
                                                   const RkReply* reply) {
  return Guard(reply, [&]() -> absl::Status {
    std::vector<Tensor> inputs;
    for (int32_t i = 0; i < num_feeds; ++i) {
      REMOTEK_ASSIGN_OR_RETURN(
          Tensor t, remotek::plugin::TensorFromView(feeds[i], s->account,
                                                    absl::StrCat("feeds[", i, "]")));
      inputs.push_back(std::move(t));
    }
    REMOTEK_ASSIGN_OR_RETURN(std::vector<Tensor> outputs, s->state->CallFunction(function, inputs));
    for (const Tensor& t : outputs) REMOTEK_RETURN_IF_ERROR(ReportTensor(reply, t));
    return absl::OkStatus();
  });
}

REMOTEK_BACKEND_EXPORT RkCode remotek_backend_release(RkSession* s, const char* function,
                                                      const RkReply* reply) {
  return Guard(reply, [&] { return s->state->ReleaseFunction(function); });
}

REMOTEK_BACKEND_EXPORT RkCode remotek_backend_read(RkSession* s, const char* handle,
                                                   const RkReply* reply) {
  return Guard(reply, [&]() -> absl::Status {
    REMOTEK_ASSIGN_OR_RETURN(Tensor value, s->state->GetValue(handle));
    return ReportTensor(reply, value);
  });
}

REMOTEK_BACKEND_EXPORT RkCode remotek_backend_write(RkSession* s, const char* handle,
                                                    const RkTensor* value, const RkReply* reply) {
  return Guard(reply, [&]() -> absl::Status {
    REMOTEK_ASSIGN_OR_RETURN(Tensor t,
                             remotek::plugin::TensorFromView(*value, s->account, "value"));
    return s->state->SetValue(handle, t);
  });
}

REMOTEK_BACKEND_EXPORT RkCode remotek_backend_run_op(RkSession* s, const char* op,
                                                     const RkArg* args, int32_t num_args,
                                                     const RkAttr* attrs, int32_t num_attrs,
                                                     const char* keep_as, const RkReply* reply) {
  return Guard(reply, [&]() -> absl::Status {
    std::vector<EagerArg> eager;
    for (int32_t i = 0; i < num_args; ++i) {
      if (args[i].handle != nullptr) {
        eager.emplace_back(std::string(args[i].handle));
        continue;
      }
      REMOTEK_ASSIGN_OR_RETURN(
          Tensor t, remotek::plugin::TensorFromView(args[i].tensor, s->account,
                                                    absl::StrCat("args[", i, "]")));
      eager.emplace_back(std::move(t));
    }
    REMOTEK_ASSIGN_OR_RETURN(AttrMap attr_map, remotek::plugin::AttrsFromView(attrs, num_attrs));
    std::optional<std::string> keep;
    if (keep_as != nullptr) keep = std::string(keep_as);
    NodeInfo kept;
    REMOTEK_ASSIGN_OR_RETURN(Tensor out, s->state->RunEager(op, eager, attr_map, keep, &kept));
    REMOTEK_RETURN_IF_ERROR(ReportTensor(reply, out));
    if (keep.has_value()) ReportNode(reply, kept);
    return absl::OkStatus();
  });
}

REMOTEK_BACKEND_EXPORT void remotek_backend_clear(RkSession* s) { s->state->Clear(); }

REMOTEK_BACKEND_EXPORT void remotek_backend_ops(const RkReply* reply) {
  uint32_t all = 0;
  for (DType d : remotek::kAllDTypes) all |= 1u << static_cast<int>(d);
  for (const std::string& op : Kernels().SupportedOps()) reply->add_op(reply->host, op.c_str(), all);
}

REMOTEK_BACKEND_EXPORT void remotek_backend_stats(RkSession* s, RkStats* stats) {
  const remotek::SessionStats st = s->state->Stats();
  stats->bytes_held = st.bytes_held;
  stats->peak_bytes = st.peak_bytes;
  stats->nodes = st.nodes;
  stats->variables = st.variables;
  stats->functions = st.functions;
}

}  // extern "C"
