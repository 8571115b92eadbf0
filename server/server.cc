#include "server/server.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "backend/core/status_macros.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "server/request_interceptor.h"

namespace remotek::server {
namespace {

enum class PemKind { kCertificate, kPrivateKey };

// Reads `path` and checks it holds a PEM certificate / private key; errors
// name the flag and the file.
absl::StatusOr<std::string> ReadPem(const std::string& flag, const std::string& path,
                                    PemKind kind) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(absl::StrCat(flag, "=", path, ": cannot read the file"));
  }
  std::stringstream contents;
  contents << in.rdbuf();
  std::string pem = contents.str();
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  bool ok = false;
  if (kind == PemKind::kCertificate) {
    X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    ok = cert != nullptr;
    X509_free(cert);
  } else {
    EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
    ok = key != nullptr;
    EVP_PKEY_free(key);
  }
  BIO_free(bio);
  ERR_clear_error();
  if (!ok) {
    return absl::InvalidArgumentError(absl::StrCat(
        flag, "=", path, ": not a PEM ",
        kind == PemKind::kCertificate ? "certificate" : "private key"));
  }
  return pem;
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeCredentials(
    const ServerOptions& options) {
  if (options.tls_cert.empty() && options.tls_key.empty()) {
    if (!options.tls_client_ca.empty()) {
      return absl::InvalidArgumentError("tls_client_ca requires tls_cert and tls_key");
    }
    return grpc::InsecureServerCredentials();
  }
  if (options.tls_cert.empty() || options.tls_key.empty()) {
    return absl::InvalidArgumentError("tls_cert and tls_key must be given together");
  }
  grpc::SslServerCredentialsOptions ssl;
  grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
  REMOTEK_ASSIGN_OR_RETURN(pair.cert_chain,
                           ReadPem("tls_cert", options.tls_cert, PemKind::kCertificate));
  REMOTEK_ASSIGN_OR_RETURN(pair.private_key,
                           ReadPem("tls_key", options.tls_key, PemKind::kPrivateKey));
  ssl.pem_key_cert_pairs.push_back(pair);
  if (!options.tls_client_ca.empty()) {
    REMOTEK_ASSIGN_OR_RETURN(
        ssl.pem_root_certs,
        ReadPem("tls_client_ca", options.tls_client_ca, PemKind::kCertificate));
    ssl.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(ssl);
}

// Every method that gets its own metrics label: the RemoteK service (from
// its descriptor, so new RPCs are covered), health checks and reflection.
std::vector<std::string> CountedRpcMethods() {
  std::vector<std::string> paths;
  const google::protobuf::ServiceDescriptor* service =
      v1::GetServerInfoRequest::descriptor()->file()->FindServiceByName("RemoteK");
  for (int i = 0; service != nullptr && i < service->method_count(); ++i) {
    paths.push_back(absl::StrCat("/", service->full_name(), "/", service->method(i)->name()));
  }
  for (const char* path : {"/grpc.health.v1.Health/Check", "/grpc.health.v1.Health/Watch",
                           "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"}) {
    paths.emplace_back(path);
  }
  return paths;
}

// Session lifecycle events -> counters and one log line each.
SessionObserver LifecycleObserver(Metrics* metrics, EventLog* log) {
  return [metrics, log](SessionEvent event, const Session& session, int64_t bytes_freed) {
    metrics->ObserveSessionEvent(event);
    if (log == nullptr) return;
    EventLine line("info", SessionEventName(event));
    line.Add("session", session.id()).Add("tenant", session.tenant());
    line.Add("backend", session.backend_name());
    if (event != SessionEvent::kCreated) line.Add("bytes_freed", bytes_freed);
    if (event == SessionEvent::kExpired) {
      line.Add("idle_ms", NowUnixMs() - session.last_used_unix_ms());
    }
    log->Write(std::move(line));
  };
}

absl::Status CheckNotNegative(const char* flag, int64_t value) {
  if (value >= 0) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(flag, "=", value, " must be >= 0 (0: unlimited)"));
}

}  // namespace

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
  REMOTEK_RETURN_IF_ERROR(
      CheckNotNegative("session_memory_limit", options.limits.session_memory_bytes));
  REMOTEK_RETURN_IF_ERROR(
      CheckNotNegative("tenant_memory_limit", options.limits.tenant_memory_bytes));
  REMOTEK_RETURN_IF_ERROR(
      CheckNotNegative("max_sessions_per_tenant", options.limits.max_sessions_per_tenant));
  REMOTEK_RETURN_IF_ERROR(CheckNotNegative("max_graph_nodes", options.service.max_graph_nodes));
  REMOTEK_RETURN_IF_ERROR(
      CheckNotNegative("max_tensor_elements", options.service.max_tensor_elements));
  REMOTEK_RETURN_IF_ERROR(
      CheckNotNegative("max_concurrent_calls", options.service.max_concurrent_calls));
  if (options.session_ttl < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "session_ttl=", absl::FormatDuration(options.session_ttl), " must be >= 0 (0: never)"));
  }
  REMOTEK_ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> credentials,
                           MakeCredentials(options));
  server->metrics_ = std::make_unique<Metrics>(CountedRpcMethods());
  for (const std::string& name : server->backends_->Names()) {
    server->metrics_->RegisterOps(name, server->backends_->Find(name).value()->SupportedOps());
  }
  if (options.event_log) server->event_log_ = std::make_unique<EventLog>(options.event_sink);
  server->sessions_ = std::make_unique<SessionManager>(server->backends_.get(), options.defaults,
                                                       options.limits);
  server->sessions_->SetObserver(
      LifecycleObserver(server->metrics_.get(), server->event_log_.get()));
  if (!options.metrics_address.empty()) {
    Server* self = server.get();
    REMOTEK_ASSIGN_OR_RETURN(server->metrics_http_,
                             MetricsHttpServer::Start(options.metrics_address, [self] {
                               return self->metrics_->Render(self->sessions_->Usage());
                             }));
  }
  const int threads = options.compute_threads > 0
                          ? options.compute_threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  server->pool_ = std::make_unique<ComputePool>(threads);
  if (!options.metrics_address.empty()) options.service.op_metrics = server->metrics_.get();
  server->service_ = std::make_unique<RemoteKService>(
      server->backends_.get(), server->sessions_.get(), server->pool_.get(), options.service);

  // grpc.health.v1 (Kubernetes gRPC probes, load balancers) and server
  // reflection; both are process-wide switches read by the builder.
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.address, credentials, &server->port_);
  builder.RegisterService(server->service_.get());
  if (options.event_log || !options.metrics_address.empty()) {
    // Every RPC is counted and every failure logged here, in one place.
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> creators;
    creators.push_back(std::make_unique<RequestInterceptorFactory>(server->metrics_.get(),
                                                                   server->event_log_.get()));
    builder.experimental().SetInterceptorCreators(std::move(creators));
  }
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
  if (options.session_ttl > absl::ZeroDuration()) {
    const absl::Duration ttl = options.session_ttl;
    const absl::Duration period =
        std::clamp(ttl / 4, absl::Milliseconds(10), absl::Seconds(1));
    Server* self = server.get();
    server->reaper_ = std::thread([self, ttl, period] {
      while (!self->stop_reaper_.WaitForNotificationWithTimeout(period)) {
        self->sessions_->ReapIdle(NowUnixMs(), ttl);
      }
    });
  }
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

std::string Server::metrics_address() const {
  return metrics_http_ ? metrics_http_->address() : std::string();
}

void Server::Wait() {
  if (grpc_server_) grpc_server_->Wait();
}

void Server::Shutdown(absl::Duration grace) {
  if (reaper_.joinable()) {
    stop_reaper_.Notify();
    reaper_.join();
  }
  if (grpc_server_) {
    // Health says NOT_SERVING at once so balancers stop sending; calls in
    // flight get up to `grace` to finish before they are cancelled.
    grpc_server_->GetHealthCheckService()->SetServingStatus(false);
    grpc_server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
    grpc_server_->Wait();
    grpc_server_.reset();
  }
  pool_.reset();  // runs what is queued; those reactors are already finished by Shutdown's cancel
  // Last: scrapes keep working while calls drain.
  if (metrics_http_) metrics_http_->Stop();
}

}  // namespace remotek::server
