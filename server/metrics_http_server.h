// A small HTTP/1.1 responder for Prometheus scrapes, on POSIX sockets in a
// thread of its own: GET (or HEAD) /metrics answers 200 with the text
// exposition format; other paths 404, other methods 405, a malformed or
// oversized request 400, a client too slow to send its request 408. Every
// response closes the connection. Connections are served one at a time, each
// bounded by `io_timeout`, so no client can hold the port for longer.
#ifndef REMOTEK_SERVER_METRICS_HTTP_SERVER_H_
#define REMOTEK_SERVER_METRICS_HTTP_SERVER_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace remotek::server {

struct MetricsHttpOptions {
  size_t max_request_bytes = 8 << 10;  // request line and headers
  absl::Duration io_timeout = absl::Seconds(3);
};

inline constexpr char kMetricsContentType[] =
    "text/plain; version=0.0.4; charset=utf-8";

// The whole response (status line, headers, body) to the request whose head
// (request line and headers, the blank line excluded) is `head`. `render`
// gives the metrics text; it is called only for a 200. Pure, for tests.
std::string AnswerHttpRequest(absl::string_view head,
                              const std::function<std::string()>& render);
// A response with `status` ("400 Bad Request") and a one-line text body.
std::string HttpError(absl::string_view status, absl::string_view body,
                      absl::string_view extra_headers = "");

// Thread-safety: Stop may be called from any thread; `render` runs on the
// server's thread.
class MetricsHttpServer {
 public:
  // `address` is "host:port" ("127.0.0.1:9100", "[::1]:0", "0.0.0.0:9100";
  // port 0 picks a free one). INVALID_ARGUMENT for a malformed address,
  // UNAVAILABLE when it cannot be bound.
  static absl::StatusOr<std::unique_ptr<MetricsHttpServer>> Start(
      const std::string& address, std::function<std::string()> render,
      MetricsHttpOptions options = {});
  ~MetricsHttpServer();  // Stop()
  MetricsHttpServer(const MetricsHttpServer&) = delete;
  MetricsHttpServer& operator=(const MetricsHttpServer&) = delete;

  int port() const { return port_; }
  std::string address() const;  // host as given, port as bound

  // Stops accepting, ends the connection being served, joins the thread.
  void Stop();

 private:
  MetricsHttpServer() = default;
  void Loop();
  void Serve(int fd);
  // Waits for `events` on `fd` until `deadline`; false on timeout or Stop.
  bool WaitFor(int fd, short events, absl::Time deadline);

  std::function<std::string()> render_;
  MetricsHttpOptions options_;
  std::string host_;
  int port_ = 0;
  int listen_fd_ = -1;
  int wake_read_fd_ = -1;  // a pipe: Stop writes, the loop wakes
  int wake_write_fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace remotek::server

#endif  // REMOTEK_SERVER_METRICS_HTTP_SERVER_H_
