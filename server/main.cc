// remotek-server: serves the Keras backend API over gRPC.
#include <csignal>
#include <cstdio>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "server/server.h"

ABSL_FLAG(std::string, address, "127.0.0.1:50051",
          "host:port to listen on; port 0 picks a free port and prints it");
ABSL_FLAG(int, threads, 0, "compute threads for request work (0: one per core)");
ABSL_FLAG(std::string, backend, "eigen", "default backend for new sessions");
ABSL_FLAG(int64_t, max_message_bytes, 64 << 20,
          "largest unary message; bigger tensors use the streaming RPCs");

namespace {

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop = true; }

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("Serves the Keras backend API over gRPC.");
  absl::ParseCommandLine(argc, argv);
  remotek::server::ServerOptions options;
  options.address = absl::GetFlag(FLAGS_address);
  options.compute_threads = absl::GetFlag(FLAGS_threads);
  options.default_backend = absl::GetFlag(FLAGS_backend);
  options.service.max_message_bytes = absl::GetFlag(FLAGS_max_message_bytes);

  auto server = remotek::server::Server::Start(options);
  if (!server.ok()) {
    std::fprintf(stderr, "remotek-server: %s\n", std::string(server.status().message()).c_str());
    return 1;
  }
  std::printf("%s\n", (*server)->StartupLine().c_str());
  std::fflush(stdout);

  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);
  while (!g_stop) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::fprintf(stderr, "remotek-server: shutting down\n");
  (*server)->Shutdown();
  return 0;
}
