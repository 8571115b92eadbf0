#include "server/request_interceptor.h"

#include <algorithm>
#include <chrono>
#include <string>

#include "absl/status/status.h"
#include "grpcpp/server_context.h"

namespace remotek::server {
namespace {

using grpc::experimental::InterceptionHookPoints;
using Clock = std::chrono::steady_clock;

constexpr char kSessionHeader[] = "remotek-session-id";
constexpr size_t kMaxSessionChars = 64;  // ids are 32; anything longer is cut

class RequestInterceptor final : public grpc::experimental::Interceptor {
 public:
  RequestInterceptor(grpc::experimental::ServerRpcInfo* info,
                     Metrics::RpcStats* rpc, EventLog* log)
      : info_(info), rpc_(rpc), log_(log), start_(Clock::now()) {}

  // A call that ends without a status going out (the server shut down
  // under it) still counts, as CANCELLED; its context may be gone by now,
  // so the log line names only the method.
  ~RequestInterceptor() override {
    if (!finished_)
      Record(grpc::CANCELLED, "the call ended before a status was sent", false);
  }

  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_STATUS)) {
      const grpc::Status status = methods->GetSendStatus();
      Record(status.error_code(), status.error_message(), true);
    }
    methods->Proceed();
  }

 private:
  void Record(grpc::StatusCode code, const std::string& message,
              bool context_alive) {
    finished_ = true;
    const double seconds =
        std::chrono::duration<double>(Clock::now() - start_).count();
    Metrics::ObserveRpc(rpc_, code, seconds);
    if (code == grpc::OK || log_ == nullptr) return;
    EventLine line(code == grpc::INTERNAL || code == grpc::UNKNOWN ||
                           code == grpc::DATA_LOSS
                       ? "error"
                       : "warn",
                   "request_failed");
    const bool unlisted =
        rpc_->label == "other" && context_alive && info_->method() != nullptr;
    line.Add("method", unlisted ? absl::string_view(info_->method())
                                : absl::string_view(rpc_->label));
    line.Add("code",
             absl::StatusCodeToString(static_cast<absl::StatusCode>(code)));
    line.Add("message", message);
    line.AddMillis("latency_ms", seconds * 1e3);
    if (context_alive && info_->server_context() != nullptr) {
      grpc::ServerContextBase* ctx = info_->server_context();
      const auto& metadata = ctx->client_metadata();
      if (auto it = metadata.find(kSessionHeader); it != metadata.end()) {
        const absl::string_view id(
            it->second.data(), std::min(it->second.size(), kMaxSessionChars));
        line.Add("session", id);
      }
      line.Add("peer", ctx->peer());
    }
    log_->WriteRateLimited(std::move(line));
  }

  grpc::experimental::ServerRpcInfo* const info_;
  Metrics::RpcStats* const rpc_;
  EventLog* const log_;
  const Clock::time_point start_;
  bool finished_ = false;
};

}  // namespace

grpc::experimental::Interceptor*
RequestInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new RequestInterceptor(info, metrics_->FindRpc(info->method()), log_);
}

}  // namespace remotek::server
