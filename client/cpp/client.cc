#include "remotek/client.h"

#include <random>

#include "absl/strings/str_format.h"
#include "client/cpp/wire.h"

namespace remotek::client {
namespace {

// 128 random bits as 32 lowercase hex digits: the id this client proposes
// for a new session (see CreateSessionRequest.session_id).
std::string NewSessionId() {
  std::random_device rd;  // the kernel's CSPRNG on Linux
  std::string id;
  for (int i = 0; i < 4; ++i) id += absl::StrFormat("%08x", rd());
  return id;
}

std::shared_ptr<internal::Connection> Connect(
    std::shared_ptr<grpc::Channel> channel, ClientOptions options) {
  auto connection = std::make_shared<internal::Connection>();
  connection->stub = v1::RemoteK::NewStub(channel);
  connection->channel = std::move(channel);
  connection->options = options;
  return connection;
}

}  // namespace

std::shared_ptr<grpc::Channel> Client::CreateChannel(
    const std::string& target) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);
  args.SetMaxSendMessageSize(-1);
  // Without a large lookahead window, server->client throughput of big
  // tensors is 3-4x lower (measured on the loopback).
  args.SetInt("grpc.http2.lookahead_bytes", 16 << 20);
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(),
                                   args);
}

Client::Client(const std::string& target, ClientOptions options)
    : connection_(Connect(CreateChannel(target), options)) {}

Client::Client(std::shared_ptr<grpc::Channel> channel, ClientOptions options)
    : connection_(Connect(std::move(channel), options)) {}

const ClientOptions& Client::options() const { return connection_->options; }

absl::Status Client::WaitForReady(std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::system_clock::now() + timeout;
  if (connection_->channel->WaitForConnected(deadline)) return absl::OkStatus();
  return absl::UnavailableError(
      "could not connect to the RemoteK server in time");
}

absl::StatusOr<ServerInfo> Client::server_info() const {
  v1::ServerInfo resp;
  RK_CLIENT_RETURN_IF_ERROR(
      internal::CallUnary(*connection_, "", &v1::RemoteK::Stub::GetServerInfo,
                          v1::GetServerInfoRequest(), &resp));
  ServerInfo info;
  info.version = resp.version();
  info.config = internal::DecodeConfig(resp.config());
  info.backends.assign(resp.backends().begin(), resp.backends().end());
  info.config_sources.insert(resp.config_sources().begin(),
                             resp.config_sources().end());
  info.max_message_bytes = resp.max_message_bytes();
  return info;
}

absl::StatusOr<std::vector<BackendInfo>> Client::list_backends() const {
  v1::ListBackendsResponse resp;
  RK_CLIENT_RETURN_IF_ERROR(
      internal::CallUnary(*connection_, "", &v1::RemoteK::Stub::ListBackends,
                          v1::ListBackendsRequest(), &resp));
  std::vector<BackendInfo> out;
  for (const v1::BackendInfo& b : resp.backends()) {
    BackendInfo info;
    info.name = b.name();
    info.ops.assign(b.ops().begin(), b.ops().end());
    for (int d : b.dtypes())
      info.dtypes.push_back(internal::DecodeDType(static_cast<v1::DType>(d)));
    info.is_default = b.is_default();
    out.push_back(std::move(info));
  }
  return out;
}

absl::StatusOr<std::string> Client::echo(std::string payload) const {
  v1::EchoRequest req;
  req.set_payload(std::move(payload));
  v1::EchoResponse resp;
  RK_CLIENT_RETURN_IF_ERROR(internal::CallUnary(
      *connection_, "", &v1::RemoteK::Stub::Echo, req, &resp));
  return std::move(*resp.mutable_payload());
}

absl::StatusOr<Session> Client::create_session(
    const SessionOptions& options) const {
  v1::CreateSessionRequest req;
  req.set_backend(options.backend);
  req.set_floatx(internal::EncodeDType(options.floatx));
  req.set_epsilon(options.epsilon);
  req.set_image_data_format(options.image_data_format);
  // Proposed by the client and sent as the session header too, so that a
  // proxy routing by the header creates the session where its calls will go.
  req.set_session_id(NewSessionId());
  v1::SessionInfo resp;
  RK_CLIENT_RETURN_IF_ERROR(internal::CallUnary(
      *connection_, req.session_id(), &v1::RemoteK::Stub::CreateSession, req, &resp));
  return Session(std::make_shared<internal::SessionCore>(
      internal::SessionCore{connection_, resp.session_id()}));
}

absl::StatusOr<Session> Client::attach_session(
    const std::string& session_id) const {
  RK_CLIENT_RETURN_IF_ERROR(get_session(session_id).status());
  return Session(std::make_shared<internal::SessionCore>(
      internal::SessionCore{connection_, session_id}));
}

absl::StatusOr<std::vector<SessionInfo>> Client::list_sessions() const {
  v1::ListSessionsResponse resp;
  RK_CLIENT_RETURN_IF_ERROR(
      internal::CallUnary(*connection_, "", &v1::RemoteK::Stub::ListSessions,
                          v1::ListSessionsRequest(), &resp));
  std::vector<SessionInfo> out;
  for (const v1::SessionInfo& info : resp.sessions()) {
    out.push_back(internal::DecodeSessionInfo(info));
  }
  return out;
}

absl::StatusOr<SessionInfo> Client::get_session(
    const std::string& session_id) const {
  v1::SessionRequest req;
  req.set_session_id(session_id);
  v1::SessionInfo resp;
  RK_CLIENT_RETURN_IF_ERROR(internal::CallUnary(
      *connection_, session_id, &v1::RemoteK::Stub::GetSession, req, &resp));
  return internal::DecodeSessionInfo(resp);
}

absl::Status Client::close_session(const std::string& session_id) const {
  v1::SessionRequest req;
  req.set_session_id(session_id);
  v1::Empty resp;
  return internal::CallUnary(*connection_, session_id,
                             &v1::RemoteK::Stub::CloseSession, req, &resp);
}

}  // namespace remotek::client
