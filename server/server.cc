#include "server/server.h"

#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/server_builder.h"

namespace remotek::server {

absl::StatusOr<std::unique_ptr<Server>> Server::Start(ServerOptions options) {
  auto server = std::unique_ptr<Server>(new Server());
  server->options_ = options;
  server->backends_ = BackendRegistry::CreateBuiltIn();
  // An invalid default stops the server; an invalid extra is only reported.
  if (!server->backends_->Hosts(options.default_backend)) {
    absl::Status loaded =
        server->backends_->LoadExternal(options.default_backend, options.backend_search_path);
    if (!loaded.ok()) return loaded;
  }
  for (const std::string& name : options.extra_backends) {
    if (server->backends_->Hosts(name)) continue;
    absl::Status loaded = server->backends_->LoadExternal(name, options.backend_search_path);
    if (!loaded.ok()) server->backend_errors_.emplace_back(loaded.message());
  }
  absl::Status status = server->backends_->SetDefault(options.default_backend);
  if (!status.ok()) return status;
  if (options.service.max_message_bytes < 4096) {
    return absl::InvalidArgumentError(absl::StrCat(
        "max_message_bytes=", options.service.max_message_bytes, " must be at least 4096"));
  }
  server->sessions_ = std::make_unique<SessionManager>(server->backends_.get(), options.defaults);
  const int threads = options.compute_threads > 0
                          ? options.compute_threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  server->pool_ = std::make_unique<ComputePool>(threads);
  server->service_ = std::make_unique<RemoteKService>(
      server->backends_.get(), server->sessions_.get(), server->pool_.get(), options.service);

  // grpc.health.v1 (Kubernetes gRPC probes, load balancers) and server
  // reflection; both are process-wide switches read by the builder.
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.address, grpc::InsecureServerCredentials(), &server->port_);
  builder.RegisterService(server->service_.get());
  const int limit = static_cast<int>(std::min<int64_t>(options.service.max_message_bytes, INT32_MAX));
  builder.SetMaxReceiveMessageSize(limit);
  builder.SetMaxSendMessageSize(limit);
  // A larger HTTP/2 window keeps multi-MiB chunks flowing (measured: the
  // default window throttles large transfers 3-4x).
  builder.AddChannelArgument("grpc.http2.lookahead_bytes", 16 << 20);
  server->grpc_server_ = builder.BuildAndStart();
  if (server->grpc_server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("could not listen on ", options.address));
  }
  grpc::HealthCheckServiceInterface* health = server->grpc_server_->GetHealthCheckService();
  health->SetServingStatus(v1::RemoteK::service_full_name(), true);
  health->SetServingStatus(true);  // "" (the whole server) and every service named
  return server;
}

Server::~Server() { Shutdown(); }

std::string Server::address() const {
  const std::string& a = options_.address;
  const size_t colon = a.rfind(':');
  return absl::StrCat(a.substr(0, colon), ":", port_);
}

std::string Server::StartupLine() const {
  return absl::StrCat("remotek-server listening on ", address(), " backends=[",
                      absl::StrJoin(backends_->Names(), ","),
                      "] default_backend=", backends_->default_name());
}

void Server::Wait() {
  if (grpc_server_) grpc_server_->Wait();
}

void Server::Shutdown(absl::Duration grace) {
  if (grpc_server_) {
    // Health says NOT_SERVING at once so balancers stop sending; calls in
    // flight get up to `grace` to finish before they are cancelled.
    grpc_server_->GetHealthCheckService()->SetServingStatus(false);
    grpc_server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
    grpc_server_->Wait();
    grpc_server_.reset();
  }
  pool_.reset();  // runs what is queued; those reactors are already finished by Shutdown's cancel
}

}  // namespace remotek::server
