// remotek-server: serves the Keras backend API over gRPC.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "backend/plugin/plugin_library.h"
#include "server/keras_config.h"
#include "server/server.h"

ABSL_FLAG(std::string, address, "127.0.0.1:50051",
          "host:port to listen on; port 0 picks a free port and prints it");
ABSL_FLAG(int, threads, 0, "compute threads for request work (0: one per core)");
ABSL_FLAG(int64_t, max_message_bytes, 64 << 20,
          "largest unary message; bigger tensors use the streaming RPCs");
// Keras config: empty means "not given on the command line".
ABSL_FLAG(std::string, config, "",
          "keras.json to read (default: $KERAS_HOME/keras.json, else ~/.keras/keras.json)");
ABSL_FLAG(std::string, backend, "", "default backend for new sessions (overrides file and KERAS_BACKEND)");
ABSL_FLAG(std::string, floatx, "", "float16 | float32 | float64 (overrides the file)");
ABSL_FLAG(std::string, epsilon, "", "fuzz factor > 0 (overrides the file)");
ABSL_FLAG(std::string, image_data_format, "", "channels_last | channels_first (overrides the file)");
ABSL_FLAG(absl::Duration, shutdown_grace, absl::Seconds(10),
          "on SIGTERM/SIGINT: how long calls in flight may finish (health reports NOT_SERVING "
          "at once)");
ABSL_FLAG(std::string, backend_path, "",
          "colon-separated directories searched for external backends, before "
          "$REMOTEK_BACKEND_PATH and <prefix>/lib/remotek/backends");
#ifndef REMOTEK_SHIPPED_BACKENDS
#define REMOTEK_SHIPPED_BACKENDS ""
#endif
ABSL_FLAG(std::string, extra_backends, REMOTEK_SHIPPED_BACKENDS,
          "comma-separated external backends to host besides the built-ins (an "
          "invalid one is logged and not offered)");

// Hardening (docs/hardening.md). Limits: 0 means unlimited.
ABSL_FLAG(std::string, auth_tokens, "",
          "file of \"TENANT TOKEN\" lines; when set, every RemoteK call needs "
          "\"authorization: Bearer <token>\" metadata and acts for that tenant");
ABSL_FLAG(std::string, tls_cert, "", "PEM server certificate chain (with --tls_key: TLS only)");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert");
ABSL_FLAG(std::string, tls_client_ca, "",
          "PEM CA bundle; when set, clients must present a certificate it signed (mTLS)");
ABSL_FLAG(int64_t, session_memory_limit, 0, "bytes one session may hold (0: unlimited)");
ABSL_FLAG(int64_t, tenant_memory_limit, 0,
          "bytes all of one tenant's sessions may hold together (0: unlimited)");
ABSL_FLAG(int, max_sessions_per_tenant, 0, "open sessions per tenant (0: unlimited)");
ABSL_FLAG(int64_t, max_graph_nodes, 0,
          "nodes per BuildGraph request and per session (0: unlimited)");
ABSL_FLAG(int64_t, max_tensor_elements, 0,
          "elements of any tensor, shape or initializer in a request (0: unlimited)");
ABSL_FLAG(int, max_concurrent_calls, 0,
          "compute calls in flight server-wide; beyond it RESOURCE_EXHAUSTED at once "
          "(0: unlimited, calls queue)");
ABSL_FLAG(absl::Duration, session_ttl, absl::ZeroDuration(),
          "close sessions idle longer than this (e.g. 30m; 0: never)");
ABSL_FLAG(std::string, metrics_address, "",
          "host:port serving Prometheus metrics at /metrics (empty: off; port 0 picks a "
          "free port and prints it)");
ABSL_FLAG(bool, event_log, true,
          "write one JSON line on stderr per session lifecycle event and per failed RPC");

namespace {

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop = true; }

// --backend_path, then $REMOTEK_BACKEND_PATH, then the directory installed
// beside this binary (<prefix>/bin/../lib/remotek/backends; in the build
// tree, build/server/../lib/remotek/backends).
std::vector<std::string> BackendSearchPath() {
  std::vector<std::string> path = remotek::plugin::SplitSearchPath(absl::GetFlag(FLAGS_backend_path));
  if (const char* env = std::getenv("REMOTEK_BACKEND_PATH")) {
    for (std::string& dir : remotek::plugin::SplitSearchPath(env)) path.push_back(std::move(dir));
  }
  std::error_code error;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", error);
  if (!error) {
    path.push_back((exe.parent_path().parent_path() / "lib" / "remotek" / "backends").string());
  }
  return path;
}

std::optional<std::string> Given(const absl::Flag<std::string>& flag) {
  std::string v = absl::GetFlag(flag);
  if (v.empty()) return std::nullopt;
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("Serves the Keras backend API over gRPC.");
  absl::ParseCommandLine(argc, argv);
  // Debian's Abseil is built with mutex deadlock detection on; it costs 2-3%
  // of CPU on every RPC (measured with perf). Lock order is kept by design.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);

  remotek::server::KerasConfigFlags config_flags;
  config_flags.config_path = Given(FLAGS_config);
  config_flags.backend = Given(FLAGS_backend);
  config_flags.floatx = Given(FLAGS_floatx);
  config_flags.epsilon = Given(FLAGS_epsilon);
  config_flags.image_data_format = Given(FLAGS_image_data_format);
  auto config = remotek::server::ResolveKerasConfig(
      config_flags, remotek::server::KerasConfigEnv::FromProcess());
  if (!config.ok()) {
    std::fprintf(stderr, "remotek-server: %s\n", std::string(config.status().message()).c_str());
    return 2;
  }

  remotek::server::ServerOptions options;
  options.address = absl::GetFlag(FLAGS_address);
  options.compute_threads = absl::GetFlag(FLAGS_threads);
  options.default_backend = config->backend;
  options.backend_search_path = BackendSearchPath();
  options.extra_backends = absl::StrSplit(absl::GetFlag(FLAGS_extra_backends), ',', absl::SkipEmpty());
  options.defaults = config->op;
  options.service.max_message_bytes = absl::GetFlag(FLAGS_max_message_bytes);
  options.service.config_sources = config->sources;
  if (const std::string tokens_file = absl::GetFlag(FLAGS_auth_tokens); !tokens_file.empty()) {
    auto tokens = remotek::server::TokenStore::Load(tokens_file);
    if (!tokens.ok()) {
      std::fprintf(stderr, "remotek-server: --auth_tokens: %s\n",
                   std::string(tokens.status().message()).c_str());
      return 2;
    }
    options.service.tokens =
        std::make_shared<const remotek::server::TokenStore>(*std::move(tokens));
  }
  options.tls_cert = absl::GetFlag(FLAGS_tls_cert);
  options.tls_key = absl::GetFlag(FLAGS_tls_key);
  options.tls_client_ca = absl::GetFlag(FLAGS_tls_client_ca);
  options.limits.session_memory_bytes = absl::GetFlag(FLAGS_session_memory_limit);
  options.limits.tenant_memory_bytes = absl::GetFlag(FLAGS_tenant_memory_limit);
  options.limits.max_sessions_per_tenant = absl::GetFlag(FLAGS_max_sessions_per_tenant);
  options.service.max_graph_nodes = absl::GetFlag(FLAGS_max_graph_nodes);
  options.service.max_tensor_elements = absl::GetFlag(FLAGS_max_tensor_elements);
  options.service.max_concurrent_calls = absl::GetFlag(FLAGS_max_concurrent_calls);
  options.session_ttl = absl::GetFlag(FLAGS_session_ttl);
  options.metrics_address = absl::GetFlag(FLAGS_metrics_address);
  options.event_log = absl::GetFlag(FLAGS_event_log);

  auto server = remotek::server::Server::Start(options);
  if (!server.ok()) {
    std::fprintf(stderr, "remotek-server: %s\n", std::string(server.status().message()).c_str());
    return 1;
  }
  for (const std::string& error : (*server)->backend_errors()) {
    std::fprintf(stderr, "remotek-server: %s; not offered\n", error.c_str());
  }
  // Before the start-up line, so whoever reads that finds this one written.
  if (const std::string metrics = (*server)->metrics_address(); !metrics.empty()) {
    std::fprintf(stderr, "remotek-server: metrics on http://%s/metrics\n", metrics.c_str());
  }
  std::printf("%s config: %s\n", (*server)->StartupLine().c_str(),
              remotek::server::DescribeKerasConfig(*config).c_str());
  std::fflush(stdout);

  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);
  while (!g_stop) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::fprintf(stderr, "remotek-server: shutting down\n");
  (*server)->Shutdown(absl::GetFlag(FLAGS_shutdown_grace));
  return 0;
}
