// The gRPC edge: decode a request, call the engine, encode the answer. No
// op semantics live here. Cheap requests finish on gRPC's callback thread;
// anything that computes or copies much is handed to the ComputePool.
#ifndef REMOTEK_SERVER_REMOTEK_SERVICE_H_
#define REMOTEK_SERVER_REMOTEK_SERVICE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "backend/core/run_context.h"
#include "remotek/v1/remotek.grpc.pb.h"
#include "server/auth.h"
#include "server/backend_registry.h"
#include "server/compute_pool.h"
#include "server/metrics.h"
#include "server/session_manager.h"

namespace remotek::server {

struct ServiceOptions {
  int64_t max_message_bytes = 64 << 20;
  int64_t default_chunk_bytes = 1 << 20;
  // RunOp requests whose inline tensors are at most this many bytes (and that
  // name no session-held values) run inline on the callback thread: for tiny
  // ops a thread hop costs more than the op.
  int64_t inline_op_bytes = 64 << 10;
  std::string version = "0.1.0";
  std::map<std::string, std::string> config_sources;  // for GetServerInfo
  // Bearer-token auth; null: no auth and every caller is tenant "default".
  std::shared_ptr<const TokenStore> tokens;
  // Quotas; 0 means unlimited.
  int64_t max_graph_nodes = 0;       // per BuildGraph request and per session
  int64_t max_tensor_elements = 0;   // any decoded tensor, shape or initializer
  int max_concurrent_calls = 0;      // compute calls in flight, server-wide
  // Where each op a call runs is counted and timed (remotek_op_*); null: ops
  // are not timed (metrics off).
  Metrics* op_metrics = nullptr;
};

// Thread-safety: all handlers may run concurrently.
class RemoteKService final : public v1::RemoteK::CallbackService {
 public:
  // REQUIRES: all pointers outlive the service.
  RemoteKService(const BackendRegistry* backends, SessionManager* sessions,
                 ComputePool* pool, ServiceOptions options);

  using Ctx = grpc::CallbackServerContext;
  using Reactor = grpc::ServerUnaryReactor;

  Reactor* GetServerInfo(Ctx*, const v1::GetServerInfoRequest*, v1::ServerInfo*) override;
  Reactor* ListBackends(Ctx*, const v1::ListBackendsRequest*, v1::ListBackendsResponse*) override;
  Reactor* Echo(Ctx*, const v1::EchoRequest*, v1::EchoResponse*) override;
  Reactor* CreateSession(Ctx*, const v1::CreateSessionRequest*, v1::SessionInfo*) override;
  Reactor* CloseSession(Ctx*, const v1::SessionRequest*, v1::Empty*) override;
  Reactor* ClearSession(Ctx*, const v1::SessionRequest*, v1::SessionInfo*) override;
  Reactor* ListSessions(Ctx*, const v1::ListSessionsRequest*, v1::ListSessionsResponse*) override;
  Reactor* GetSession(Ctx*, const v1::SessionRequest*, v1::SessionInfo*) override;
  Reactor* KeepAlive(Ctx*, const v1::SessionRequest*, v1::Empty*) override;
  Reactor* Placeholder(Ctx*, const v1::PlaceholderRequest*, v1::Node*) override;
  Reactor* Variable(Ctx*, const v1::VariableRequest*, v1::Node*) override;
  Reactor* Constant(Ctx*, const v1::ConstantRequest*, v1::Node*) override;
  Reactor* OpNode(Ctx*, const v1::OpNodeRequest*, v1::Node*) override;
  Reactor* BuildGraph(Ctx*, const v1::BuildGraphRequest*, v1::BuildGraphResponse*) override;
  Reactor* Gradients(Ctx*, const v1::GradientsRequest*, v1::GradientsResponse*) override;
  Reactor* GetValue(Ctx*, const v1::GetValueRequest*, v1::Tensor*) override;
  Reactor* BatchGetValue(Ctx*, const v1::BatchGetValueRequest*, v1::BatchGetValueResponse*) override;
  Reactor* SetValue(Ctx*, const v1::SetValueRequest*, v1::Empty*) override;
  Reactor* Function(Ctx*, const v1::FunctionRequest*, v1::FunctionInfo*) override;
  Reactor* Call(Ctx*, const v1::CallRequest*, v1::CallResponse*) override;
  Reactor* ReleaseFunction(Ctx*, const v1::ReleaseFunctionRequest*, v1::Empty*) override;
  Reactor* RunOp(Ctx*, const v1::RunOpRequest*, v1::RunOpResponse*) override;
  grpc::ServerReadReactor<v1::UploadChunk>* UploadTensor(Ctx*, v1::Node*) override;
  grpc::ServerWriteReactor<v1::DownloadChunk>* DownloadTensor(
      Ctx*, const v1::DownloadTensorRequest*) override;

  // Shared with the streaming reactors.
  // The tenant a request acts for: the one owning its bearer token, or
  // "default" without auth. UNAUTHENTICATED without a valid token. Every RPC
  // goes through it (directly or through FindSession).
  absl::StatusOr<std::string> TenantOf(const Ctx* ctx) const;
  // TenantOf, then the tenant's session `id`.
  absl::StatusOr<std::shared_ptr<Session>> FindSession(Ctx* ctx, const std::string& id) const;
  // RESOURCE_EXHAUSTED when `session` plus `adding` nodes would pass max_graph_nodes.
  absl::Status CheckNodeBudget(const Session& session, int64_t adding) const;
  const ServiceOptions& options() const { return options_; }

 private:
  // Finishes on this thread / on the compute pool with `work`'s status.
  Reactor* Respond(Ctx* ctx, const absl::Status& status);
  // Offload authenticates and takes a compute slot before queueing `work`.
  Reactor* Offload(Ctx* ctx, std::function<absl::Status()> work);
  absl::Status AcquireComputeSlot();
  void ReleaseComputeSlot();
  absl::Status FillSessionInfo(const Session& session, v1::SessionInfo* info) const;
  absl::Status CheckFitsMessage(const Tensor& t, const std::string& what) const;

  absl::Status DoVariable(Ctx* ctx, const v1::VariableRequest& req, v1::Node* resp);
  absl::Status DoBuildGraph(Ctx* ctx, const v1::BuildGraphRequest& req,
                            v1::BuildGraphResponse* resp);
  // The session must have room for at least one more node before the engine
  // runs; how many the gradient adds is known only afterwards, and the
  // engine call is all or nothing, so one request may pass max_graph_nodes
  // by the size of that one gradient (later requests are then refused).
  absl::Status DoGradients(Ctx* ctx, const v1::GradientsRequest& req,
                           v1::GradientsResponse* resp);
  // Stops the engine once the client cancels or its deadline passes, and
  // reports each op to options_.op_metrics.
  RunContext RunContextFor(const Ctx* ctx, const Session& session) const;
  absl::Status DoCall(Ctx* ctx, const v1::CallRequest& req, v1::CallResponse* resp);
  absl::Status DoRunOp(Ctx* ctx, const v1::RunOpRequest& req, v1::RunOpResponse* resp);

  const BackendRegistry* const backends_;
  SessionManager* const sessions_;
  ComputePool* const pool_;
  const ServiceOptions options_;
  std::atomic<int> compute_in_flight_{0};
};

// Engine request decoders shared by single-node and whole-graph requests.
// `max_elements` (0: unlimited) bounds every shape, tensor and initializer.
absl::StatusOr<NodeRequest> DecodePlaceholder(const v1::PlaceholderRequest& req,
                                              int64_t max_elements = 0);
absl::StatusOr<NodeRequest> DecodeVariable(const v1::VariableRequest& req,
                                           const std::shared_ptr<MemoryAccount>& account,
                                           int64_t max_elements = 0);
absl::StatusOr<NodeRequest> DecodeConstant(const v1::ConstantRequest& req,
                                           const std::shared_ptr<MemoryAccount>& account,
                                           int64_t max_elements = 0);
absl::StatusOr<NodeRequest> DecodeOpNode(const v1::OpNodeRequest& req);
void EncodeNode(const NodeInfo& info, v1::Node* node);

}  // namespace remotek::server

#endif  // REMOTEK_SERVER_REMOTEK_SERVICE_H_
