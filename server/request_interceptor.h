// Counts every RPC once, in one place: a gRPC server interceptor that times
// each call from its start to its status and feeds Metrics, and writes one
// EventLog line for each call that ends with a status other than OK (method,
// code, message, session id from the `remotek-session-id` header, peer,
// latency). It never reads messages or the `authorization` header.
#ifndef REMOTEK_SERVER_REQUEST_INTERCEPTOR_H_
#define REMOTEK_SERVER_REQUEST_INTERCEPTOR_H_

#include "grpcpp/support/server_interceptor.h"
#include "server/event_log.h"
#include "server/metrics.h"

namespace remotek::server {

// Thread-safety: CreateServerInterceptor is called concurrently by gRPC.
// REQUIRES: `metrics` and `log` (which may be null: no log lines) outlive the
// gRPC server the factory is registered with.
class RequestInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  RequestInterceptorFactory(Metrics* metrics, EventLog* log)
      : metrics_(metrics), log_(log) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  Metrics* const metrics_;
  EventLog* const log_;
};

}  // namespace remotek::server

#endif  // REMOTEK_SERVER_REQUEST_INTERCEPTOR_H_
