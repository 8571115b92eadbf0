// Assembles backends, sessions, the service and a gRPC server. Used by
// remotek-server's main, by tests and by benchmarks.
#ifndef REMOTEK_SERVER_SERVER_H_
#define REMOTEK_SERVER_SERVER_H_

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "grpcpp/server.h"
#include "server/backend_registry.h"
#include "server/compute_pool.h"
#include "server/event_log.h"
#include "server/metrics.h"
#include "server/metrics_http_server.h"
#include "server/remotek_service.h"
#include "server/session_manager.h"

namespace remotek::server {

struct ServerOptions {
  std::string address = "127.0.0.1:0";  // port 0 picks a free port
  int compute_threads = 0;              // 0: hardware concurrency
  std::string default_backend = "eigen";
  // External backends to host besides the built-ins; the default backend is
  // loaded too when it is not built in. Directories searched, in order.
  std::vector<std::string> extra_backends;
  std::vector<std::string> backend_search_path;
  OpConfig defaults;
  ServiceOptions service;
  SessionLimits limits;
  // Sessions idle longer than this are closed; zero: never.
  absl::Duration session_ttl = absl::ZeroDuration();
  // PEM files. With tls_cert and tls_key the port speaks TLS only; with
  // tls_client_ca too, clients must present a certificate it signed.
  std::string tls_cert;
  std::string tls_key;
  std::string tls_client_ca;
  // Observability (docs/hardening.md). host:port of the Prometheus /metrics
  // endpoint; empty: off; port 0 picks a free port.
  std::string metrics_address;
  // One JSON line on stderr per session lifecycle event and per failed RPC.
  bool event_log = true;
  // Where event lines go; null: stderr. For tests.
  EventLog::Sink event_sink;
};

// Thread-safety: Shutdown may be called from any thread, once.
class Server {
 public:
  // Binds and starts serving. INVALID_ARGUMENT for a bad option (a TLS file
  // that cannot be read or parsed is named),
  // UNAVAILABLE when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<Server>> Start(ServerOptions options);
  ~Server();

  int port() const { return port_; }
  std::string address() const;  // host:port actually bound
  const BackendRegistry& backends() const { return *backends_; }
  SessionManager& sessions() { return *sessions_; }
  const ServerOptions& options() const { return options_; }
  // Counters and histograms; ObserveOp may be called from any thread.
  Metrics& metrics() { return *metrics_; }
  // host:port of the /metrics endpoint; empty when --metrics_address is off.
  std::string metrics_address() const;
  // "remotek-server listening on HOST:PORT backends=[...] default_backend=X";
  // main appends the effective Keras config with its sources.
  std::string StartupLine() const;
  // Extra backends that were refused (one message each); they are not offered.
  const std::vector<std::string>& backend_errors() const { return backend_errors_; }

  void Wait();
  // Stops accepting calls, reports NOT_SERVING on grpc.health.v1, lets calls
  // in flight finish for up to `grace`, then cancels the rest.
  void Shutdown(absl::Duration grace = absl::ZeroDuration());

 private:
  Server() = default;
  ServerOptions options_;
  std::unique_ptr<BackendRegistry> backends_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<EventLog> event_log_;  // null when options_.event_log is off
  std::unique_ptr<SessionManager> sessions_;
  std::unique_ptr<ComputePool> pool_;
  std::unique_ptr<RemoteKService> service_;
  std::unique_ptr<grpc::Server> grpc_server_;
  // Stopped before what its render callback reads is destroyed.
  std::unique_ptr<MetricsHttpServer> metrics_http_;
  // Closes idle sessions every ttl/4 (10 ms .. 1 s) until stopped.
  std::thread reaper_;
  absl::Notification stop_reaper_;
  int port_ = 0;
  std::vector<std::string> backend_errors_;
};

}  // namespace remotek::server

#endif  // REMOTEK_SERVER_SERVER_H_
