#include "server/remotek_service.h"

#include <chrono>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "backend/core/status_macros.h"
#include "server/status_mapping.h"
#include "server/tensor_codec.h"

namespace remotek::server {
namespace {

void EncodeConfig(const OpConfig& config, const std::string& backend,
                  v1::KerasConfig* out) {
  out->set_floatx(EncodeDType(config.floatx));
  out->set_epsilon(config.epsilon);
  out->set_image_data_format(ImageDataFormatName(config.image_data_format));
  out->set_backend(backend);
}

// The engine stops a computation once the client that asked for it has gone:
// it cancelled, or its deadline passed (gRPC cancels the call then too, but the
// deadline says why).
RunContext::StopCheck StopWhenAbandoned(const grpc::CallbackServerContext* ctx) {
  return [ctx]() -> absl::Status {
    if (ctx->deadline() <= std::chrono::system_clock::now()) {
      return absl::DeadlineExceededError("the client's deadline passed");
    }
    if (ctx->IsCancelled()) return absl::CancelledError("the client cancelled the call");
    return absl::OkStatus();
  };
}

}  // namespace

RemoteKService::RemoteKService(const BackendRegistry* backends, SessionManager* sessions,
                               ComputePool* pool, ServiceOptions options)
    : backends_(backends), sessions_(sessions), pool_(pool), options_(std::move(options)) {}

RemoteKService::Reactor* RemoteKService::Respond(Ctx* ctx, const absl::Status& status) {
  Reactor* reactor = ctx->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

RemoteKService::Reactor* RemoteKService::Offload(Ctx* ctx, std::function<absl::Status()> work) {
  // Refused callers never reach the pool's queue.
  if (absl::Status auth = TenantOf(ctx).status(); !auth.ok()) return Respond(ctx, auth);
  if (absl::Status slot = AcquireComputeSlot(); !slot.ok()) return Respond(ctx, slot);
  Reactor* reactor = ctx->DefaultReactor();
  pool_->Schedule([this, reactor, work = std::move(work)] {
    const absl::Status status = work();
    ReleaseComputeSlot();  // before Finish: the client may call again at once
    reactor->Finish(ToGrpcStatus(status));
  });
  return reactor;
}

RunContext RemoteKService::RunContextFor(const Ctx* ctx, const Session& session) const {
  RunContext run;
  run.stop = StopWhenAbandoned(ctx);
  if (Metrics* metrics = options_.op_metrics) {
    // The session outlives the call, so its backend name may be borrowed.
    const std::string* backend = &session.backend_name();
    run.on_op = [metrics, backend](std::string_view op, absl::Duration elapsed, bool ok) {
      metrics->ObserveOp(*backend, absl::string_view(op.data(), op.size()),
                         absl::ToDoubleSeconds(elapsed), ok);
    };
  }
  return run;
}

absl::Status RemoteKService::AcquireComputeSlot() {
  const int limit = options_.max_concurrent_calls;
  if (limit <= 0) return absl::OkStatus();
  const int held = compute_in_flight_.fetch_add(1);
  if (held < limit) return absl::OkStatus();
  compute_in_flight_.fetch_sub(1);
  return absl::ResourceExhaustedError(absl::StrCat(
      "concurrent call quota exceeded: limit ", limit, " compute calls in flight (max_concurrent_calls), held ",
      held, ", requested 1; retry later"));
}

void RemoteKService::ReleaseComputeSlot() {
  if (options_.max_concurrent_calls > 0) compute_in_flight_.fetch_sub(1);
}

absl::StatusOr<std::string> RemoteKService::TenantOf(const Ctx* ctx) const {
  if (options_.tokens == nullptr) return std::string("default");
  const auto& metadata = ctx->client_metadata();
  auto it = metadata.find("authorization");
  if (it == metadata.end()) return options_.tokens->AuthenticateHeader(nullptr);
  const std::string header(it->second.data(), it->second.size());
  return options_.tokens->AuthenticateHeader(&header);
}

absl::StatusOr<std::shared_ptr<Session>> RemoteKService::FindSession(
    Ctx* ctx, const std::string& id) const {
  REMOTEK_ASSIGN_OR_RETURN(std::string tenant, TenantOf(ctx));
  return sessions_->Get(tenant, id);
}

absl::Status RemoteKService::CheckNodeBudget(const Session& session, int64_t adding) const {
  const int64_t limit = options_.max_graph_nodes;
  if (limit <= 0) return absl::OkStatus();
  const int64_t held = session.state().Stats().nodes;
  if (held + adding <= limit) return absl::OkStatus();
  return absl::ResourceExhaustedError(absl::StrCat(
      "graph node quota of session ", session.id(), " exceeded: limit ", limit,
      " nodes (max_graph_nodes), held ", held, ", requested ", adding));
}

absl::Status RemoteKService::CheckFitsMessage(const Tensor& t, const std::string& what) const {
  if (EncodedSize(t) <= options_.max_message_bytes) return absl::OkStatus();
  return absl::ResourceExhaustedError(absl::StrCat(
      what, " is ", t.byte_size(), " bytes, above the message limit of ",
      options_.max_message_bytes, " bytes; fetch it with DownloadTensor"));
}

absl::Status RemoteKService::FillSessionInfo(const Session& session,
                                             v1::SessionInfo* info) const {
  info->set_session_id(session.id());
  EncodeConfig(session.state().config(), session.backend_name(), info->mutable_config());
  const SessionStats stats = session.state().Stats();
  v1::SessionStats* out = info->mutable_stats();
  out->set_bytes_held(stats.bytes_held);
  out->set_peak_bytes(stats.peak_bytes);
  out->set_nodes(stats.nodes);
  out->set_variables(stats.variables);
  out->set_functions(stats.functions);
  out->set_created_unix_ms(session.created_unix_ms());
  out->set_last_used_unix_ms(session.last_used_unix_ms());
  return absl::OkStatus();
}

// ------------------------------------------------------------------ server

RemoteKService::Reactor* RemoteKService::GetServerInfo(Ctx* ctx, const v1::GetServerInfoRequest*,
                                                       v1::ServerInfo* resp) {
  if (absl::Status auth = TenantOf(ctx).status(); !auth.ok()) return Respond(ctx, auth);
  resp->set_version(options_.version);
  EncodeConfig(sessions_->defaults(), backends_->default_name(), resp->mutable_config());
  for (const std::string& name : backends_->Names()) resp->add_backends(name);
  for (const auto& [key, source] : options_.config_sources) {
    (*resp->mutable_config_sources())[key] = source;
  }
  resp->set_max_message_bytes(options_.max_message_bytes);
  return Respond(ctx, absl::OkStatus());
}

RemoteKService::Reactor* RemoteKService::ListBackends(Ctx* ctx, const v1::ListBackendsRequest*,
                                                      v1::ListBackendsResponse* resp) {
  if (absl::Status auth = TenantOf(ctx).status(); !auth.ok()) return Respond(ctx, auth);
  for (const std::string& name : backends_->Names()) {
    const HostedBackend* backend = backends_->Find(name).value();
    v1::BackendInfo* info = resp->add_backends();
    info->set_name(name);
    info->set_is_default(name == backends_->default_name());
    for (const std::string& op : backend->SupportedOps()) info->add_ops(op);
    for (DType dtype : backend->SupportedDTypes()) info->add_dtypes(EncodeDType(dtype));
  }
  return Respond(ctx, absl::OkStatus());
}

RemoteKService::Reactor* RemoteKService::Echo(Ctx* ctx, const v1::EchoRequest* req,
                                              v1::EchoResponse* resp) {
  if (absl::Status auth = TenantOf(ctx).status(); !auth.ok()) return Respond(ctx, auth);
  resp->set_payload(req->payload());
  return Respond(ctx, absl::OkStatus());
}

// ---------------------------------------------------------------- sessions

RemoteKService::Reactor* RemoteKService::CreateSession(Ctx* ctx, const v1::CreateSessionRequest* req,
                                                       v1::SessionInfo* resp) {
  auto run = [&]() -> absl::Status {
    REMOTEK_ASSIGN_OR_RETURN(std::string tenant, TenantOf(ctx));
    SessionOptions options;
    options.backend = req->backend();
    REMOTEK_ASSIGN_OR_RETURN(options.floatx, DecodeOptionalDType(req->floatx(), "floatx"));
    options.epsilon = req->epsilon();
    options.image_data_format = req->image_data_format();
    options.session_id = req->session_id();
    REMOTEK_ASSIGN_OR_RETURN(auto session, sessions_->Create(tenant, options));
    return FillSessionInfo(*session, resp);
  };
  return Respond(ctx, run());
}

RemoteKService::Reactor* RemoteKService::CloseSession(Ctx* ctx, const v1::SessionRequest* req,
                                                      v1::Empty*) {
  auto tenant = TenantOf(ctx);
  if (!tenant.ok()) return Respond(ctx, tenant.status());
  return Respond(ctx, sessions_->Close(*tenant, req->session_id()));
}

RemoteKService::Reactor* RemoteKService::ClearSession(Ctx* ctx, const v1::SessionRequest* req,
                                                      v1::SessionInfo* resp) {
  return Offload(ctx, [this, ctx, req, resp]() -> absl::Status {
    REMOTEK_ASSIGN_OR_RETURN(auto session, FindSession(ctx, req->session_id()));
    sessions_->Clear(*session);  // reports session_cleared
    return FillSessionInfo(*session, resp);
  });
}

RemoteKService::Reactor* RemoteKService::ListSessions(Ctx* ctx, const v1::ListSessionsRequest*,
                                                      v1::ListSessionsResponse* resp) {
  auto tenant = TenantOf(ctx);
  if (!tenant.ok()) return Respond(ctx, tenant.status());
  for (const auto& session : sessions_->List(*tenant)) {
    FillSessionInfo(*session, resp->add_sessions()).IgnoreError();
  }
  return Respond(ctx, absl::OkStatus());
}

RemoteKService::Reactor* RemoteKService::GetSession(Ctx* ctx, const v1::SessionRequest* req,
                                                    v1::SessionInfo* resp) {
  auto run = [&]() -> absl::Status {
    REMOTEK_ASSIGN_OR_RETURN(auto session, FindSession(ctx, req->session_id()));
    return FillSessionInfo(*session, resp);
  };
  return Respond(ctx, run());
}

RemoteKService::Reactor* RemoteKService::KeepAlive(Ctx* ctx, const v1::SessionRequest* req,
                                                   v1::Empty*) {
  return Respond(ctx, FindSession(ctx, req->session_id()).status());
}

// ------------------------------------------------------------------- graph

RemoteKService::Reactor* RemoteKService::Placeholder(Ctx* ctx, const v1::PlaceholderRequest* req,
                                                     v1::Node* resp) {
  auto run = [&]() -> absl::Status {
    REMOTEK_ASSIGN_OR_RETURN(auto session, FindSession(ctx, req->session_id()));
    REMOTEK_RETURN_IF_ERROR(CheckNodeBudget(*session, 1));
    REMOTEK_ASSIGN_OR_RETURN(NodeRequest r, DecodePlaceholder(*req, options_.max_tensor_elements));
    REMOTEK_ASSIGN_OR_RETURN(NodeInfo info, session->state().AddNode(r));
    EncodeNode(info, resp);
    return absl::OkStatus();
  };
  return Respond(ctx, run());
}

absl::Status RemoteKService::DoVariable(Ctx* ctx, const v1::VariableRequest& req, v1::Node* resp) {
  REMOTEK_ASSIGN_OR_RETURN(auto session, FindSession(ctx, req.session_id()));
  REMOTEK_RETURN_IF_ERROR(CheckNodeBudget(*session, 1));
  REMOTEK_ASSIGN_OR_RETURN(NodeRequest r, DecodeVariable(req, session->state().account(),
                                                         options_.max_tensor_elements));
  REMOTEK_ASSIGN_OR_RETURN(NodeInfo info, session->state().AddNode(r));
  EncodeNode(info, resp);
  return absl::OkStatus();
}

RemoteKService::Reactor* RemoteKService::Variable(Ctx* ctx, const v1::VariableRequest* req,
                                                  v1::Node* resp) {
  return Offload(ctx, [this, ctx, req, resp] { return DoVariable(ctx, *req, resp); });
}

RemoteKService::Reactor* RemoteKService::Constant(Ctx* ctx, const v1::ConstantRequest* req,
                                                  v1::Node* resp) {
  return Offload(ctx, [this, ctx, req, resp]() -> absl::Status {
    REMOTEK_ASSIGN_OR_RETURN(auto session, FindSession(ctx, req->session_id()));
    REMOTEK_RETURN_IF_ERROR(CheckNodeBudget(*session, 1));
    REMOTEK_ASSIGN_OR_RETURN(NodeRequest r, DecodeConstant(*req, session->state().account(),
                                                           options_.max_tensor_elements));
    REMOTEK_ASSIGN_OR_RETURN(NodeInfo info, session->state().AddNode(r));
    EncodeNode(info, resp);
    return absl::OkStatus();
  });
}

RemoteKService::Reactor* RemoteKService::OpNode(Ctx* ctx, const v1::OpNodeRequest* req,
                                                v1::Node* resp) {
  auto run = [&]() -> absl::Status {
    REMOTEK_ASSIGN_OR_RETURN(auto session, FindSession(ctx, req->session_id()));
    REMOTEK_RETURN_IF_ERROR(CheckNodeBudget(*session, 1));
    REMOTEK_ASSIGN_OR_RETURN(NodeRequest r, DecodeOpNode(*req));
    REMOTEK_ASSIGN_OR_RETURN(NodeInfo info, session->state().AddNode(r));
    EncodeNode(info, resp);
    return absl::OkStatus();
  };
  return Respond(ctx, run());
}

absl::Status RemoteKService::DoBuildGraph(Ctx* ctx, const v1::BuildGraphRequest& req,
                                          v1::BuildGraphResponse* resp) {
  REMOTEK_ASSIGN_OR_RETURN(auto session, FindSession(ctx, req.session_id()));
  if (options_.max_graph_nodes > 0 && req.nodes_size() > options_.max_graph_nodes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "build_graph: the request has ", req.nodes_size(), " nodes, above the limit of ",
        options_.max_graph_nodes, " nodes per request (max_graph_nodes)"));
  }
  REMOTEK_RETURN_IF_ERROR(CheckNodeBudget(*session, req.nodes_size()));
  const auto& account = session->state().account();
  const int64_t max_elements = options_.max_tensor_elements;
  std::vector<NodeRequest> nodes;
  nodes.reserve(req.nodes_size());
  for (int i = 0; i < req.nodes_size(); ++i) {
    const v1::GraphNode& node = req.nodes(i);
    absl::StatusOr<NodeRequest> decoded;
    switch (node.node_case()) {
      case v1::GraphNode::kPlaceholder:
        decoded = DecodePlaceholder(node.placeholder(), max_elements);
        break;
      case v1::GraphNode::kVariable:
        decoded = DecodeVariable(node.variable(), account, max_elements);
        break;
      case v1::GraphNode::kConstant:
        decoded = DecodeConstant(node.constant(), account, max_elements);
        break;
      case v1::GraphNode::kOp: decoded = DecodeOpNode(node.op()); break;
      case v1::GraphNode::NODE_NOT_SET:
        decoded = absl::InvalidArgumentError("is empty");
        break;
    }
    if (!decoded.ok()) {
      return absl::Status(decoded.status().code(),
                          absl::StrCat("nodes[", i, "]: ", decoded.status().message()));
    }
    nodes.push_back(*std::move(decoded));
  }
  REMOTEK_ASSIGN_OR_RETURN(std::vector<NodeInfo> infos, session->state().AddGraph(nodes));
  for (const NodeInfo& info : infos) EncodeNode(info, resp->add_nodes());
  return absl::OkStatus();
}

RemoteKService::Reactor* RemoteKService::BuildGraph(Ctx* ctx, const v1::BuildGraphRequest* req,
                                                    v1::BuildGraphResponse* resp) {
  return Offload(ctx, [this, ctx, req, resp] { return DoBuildGraph(ctx, *req, resp); });
}

absl::Status RemoteKService::DoGradients(Ctx* ctx, const v1::GradientsRequest& req,
                                         v1::GradientsResponse* resp) {
  REMOTEK_ASSIGN_OR_RETURN(auto session, FindSession(ctx, req.session_id()));
  if (req.loss().empty()) return absl::InvalidArgumentError("gradients: loss is empty");
  if (req.variables().empty()) {
    return absl::InvalidArgumentError("gradients: variables is empty");
  }
  std::vector<std::string> xs;
  xs.reserve(req.variables_size());
  for (int i = 0; i < req.variables_size(); ++i) {
    if (req.variables(i).empty()) {
      return absl::InvalidArgumentError(absl::StrCat("gradients: variables[", i, "] is empty"));
    }
    xs.push_back(req.variables(i));
  }
  REMOTEK_RETURN_IF_ERROR(CheckNodeBudget(*session, 1));
  REMOTEK_ASSIGN_OR_RETURN(std::vector<std::optional<NodeInfo>> grads,
                           session->state().Gradients(req.loss(), xs));
  for (const std::optional<NodeInfo>& g : grads) {
    v1::Gradient* out = resp->add_gradients();
    if (g.has_value()) {
      EncodeNode(*g, out->mutable_node());
    } else {
      out->set_none(true);
    }
  }
  return absl::OkStatus();
}

RemoteKService::Reactor* RemoteKService::Gradients(Ctx* ctx, const v1::GradientsRequest* req,
                                                   v1::GradientsResponse* resp) {
  return Offload(ctx, [this, ctx, req, resp] { return DoGradients(ctx, *req, resp); });
}

// --------------------------------------------------------------- variables

RemoteKService::Reactor* RemoteKService::GetValue(Ctx* ctx, const v1::GetValueRequest* req,
                                                  v1::Tensor* resp) {
  return Offload(ctx, [this, ctx, req, resp]() -> absl::Status {
    REMOTEK_ASSIGN_OR_RETURN(auto session, FindSession(ctx, req->session_id()));
    REMOTEK_ASSIGN_OR_RETURN(Tensor value, session->state().GetValue(req->handle()));
    REMOTEK_RETURN_IF_ERROR(CheckFitsMessage(value, absl::StrCat("\"", req->handle(), "\"")));
    EncodeTensor(value, resp);
    return absl::OkStatus();
  });
}

RemoteKService::Reactor* RemoteKService::BatchGetValue(Ctx* ctx,
                                                       const v1::BatchGetValueRequest* req,
                                                       v1::BatchGetValueResponse* resp) {
  return Offload(ctx, [this, ctx, req, resp]() -> absl::Status {
    REMOTEK_ASSIGN_OR_RETURN(auto session, FindSession(ctx, req->session_id()));
    std::vector<Tensor> values;
    int64_t total = 0;
    for (int i = 0; i < req->handles_size(); ++i) {
      absl::StatusOr<Tensor> value = session->state().GetValue(req->handles(i));
      if (!value.ok()) {
        return absl::Status(value.status().code(),
                            absl::StrCat("handles[", i, "]: ", value.status().message()));
      }
      total += EncodedSize(*value);
      values.push_back(*std::move(value));
    }
    if (total > options_.max_message_bytes) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "batch_get_value: the values add up to ", total,
          " bytes, above the message limit of ", options_.max_message_bytes));
    }
    for (const Tensor& v : values) EncodeTensor(v, resp->add_values());
    return absl::OkStatus();
  });
}

RemoteKService::Reactor* RemoteKService::SetValue(Ctx* ctx, const v1::SetValueRequest* req,
                                                  v1::Empty*) {
  return Offload(ctx, [this, ctx, req]() -> absl::Status {
    REMOTEK_ASSIGN_OR_RETURN(auto session, FindSession(ctx, req->session_id()));
    REMOTEK_ASSIGN_OR_RETURN(Tensor value,
                             DecodeTensor(req->value(), "value", session->state().account(),
                                          options_.max_tensor_elements));
    return session->state().SetValue(req->handle(), value);
  });
}

// --------------------------------------------------------------- functions

RemoteKService::Reactor* RemoteKService::Function(Ctx* ctx, const v1::FunctionRequest* req,
                                                  v1::FunctionInfo* resp) {
  auto run = [&]() -> absl::Status {
    REMOTEK_ASSIGN_OR_RETURN(auto session, FindSession(ctx, req->session_id()));
    FunctionSignature sig;
    sig.inputs.assign(req->inputs().begin(), req->inputs().end());
    sig.outputs.assign(req->outputs().begin(), req->outputs().end());
    for (const v1::Update& u : req->updates()) sig.updates.emplace_back(u.variable(), u.value());
    std::vector<TensorSpec> inputs, outputs;
    REMOTEK_ASSIGN_OR_RETURN(std::string handle, session->state().CreateFunction(
                                                     sig, req->name(), &inputs, &outputs));
    resp->set_handle(handle);
    for (const TensorSpec& spec : inputs) EncodeSpec(spec, resp->add_inputs());
    for (const TensorSpec& spec : outputs) EncodeSpec(spec, resp->add_outputs());
    return absl::OkStatus();
  };
  return Respond(ctx, run());
}

absl::Status RemoteKService::DoCall(Ctx* ctx, const v1::CallRequest& req, v1::CallResponse* resp) {
  REMOTEK_ASSIGN_OR_RETURN(auto session, FindSession(ctx, req.session_id()));
  if (req.function().empty()) return absl::InvalidArgumentError("function is required");
  std::vector<Tensor> feeds;
  feeds.reserve(req.feeds_size());
  for (int i = 0; i < req.feeds_size(); ++i) {
    REMOTEK_ASSIGN_OR_RETURN(
        Tensor t, DecodeTensor(req.feeds(i), absl::StrCat("feeds[", i, "]"),
                               session->state().account(), options_.max_tensor_elements));
    feeds.push_back(std::move(t));
  }
  REMOTEK_ASSIGN_OR_RETURN(std::vector<Tensor> outputs,
                           session->state().CallFunction(req.function(), feeds,
                                                         RunContextFor(ctx, *session)));
  feeds.clear();
  int64_t total = 0;
  for (const Tensor& t : outputs) total += EncodedSize(t);
  if (total > options_.max_message_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "call: the outputs add up to ", total, " bytes, above the message limit of ",
        options_.max_message_bytes, "; keep large results in variables and use DownloadTensor"));
  }
  for (const Tensor& t : outputs) EncodeTensor(t, resp->add_outputs());
  return absl::OkStatus();
}

RemoteKService::Reactor* RemoteKService::Call(Ctx* ctx, const v1::CallRequest* req,
                                              v1::CallResponse* resp) {
  return Offload(ctx, [this, ctx, req, resp] { return DoCall(ctx, *req, resp); });
}

RemoteKService::Reactor* RemoteKService::ReleaseFunction(Ctx* ctx,
                                                         const v1::ReleaseFunctionRequest* req,
                                                         v1::Empty*) {
  auto run = [&]() -> absl::Status {
    REMOTEK_ASSIGN_OR_RETURN(auto session, FindSession(ctx, req->session_id()));
    if (req->function().empty()) return absl::InvalidArgumentError("function is required");
    return session->state().ReleaseFunction(req->function());
  };
  return Respond(ctx, run());
}

// ------------------------------------------------------------------- eager

absl::Status RemoteKService::DoRunOp(Ctx* ctx, const v1::RunOpRequest& req,
                                     v1::RunOpResponse* resp) {
  REMOTEK_ASSIGN_OR_RETURN(auto session, FindSession(ctx, req.session_id()));
  if (req.op().empty()) return absl::InvalidArgumentError("op is required");
  std::vector<EagerArg> args;
  args.reserve(req.args_size());
  for (int i = 0; i < req.args_size(); ++i) {
    const v1::OpArg& arg = req.args(i);
    switch (arg.arg_case()) {
      case v1::OpArg::kTensor: {
        REMOTEK_ASSIGN_OR_RETURN(
            Tensor t, DecodeTensor(arg.tensor(), absl::StrCat("args[", i, "].tensor"),
                                   session->state().account(), options_.max_tensor_elements));
        args.emplace_back(std::move(t));
        break;
      }
      case v1::OpArg::kHandle:
        args.emplace_back(arg.handle());
        break;
      case v1::OpArg::ARG_NOT_SET:
        return absl::InvalidArgumentError(absl::StrCat("args[", i, "] is empty"));
    }
  }
  REMOTEK_ASSIGN_OR_RETURN(AttrMap attrs, DecodeAttrs(req.attrs()));
  if (req.skip_result() && !req.keep()) {
    return absl::InvalidArgumentError("skip_result=true requires keep=true");
  }
  std::optional<std::string> keep_as;
  if (req.keep()) {
    REMOTEK_RETURN_IF_ERROR(CheckNodeBudget(*session, 1));
    keep_as = req.keep_name();
  }
  NodeInfo kept;
  REMOTEK_ASSIGN_OR_RETURN(Tensor result,
                           session->state().RunEager(req.op(), args, attrs, keep_as, &kept,
                                                     RunContextFor(ctx, *session)));
  args.clear();
  if (req.keep()) EncodeNode(kept, resp->mutable_kept());
  if (!req.skip_result()) {
    REMOTEK_RETURN_IF_ERROR(CheckFitsMessage(result, absl::StrCat(req.op(), " result")));
    EncodeTensor(result, resp->mutable_result());
  }
  return absl::OkStatus();
}

RemoteKService::Reactor* RemoteKService::RunOp(Ctx* ctx, const v1::RunOpRequest* req,
                                               v1::RunOpResponse* resp) {
  int64_t inline_bytes = 0;
  bool small = true;
  for (const v1::OpArg& arg : req->args()) {
    if (arg.has_handle()) small = false;
    inline_bytes += arg.tensor().content().size();
  }
  if (small && inline_bytes <= options_.inline_op_bytes) {
    if (absl::Status auth = TenantOf(ctx).status(); !auth.ok()) return Respond(ctx, auth);
    if (absl::Status slot = AcquireComputeSlot(); !slot.ok()) return Respond(ctx, slot);
    const absl::Status status = DoRunOp(ctx, *req, resp);
    ReleaseComputeSlot();
    return Respond(ctx, status);
  }
  return Offload(ctx, [this, ctx, req, resp] { return DoRunOp(ctx, *req, resp); });
}

}  // namespace remotek::server
