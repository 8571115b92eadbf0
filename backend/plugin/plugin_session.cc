#include "backend/plugin/plugin_session.h"

#include "absl/strings/str_cat.h"
#include "backend/core/status_macros.h"
#include "backend/plugin/abi_convert.h"
#include "backend/plugin/reply_collector.h"

namespace remotek::plugin {
namespace {

RkNodeFn EntryFor(const PluginEntries& e, const NodeRequest& request, const char** entry) {
  switch (request.index()) {
    case 0: *entry = "placeholder"; return e.placeholder;
    case 1: *entry = "variable"; return e.variable;
    case 2: *entry = "constant"; return e.constant;
    default: *entry = "op"; return e.op;
  }
}

std::vector<const char*> CStrings(const std::vector<std::string>& strings) {
  std::vector<const char*> out;
  out.reserve(strings.size());
  for (const std::string& s : strings) out.push_back(s.c_str());
  return out;
}

}  // namespace

absl::StatusOr<std::unique_ptr<PluginSession>> PluginSession::Create(
    std::shared_ptr<const PluginLibrary> library, const OpConfig& config,
    std::shared_ptr<MemoryAccount> account) {
  RkConfig c{};
  c.floatx = static_cast<int32_t>(config.floatx);
  c.epsilon = config.epsilon;
  c.channels_first = config.image_data_format == ImageDataFormat::kChannelsFirst ? 1 : 0;
  c.memory_limit_bytes =
      account != nullptr && account->limit() != MemoryAccount::kNoLimit ? account->limit() : 0;
  ReplyCollector reply(library->name(), "create", account);
  RkSession* session = nullptr;
  const RkCode code = library->entries().create(&c, &session, reply.reply());
  REMOTEK_RETURN_IF_ERROR(reply.Finish(code));
  if (session == nullptr) {
    return absl::InternalError(
        absl::StrCat("backend \"", library->name(), "\" create returned no session"));
  }
  return std::unique_ptr<PluginSession>(
      new PluginSession(std::move(library), config, std::move(account), session));
}

PluginSession::~PluginSession() { entries().destroy(session_); }

absl::StatusOr<NodeInfo> PluginSession::AddNode(const NodeRequest& request) {
  const char* entry = nullptr;
  RkNodeFn fn = EntryFor(entries(), request, &entry);
  NodeView view(request);
  ReplyCollector reply(library_->name(), entry, account_);
  REMOTEK_RETURN_IF_ERROR(reply.Finish(fn(session_, &view.node(), reply.reply())));
  REMOTEK_RETURN_IF_ERROR(reply.ExpectNodes(1));
  return std::move(reply.nodes()[0]);
}

absl::StatusOr<std::vector<NodeInfo>> PluginSession::AddGraph(
    const std::vector<NodeRequest>& nodes) {
  if (entries().graph == nullptr) {
    if (nodes.size() == 1) {
      REMOTEK_ASSIGN_OR_RETURN(NodeInfo info, AddNode(nodes[0]));
      return std::vector<NodeInfo>{std::move(info)};
    }
    return absl::UnimplementedError(absl::StrCat(
        "backend \"", library_->name(),
        "\" has no `graph` entry, so it cannot add a graph of ", nodes.size(),
        " nodes all or nothing; add the nodes one by one"));
  }
  std::vector<std::unique_ptr<NodeView>> views;
  std::vector<RkNode> rk_nodes;
  for (const NodeRequest& n : nodes) {
    views.push_back(std::make_unique<NodeView>(n));
    rk_nodes.push_back(views.back()->node());
  }
  ReplyCollector reply(library_->name(), "graph", account_);
  REMOTEK_RETURN_IF_ERROR(reply.Finish(entries().graph(
      session_, rk_nodes.data(), static_cast<int32_t>(rk_nodes.size()), reply.reply())));
  REMOTEK_RETURN_IF_ERROR(reply.ExpectNodes(nodes.size()));
  return std::move(reply.nodes());
}

absl::StatusOr<NodeInfo> PluginSession::Describe(const std::string& handle) const {
  if (entries().describe == nullptr) {
    return absl::UnimplementedError(
        absl::StrCat("backend \"", library_->name(), "\" has no `describe` entry"));
  }
  ReplyCollector reply(library_->name(), "describe", account_);
  REMOTEK_RETURN_IF_ERROR(reply.Finish(entries().describe(session_, handle.c_str(), reply.reply())));
  REMOTEK_RETURN_IF_ERROR(reply.ExpectNodes(1));
  return std::move(reply.nodes()[0]);
}

absl::StatusOr<std::vector<std::optional<NodeInfo>>> PluginSession::Gradients(
    const std::string&, const std::vector<std::string>&) {
  return absl::FailedPreconditionError(
      absl::StrCat("backend \"", library_->name(),
                   "\" does not support gradients (the plugin ABI has no gradients entry)"));
}

absl::StatusOr<Tensor> PluginSession::GetValue(const std::string& handle) const {
  ReplyCollector reply(library_->name(), "read", account_);
  REMOTEK_RETURN_IF_ERROR(reply.Finish(entries().read(session_, handle.c_str(), reply.reply())));
  REMOTEK_RETURN_IF_ERROR(reply.ExpectTensors(1));
  return std::move(reply.tensors()[0]);
}

absl::Status PluginSession::SetValue(const std::string& handle, const Tensor& value) {
  const RkTensor view = TensorView(value);
  ReplyCollector reply(library_->name(), "write", account_);
  return reply.Finish(entries().write(session_, handle.c_str(), &view, reply.reply()));
}

absl::StatusOr<std::string> PluginSession::CreateFunction(const FunctionSignature& signature,
                                                          const std::string& name,
                                                          std::vector<TensorSpec>* input_specs,
                                                          std::vector<TensorSpec>* output_specs) {
  std::vector<std::string> targets, values;
  for (const auto& [target, value] : signature.updates) {
    targets.push_back(target);
    values.push_back(value);
  }
  const std::vector<const char*> in = CStrings(signature.inputs);
  const std::vector<const char*> out = CStrings(signature.outputs);
  const std::vector<const char*> t = CStrings(targets);
  const std::vector<const char*> v = CStrings(values);
  ReplyCollector reply(library_->name(), "function", account_);
  REMOTEK_RETURN_IF_ERROR(reply.Finish(entries().function(
      session_, name.c_str(), in.data(), static_cast<int32_t>(in.size()), out.data(),
      static_cast<int32_t>(out.size()), t.data(), v.data(), static_cast<int32_t>(t.size()),
      reply.reply())));
  if (!reply.handle().has_value() || reply.input_specs().size() != in.size() ||
      reply.output_specs().size() != out.size()) {
    return absl::InternalError(absl::StrCat(
        "backend \"", library_->name(), "\" function reported ",
        reply.handle().has_value() ? "" : "no handle and ", reply.input_specs().size(),
        " input and ", reply.output_specs().size(), " output specs for ", in.size(), " inputs and ",
        out.size(), " outputs"));
  }
  if (input_specs != nullptr) *input_specs = std::move(reply.input_specs());
  if (output_specs != nullptr) *output_specs = std::move(reply.output_specs());
  return *reply.handle();
}

absl::StatusOr<std::vector<Tensor>> PluginSession::CallFunction(const std::string& handle,
                                                                absl::Span<const Tensor> feeds,
                                                                const RunContext& run) {
  REMOTEK_RETURN_IF_ERROR(run.CheckStop());
  std::vector<RkTensor> views;
  views.reserve(feeds.size());
  for (const Tensor& t : feeds) views.push_back(TensorView(t));
  ReplyCollector reply(library_->name(), "call", account_);
  REMOTEK_RETURN_IF_ERROR(reply.Finish(entries().call(session_, handle.c_str(), views.data(),
                                                      static_cast<int32_t>(views.size()),
                                                      reply.reply())));
  return std::move(reply.tensors());
}

absl::Status PluginSession::ReleaseFunction(const std::string& handle) {
  ReplyCollector reply(library_->name(), "release", account_);
  return reply.Finish(entries().release(session_, handle.c_str(), reply.reply()));
}

absl::StatusOr<Tensor> PluginSession::RunEager(const std::string& op,
                                               absl::Span<const EagerArg> args,
                                               const AttrMap& attrs,
                                               std::optional<std::string> keep_as,
                                               NodeInfo* kept, const RunContext& run) {
  REMOTEK_RETURN_IF_ERROR(run.CheckStop());
  std::vector<RkArg> rk_args;
  rk_args.reserve(args.size());
  for (const EagerArg& a : args) {
    RkArg arg{};
    if (const std::string* handle = std::get_if<std::string>(&a)) {
      arg.handle = handle->c_str();
    } else {
      arg.tensor = TensorView(std::get<Tensor>(a));
    }
    rk_args.push_back(arg);
  }
  AttrsView attr_view(attrs);
  ReplyCollector reply(library_->name(), "run_op", account_);
  const absl::Time start = absl::Now();
  const absl::Status ran = reply.Finish(entries().run_op(
      session_, op.c_str(), rk_args.data(), static_cast<int32_t>(rk_args.size()), attr_view.data(),
      attr_view.size(), keep_as.has_value() ? keep_as->c_str() : nullptr, reply.reply()));
  run.ObserveOp(op, absl::Now() - start, ran.ok());
  REMOTEK_RETURN_IF_ERROR(ran);
  REMOTEK_RETURN_IF_ERROR(reply.ExpectTensors(1));
  REMOTEK_RETURN_IF_ERROR(reply.ExpectNodes(keep_as.has_value() ? 1 : 0));
  if (keep_as.has_value() && kept != nullptr) *kept = std::move(reply.nodes()[0]);
  return std::move(reply.tensors()[0]);
}

void PluginSession::Clear() { entries().clear(session_); }

SessionStats PluginSession::Stats() const {
  SessionStats stats;
  if (entries().stats != nullptr) {
    RkStats s{};
    entries().stats(session_, &s);
    stats.bytes_held = s.bytes_held;
    stats.peak_bytes = s.peak_bytes;
    stats.nodes = s.nodes;
    stats.variables = s.variables;
    stats.functions = s.functions;
  }
  return stats;
}

}  // namespace remotek::plugin
