#include "remotek/session.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "client/cpp/wire.h"

namespace remotek::client {

using internal::CallUnary;
using Stub = v1::RemoteK::Stub;

// ---------------------------------------------------------------- Function

absl::StatusOr<std::vector<HostTensor>> Function::operator()(
    const std::vector<HostTensor>& feeds) const {
  if (core_ == nullptr)
    return absl::FailedPreconditionError("function is not initialised");
  v1::CallRequest req;
  req.set_session_id(core_->id);
  req.set_function(handle_);
  for (size_t i = 0; i < feeds.size(); ++i) {
    RK_CLIENT_RETURN_IF_ERROR(internal::EncodeTensor(
        feeds[i], absl::StrCat("feeds[", i, "]"), req.add_feeds()));
  }
  v1::CallResponse resp;
  RK_CLIENT_RETURN_IF_ERROR(
      CallUnary(*core_->connection, core_->id, &Stub::Call, req, &resp));
  std::vector<HostTensor> out;
  out.reserve(resp.outputs_size());
  for (v1::Tensor& t : *resp.mutable_outputs())
    out.push_back(internal::DecodeTensor(&t));
  return out;
}

absl::Status Function::release() const {
  if (core_ == nullptr)
    return absl::FailedPreconditionError("function is not initialised");
  v1::ReleaseFunctionRequest req;
  req.set_session_id(core_->id);
  req.set_function(handle_);
  v1::Empty resp;
  return CallUnary(*core_->connection, core_->id, &Stub::ReleaseFunction, req,
                   &resp);
}

// ----------------------------------------------------------------- Session

Session::Session(std::shared_ptr<const internal::SessionCore> core)
    : core_(std::move(core)) {}

Session::Session(Session&& other) noexcept
    : core_(std::move(other.core_)), owns_(other.owns_) {
  other.owns_ = false;
}

Session& Session::operator=(Session&& other) noexcept {
  if (this != &other) {
    if (owns_ && core_ != nullptr) close().IgnoreError();
    core_ = std::move(other.core_);
    owns_ = other.owns_;
    other.owns_ = false;
  }
  return *this;
}

Session::~Session() {
  if (!owns_ || core_ == nullptr ||
      !core_->connection->options.close_sessions_on_destruction) {
    return;
  }
  // Best effort: a short deadline so a gone server cannot stall destruction.
  v1::SessionRequest req;
  req.set_session_id(core_->id);
  v1::Empty resp;
  grpc::ClientContext context;
  context.AddMetadata(kSessionIdHeader, core_->id);
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(2));
  core_->connection->stub->CloseSession(&context, req, &resp).ok();
}

const std::string& Session::id() const {
  static const std::string* const kNone = new std::string();
  return core_ == nullptr ? *kNone : core_->id;
}

absl::Status Session::CheckOpen() const {
  if (core_ == nullptr) {
    return absl::FailedPreconditionError(
        "this Session was moved from; it names no session");
  }
  return absl::OkStatus();
}

absl::StatusOr<SessionInfo> Session::info() const {
  RK_CLIENT_RETURN_IF_ERROR(CheckOpen());
  v1::SessionRequest req;
  req.set_session_id(core_->id);
  v1::SessionInfo resp;
  RK_CLIENT_RETURN_IF_ERROR(
      CallUnary(*core_->connection, core_->id, &Stub::GetSession, req, &resp));
  return internal::DecodeSessionInfo(resp);
}

absl::StatusOr<SessionStats> Session::stats() const {
  RK_CLIENT_ASSIGN_OR_RETURN(SessionInfo info, this->info());
  return info.stats;
}

absl::Status Session::keep_alive() const {
  RK_CLIENT_RETURN_IF_ERROR(CheckOpen());
  v1::SessionRequest req;
  req.set_session_id(core_->id);
  v1::Empty resp;
  return CallUnary(*core_->connection, core_->id, &Stub::KeepAlive, req, &resp);
}

absl::StatusOr<SessionInfo> Session::clear_session() const {
  RK_CLIENT_RETURN_IF_ERROR(CheckOpen());
  v1::SessionRequest req;
  req.set_session_id(core_->id);
  v1::SessionInfo resp;
  RK_CLIENT_RETURN_IF_ERROR(CallUnary(*core_->connection, core_->id,
                                      &Stub::ClearSession, req, &resp));
  return internal::DecodeSessionInfo(resp);
}

absl::Status Session::close() {
  RK_CLIENT_RETURN_IF_ERROR(CheckOpen());
  owns_ = false;
  v1::SessionRequest req;
  req.set_session_id(core_->id);
  v1::Empty resp;
  return CallUnary(*core_->connection, core_->id, &Stub::CloseSession, req,
                   &resp);
}

std::string Session::detach() {
  owns_ = false;
  return id();
}

// ------------------------------------------------------------------- graph

absl::StatusOr<Node> Session::placeholder(Dims shape, DType dtype,
                                          const std::string& name) const {
  RK_CLIENT_RETURN_IF_ERROR(CheckOpen());
  v1::PlaceholderRequest req =
      internal::MakePlaceholder(name, &shape, 0, dtype);
  req.set_session_id(core_->id);
  v1::Node resp;
  RK_CLIENT_RETURN_IF_ERROR(
      CallUnary(*core_->connection, core_->id, &Stub::Placeholder, req, &resp));
  return internal::DecodeNode(resp);
}

absl::StatusOr<Node> Session::PlaceholderNdim(int ndim, DType dtype,
                                              const std::string& name) const {
  RK_CLIENT_RETURN_IF_ERROR(CheckOpen());
  v1::PlaceholderRequest req =
      internal::MakePlaceholder(name, nullptr, ndim, dtype);
  req.set_session_id(core_->id);
  v1::Node resp;
  RK_CLIENT_RETURN_IF_ERROR(
      CallUnary(*core_->connection, core_->id, &Stub::Placeholder, req, &resp));
  return internal::DecodeNode(resp);
}

absl::StatusOr<Node> Session::variable(const HostTensor& value,
                                       const std::string& name,
                                       DType dtype) const {
  RK_CLIENT_RETURN_IF_ERROR(CheckOpen());
  if (internal::ShouldStream(*core_->connection, value.byte_size()) &&
      (dtype == DType::kInvalid || dtype == value.dtype())) {
    return upload(value, UploadTarget::kNewVariable, name);
  }
  v1::VariableRequest req;
  req.set_session_id(core_->id);
  req.set_name(name);
  req.set_dtype(internal::EncodeDType(dtype));
  RK_CLIENT_RETURN_IF_ERROR(
      internal::EncodeTensor(value, "value", req.mutable_value()));
  v1::Node resp;
  RK_CLIENT_RETURN_IF_ERROR(
      CallUnary(*core_->connection, core_->id, &Stub::Variable, req, &resp));
  return internal::DecodeNode(resp);
}

absl::StatusOr<Node> Session::AddInitVariable(int kind, Dims shape, double a,
                                              double b,
                                              std::optional<uint64_t> seed,
                                              DType dtype,
                                              const std::string& name) const {
  RK_CLIENT_RETURN_IF_ERROR(CheckOpen());
  v1::VariableRequest req = internal::MakeInitVariable(
      static_cast<v1::Initializer::Kind>(kind), shape, a, b, seed, dtype, name);
  req.set_session_id(core_->id);
  v1::Node resp;
  RK_CLIENT_RETURN_IF_ERROR(
      CallUnary(*core_->connection, core_->id, &Stub::Variable, req, &resp));
  return internal::DecodeNode(resp);
}

absl::StatusOr<Node> Session::zeros(Dims shape, DType dtype,
                                    const std::string& name) const {
  return AddInitVariable(v1::Initializer::ZEROS, std::move(shape), 0, 0,
                         std::nullopt, dtype, name);
}

absl::StatusOr<Node> Session::ones(Dims shape, DType dtype,
                                   const std::string& name) const {
  return AddInitVariable(v1::Initializer::ONES, std::move(shape), 0, 0,
                         std::nullopt, dtype, name);
}

absl::StatusOr<Node> Session::eye(int64_t size, DType dtype,
                                  const std::string& name) const {
  return AddInitVariable(v1::Initializer::EYE, {size, size}, 0, 0, std::nullopt,
                         dtype, name);
}

absl::StatusOr<Node> Session::random_uniform_variable(
    Dims shape, double low, double high, std::optional<uint64_t> seed,
    DType dtype, const std::string& name) const {
  return AddInitVariable(v1::Initializer::RANDOM_UNIFORM, std::move(shape), low,
                         high, seed, dtype, name);
}

absl::StatusOr<Node> Session::random_normal_variable(
    Dims shape, double mean, double scale, std::optional<uint64_t> seed,
    DType dtype, const std::string& name) const {
  return AddInitVariable(v1::Initializer::RANDOM_NORMAL, std::move(shape), mean,
                         scale, seed, dtype, name);
}

absl::StatusOr<Node> Session::constant(const HostTensor& value,
                                       const std::string& name,
                                       DType dtype) const {
  RK_CLIENT_RETURN_IF_ERROR(CheckOpen());
  if (internal::ShouldStream(*core_->connection, value.byte_size()) &&
      (dtype == DType::kInvalid || dtype == value.dtype())) {
    return upload(value, UploadTarget::kNewConstant, name);
  }
  v1::ConstantRequest req;
  req.set_session_id(core_->id);
  req.set_name(name);
  req.set_dtype(internal::EncodeDType(dtype));
  RK_CLIENT_RETURN_IF_ERROR(
      internal::EncodeTensor(value, "value", req.mutable_value()));
  v1::Node resp;
  RK_CLIENT_RETURN_IF_ERROR(
      CallUnary(*core_->connection, core_->id, &Stub::Constant, req, &resp));
  return internal::DecodeNode(resp);
}

absl::StatusOr<Node> Session::op(const std::string& op,
                                 std::vector<NodeRef> inputs,
                                 const Attrs& attrs,
                                 const std::string& name) const {
  RK_CLIENT_RETURN_IF_ERROR(CheckOpen());
  v1::OpNodeRequest req = internal::MakeOpNode(op, inputs, attrs, name);
  req.set_session_id(core_->id);
  v1::Node resp;
  RK_CLIENT_RETURN_IF_ERROR(
      CallUnary(*core_->connection, core_->id, &Stub::OpNode, req, &resp));
  return internal::DecodeNode(resp);
}

absl::StatusOr<std::vector<Node>> Session::build_graph(
    const GraphBuilder& graph) const {
  RK_CLIENT_RETURN_IF_ERROR(CheckOpen());
  RK_CLIENT_RETURN_IF_ERROR(graph.status());
  v1::BuildGraphRequest req = graph.request_->request;
  req.set_session_id(core_->id);
  v1::BuildGraphResponse resp;
  RK_CLIENT_RETURN_IF_ERROR(
      CallUnary(*core_->connection, core_->id, &Stub::BuildGraph, req, &resp));
  std::vector<Node> out;
  out.reserve(resp.nodes_size());
  for (const v1::Node& n : resp.nodes()) out.push_back(internal::DecodeNode(n));
  return out;
}

absl::StatusOr<std::vector<std::optional<Node>>> Session::gradients(
    NodeRef loss, const std::vector<NodeRef>& variables) const {
  RK_CLIENT_RETURN_IF_ERROR(CheckOpen());
  v1::GradientsRequest req;
  req.set_session_id(core_->id);
  req.set_loss(loss.handle());
  for (const NodeRef& v : variables) req.add_variables(v.handle());
  v1::GradientsResponse resp;
  RK_CLIENT_RETURN_IF_ERROR(
      CallUnary(*core_->connection, core_->id, &Stub::Gradients, req, &resp));
  std::vector<std::optional<Node>> out;
  out.reserve(resp.gradients_size());
  for (const v1::Gradient& g : resp.gradients()) {
    if (g.none()) {
      out.push_back(std::nullopt);
    } else {
      out.push_back(internal::DecodeNode(g.node()));
    }
  }
  return out;
}

// --------------------------------------------------------------- variables

absl::StatusOr<HostTensor> Session::get_value(NodeRef x) const {
  RK_CLIENT_RETURN_IF_ERROR(CheckOpen());
  v1::GetValueRequest req;
  req.set_session_id(core_->id);
  req.set_handle(x.handle());
  v1::Tensor resp;
  absl::Status status =
      CallUnary(*core_->connection, core_->id, &Stub::GetValue, req, &resp);
  // Above the server's message limit: the server says so and names the
  // streaming RPC; fetch it that way instead.
  if (status.code() == absl::StatusCode::kResourceExhausted &&
      absl::StrContains(status.message(), "DownloadTensor")) {
    return download(x);
  }
  RK_CLIENT_RETURN_IF_ERROR(status);
  return internal::DecodeTensor(&resp);
}

absl::StatusOr<std::vector<HostTensor>> Session::batch_get_value(
    const std::vector<NodeRef>& xs) const {
  RK_CLIENT_RETURN_IF_ERROR(CheckOpen());
  v1::BatchGetValueRequest req;
  req.set_session_id(core_->id);
  for (const NodeRef& x : xs) req.add_handles(x.handle());
  v1::BatchGetValueResponse resp;
  absl::Status status = CallUnary(*core_->connection, core_->id,
                                  &Stub::BatchGetValue, req, &resp);
  std::vector<HostTensor> out;
  if (status.code() == absl::StatusCode::kResourceExhausted) {
    // Together above the message limit: one by one (streaming the big ones).
    for (const NodeRef& x : xs) {
      RK_CLIENT_ASSIGN_OR_RETURN(HostTensor value, get_value(x));
      out.push_back(std::move(value));
    }
    return out;
  }
  RK_CLIENT_RETURN_IF_ERROR(status);
  out.reserve(resp.values_size());
  for (v1::Tensor& t : *resp.mutable_values())
    out.push_back(internal::DecodeTensor(&t));
  return out;
}

absl::Status Session::set_value(NodeRef x, const HostTensor& value) const {
  RK_CLIENT_RETURN_IF_ERROR(CheckOpen());
  if (internal::ShouldStream(*core_->connection, value.byte_size())) {
    return upload(value, UploadTarget::kSetValue, x.handle()).status();
  }
  v1::SetValueRequest req;
  req.set_session_id(core_->id);
  req.set_handle(x.handle());
  RK_CLIENT_RETURN_IF_ERROR(
      internal::EncodeTensor(value, "value", req.mutable_value()));
  v1::Empty resp;
  return CallUnary(*core_->connection, core_->id, &Stub::SetValue, req, &resp);
}

// --------------------------------------------------------------- functions

absl::StatusOr<Function> Session::function(std::vector<NodeRef> inputs,
                                           std::vector<NodeRef> outputs,
                                           std::vector<Update> updates,
                                           const std::string& name) const {
  RK_CLIENT_RETURN_IF_ERROR(CheckOpen());
  v1::FunctionRequest req;
  req.set_session_id(core_->id);
  req.set_name(name);
  for (const NodeRef& in : inputs) req.add_inputs(in.handle());
  for (const NodeRef& out : outputs) req.add_outputs(out.handle());
  for (const Update& u : updates) {
    v1::Update* update = req.add_updates();
    update->set_variable(u.variable.handle());
    update->set_value(u.value.handle());
  }
  v1::FunctionInfo resp;
  RK_CLIENT_RETURN_IF_ERROR(
      CallUnary(*core_->connection, core_->id, &Stub::Function, req, &resp));
  Function f;
  f.core_ = core_;
  f.handle_ = resp.handle();
  for (const v1::TensorSpec& s : resp.inputs())
    f.inputs_.push_back(internal::DecodeSpec(s));
  for (const v1::TensorSpec& s : resp.outputs())
    f.outputs_.push_back(internal::DecodeSpec(s));
  return f;
}

// ------------------------------------------------------------------- eager

absl::StatusOr<HostTensor> Session::run_op(const std::string& op,
                                           std::vector<EagerArg> args,
                                           const Attrs& attrs) const {
  RK_CLIENT_ASSIGN_OR_RETURN(
      EagerResult result, run_op(op, std::move(args), attrs, RunOpOptions()));
  return std::move(result.value);
}

absl::StatusOr<EagerResult> Session::run_op(const std::string& op,
                                            std::vector<EagerArg> args,
                                            const Attrs& attrs,
                                            const RunOpOptions& options) const {
  RK_CLIENT_RETURN_IF_ERROR(CheckOpen());
  v1::RunOpRequest req;
  req.set_session_id(core_->id);
  req.set_op(op);
  for (size_t i = 0; i < args.size(); ++i) {
    v1::OpArg* arg = req.add_args();
    if (args[i].tensor().has_value()) {
      RK_CLIENT_RETURN_IF_ERROR(internal::EncodeTensor(
          *args[i].tensor(), absl::StrCat("args[", i, "].tensor"),
          arg->mutable_tensor()));
    } else {
      arg->set_handle(args[i].handle());
    }
  }
  internal::EncodeAttrs(attrs, req.mutable_attrs());
  req.set_keep(options.keep);
  req.set_keep_name(options.keep_name);
  req.set_skip_result(options.skip_result);
  v1::RunOpResponse resp;
  RK_CLIENT_RETURN_IF_ERROR(
      CallUnary(*core_->connection, core_->id, &Stub::RunOp, req, &resp));
  EagerResult result;
  if (resp.has_result())
    result.value = internal::DecodeTensor(resp.mutable_result());
  if (resp.has_kept()) result.kept = internal::DecodeNode(resp.kept());
  return result;
}

}  // namespace remotek::client
