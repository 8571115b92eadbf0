// The RemoteK C++ client: a connection to a RemoteK server and the Keras-like
// Session API on top of it. Depends on the wire contract (remotek.v1) and
// gRPC only.
//
//   remotek::client::Client client("127.0.0.1:50051");
//   auto session = client.create_session({.backend = "eigen"});
//   if (!session.ok()) return session.status();
//   auto x = session->placeholder({-1, 3});
//
// Thread-safety: Client is cheap to copy (copies share one channel) and all
// its methods may be called concurrently.
#ifndef REMOTEK_CLIENT_CLIENT_H_
#define REMOTEK_CLIENT_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "remotek/graph.h"
#include "remotek/host_tensor.h"
#include "remotek/optimizers.h"
#include "remotek/session.h"

namespace grpc {
class Channel;
}  // namespace grpc

namespace remotek::client {

namespace internal {
struct Connection;
}  // namespace internal

struct ClientOptions {
  // Tensors bigger than this travel through UploadTensor instead of one
  // unary message (variable, constant, set_value). Both this and chunk_bytes
  // are capped below the server's max_message_bytes, which the client asks
  // for once (GetServerInfo) the first time a tensor above 2 KiB is sent.
  int64_t stream_threshold_bytes = 8 << 20;
  // Chunk size for UploadTensor and DownloadTensor (the server caps
  // downloads at its message limit).
  int64_t chunk_bytes = 4 << 20;
  // Deadline for each unary call; zero means none. Streams have none.
  std::chrono::milliseconds timeout{0};
  // Whether ~Session closes its server-side session.
  bool close_sessions_on_destruction = true;
};

// Overrides for a new session; empty / kInvalid / 0 take the server's defaults.
struct SessionOptions {
  std::string backend;
  DType floatx = DType::kInvalid;
  double epsilon = 0;
  std::string image_data_format;
};

struct ServerInfo {
  std::string version;
  KerasConfig config;  // the server's effective defaults
  std::vector<std::string> backends;
  // Where each config value came from: "default", "file", "env", "flag".
  std::map<std::string, std::string> config_sources;
  int64_t max_message_bytes = 0;
};

struct BackendInfo {
  std::string name;
  std::vector<std::string> ops;
  std::vector<DType> dtypes;
  bool is_default = false;
};

class Client {
 public:
  // Connects lazily to `target` ("host:port") without TLS, on a channel with
  // a 16 MiB HTTP/2 lookahead window and no message size limits (without
  // the window server->client transfers run 3-4x slower).
  explicit Client(const std::string& target, ClientOptions options = {});
  // Uses an existing channel (for credentials or settings of your own).
  explicit Client(std::shared_ptr<grpc::Channel> channel,
                  ClientOptions options = {});

  // The channel Client(target) makes.
  static std::shared_ptr<grpc::Channel> CreateChannel(
      const std::string& target);

  const ClientOptions& options() const;

  // Waits up to `timeout` for the channel to connect. UNAVAILABLE if it
  // does not.
  absl::Status WaitForReady(std::chrono::milliseconds timeout) const;

  absl::StatusOr<ServerInfo> server_info() const;
  absl::StatusOr<std::vector<BackendInfo>> list_backends() const;
  // Sends `payload` and returns what came back (a raw round trip).
  absl::StatusOr<std::string> echo(std::string payload) const;

  // A new session. INVALID_ARGUMENT for a bad override, NOT_FOUND for an
  // unknown backend.
  absl::StatusOr<Session> create_session(
      const SessionOptions& options = {}) const;
  // A Session for an existing id (checked with GetSession). The returned
  // Session owns the server-side session like one from create_session.
  absl::StatusOr<Session> attach_session(const std::string& session_id) const;
  absl::StatusOr<std::vector<SessionInfo>> list_sessions() const;
  absl::StatusOr<SessionInfo> get_session(const std::string& session_id) const;
  absl::Status close_session(const std::string& session_id) const;

 private:
  std::shared_ptr<internal::Connection> connection_;
};

}  // namespace remotek::client

#endif  // REMOTEK_CLIENT_CLIENT_H_
