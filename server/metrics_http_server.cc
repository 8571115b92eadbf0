#include "server/metrics_http_server.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace remotek::server {
namespace {

// RFC 9110 token characters (method and header names).
bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
      (c >= '0' && c <= '9'))
    return true;
  return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != '\0';
}

bool IsToken(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

// Visible ASCII and (for header values) tab; no control bytes, no DEL.
bool IsFieldText(absl::string_view s, bool allow_tab) {
  for (unsigned char c : s) {
    if (c == '\t' && allow_tab) continue;
    if (c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

absl::string_view StripCr(absl::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

std::string Response(absl::string_view status, absl::string_view content_type,
                     absl::string_view body, bool send_body,
                     absl::string_view extra_headers) {
  return absl::StrCat("HTTP/1.1 ", status, "\r\nContent-Type: ", content_type,
                      "\r\nContent-Length: ", body.size(), "\r\n",
                      extra_headers, "Connection: close\r\n\r\n",
                      send_body ? body : "");
}

void CloseFd(int* fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

// Where the request head ends (the index of the blank line's start) and how
// long the terminator is; npos when not yet seen.
std::pair<size_t, size_t> FindHeadEnd(absl::string_view data) {
  const size_t crlf = data.find("\r\n\r\n");
  const size_t lf = data.find("\n\n");
  if (crlf != absl::string_view::npos &&
      (lf == absl::string_view::npos || crlf < lf)) {
    return {crlf, 4};
  }
  if (lf != absl::string_view::npos) return {lf, 2};
  return {absl::string_view::npos, 0};
}

}  // namespace

std::string HttpError(absl::string_view status, absl::string_view body,
                      absl::string_view extra_headers) {
  return Response(status, "text/plain; charset=utf-8", absl::StrCat(body, "\n"),
                  true, extra_headers);
}

std::string AnswerHttpRequest(absl::string_view head,
                              const std::function<std::string()>& render) {
  std::vector<absl::string_view> lines = absl::StrSplit(head, '\n');
  const absl::string_view request_line = StripCr(lines[0]);
  std::vector<absl::string_view> parts = absl::StrSplit(request_line, ' ');
  if (parts.size() != 3 || !IsToken(parts[0]) || parts[0].size() > 32 ||
      parts[1].empty() || !IsFieldText(parts[1], false)) {
    return HttpError("400 Bad Request", "malformed request line");
  }
  const absl::string_view method = parts[0], target = parts[1],
                          version = parts[2];
  if (version != "HTTP/1.1" && version != "HTTP/1.0") {
    const bool http_like =
        version.size() == 8 && version.substr(0, 5) == "HTTP/" &&
        std::isdigit(static_cast<unsigned char>(version[5])) &&
        version[6] == '.' &&
        std::isdigit(static_cast<unsigned char>(version[7]));
    return http_like
               ? HttpError("505 HTTP Version Not Supported", "use HTTP/1.1")
               : HttpError("400 Bad Request", "malformed request line");
  }
  for (size_t i = 1; i < lines.size(); ++i) {
    const absl::string_view line = StripCr(lines[i]);
    const size_t colon = line.find(':');
    if (colon == absl::string_view::npos || !IsToken(line.substr(0, colon)) ||
        !IsFieldText(line.substr(colon + 1), true)) {
      return HttpError("400 Bad Request", "malformed header line");
    }
  }
  if (target.front() != '/')
    return HttpError("400 Bad Request", "the target must be a path");
  const bool head_only = method == "HEAD";
  if (method != "GET" && !head_only) {
    return HttpError("405 Method Not Allowed", "only GET and HEAD",
                     "Allow: GET, HEAD\r\n");
  }
  const absl::string_view path = target.substr(0, target.find_first_of("?#"));
  if (path != "/metrics")
    return HttpError("404 Not Found", "not found; metrics are at /metrics");
  return Response("200 OK", kMetricsContentType, render(), !head_only, "");
}

absl::StatusOr<std::unique_ptr<MetricsHttpServer>> MetricsHttpServer::Start(
    const std::string& address, std::function<std::string()> render,
    MetricsHttpOptions options) {
  const size_t colon = address.rfind(':');
  int port = -1;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(address.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("metrics_address=\"", address,
                     "\" must be host:port with a port of 0-65535"));
  }
  auto server = std::unique_ptr<MetricsHttpServer>(new MetricsHttpServer());
  server->render_ = std::move(render);
  server->options_ = options;
  server->host_ = address.substr(0, colon);
  std::string host = server->host_;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port_text = std::to_string(port);
  const int gai = getaddrinfo(host.empty() ? nullptr : host.c_str(),
                              port_text.c_str(), &hints, &found);
  if (gai != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("metrics_address=\"", address,
                     "\": cannot resolve the host: ", gai_strerror(gai)));
  }
  std::string error = "no address";
  for (addrinfo* a = found; a != nullptr && server->listen_fd_ < 0;
       a = a->ai_next) {
    int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                    a->ai_protocol);
    if (fd < 0) {
      error = std::strerror(errno);
      continue;
    }
    const int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, a->ai_addr, a->ai_addrlen) != 0 || listen(fd, 64) != 0) {
      error = std::strerror(errno);
      close(fd);
      continue;
    }
    server->listen_fd_ = fd;
  }
  freeaddrinfo(found);
  if (server->listen_fd_ < 0) {
    return absl::UnavailableError(absl::StrCat(
        "could not listen on metrics_address=\"", address, "\": ", error));
  }
  sockaddr_storage bound{};
  socklen_t len = sizeof(bound);
  getsockname(server->listen_fd_, reinterpret_cast<sockaddr*>(&bound), &len);
  server->port_ = ntohs(bound.ss_family == AF_INET6
                            ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                            : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  int wake[2];
  if (pipe2(wake, O_CLOEXEC | O_NONBLOCK) != 0) {
    return absl::InternalError(
        absl::StrCat("metrics server: pipe: ", std::strerror(errno)));
  }
  server->wake_read_fd_ = wake[0];
  server->wake_write_fd_ = wake[1];
  server->thread_ = std::thread([s = server.get()] { s->Loop(); });
  return server;
}

MetricsHttpServer::~MetricsHttpServer() {
  Stop();
  CloseFd(&listen_fd_);
  CloseFd(&wake_read_fd_);
  CloseFd(&wake_write_fd_);
}

std::string MetricsHttpServer::address() const {
  return absl::StrCat(host_, ":", port_);
}

void MetricsHttpServer::Stop() {
  if (!thread_.joinable()) return;
  stopping_.store(true);
  const char byte = 1;
  while (write(wake_write_fd_, &byte, 1) < 0 && errno == EINTR) {
  }
  thread_.join();
}

bool MetricsHttpServer::WaitFor(int fd, short events, absl::Time deadline) {
  while (true) {
    const int64_t ms = absl::ToInt64Milliseconds(deadline - absl::Now());
    if (ms <= 0) return false;
    pollfd fds[2] = {{fd, events, 0}, {wake_read_fd_, POLLIN, 0}};
    const int n = poll(fds, 2, static_cast<int>(std::min<int64_t>(ms, 1000)));
    if (n < 0 && errno != EINTR) return false;
    if (n <= 0) continue;
    if (fds[1].revents != 0) return false;  // Stop
    if (fds[0].revents != 0)
      return true;  // ready, or an error the next call reports
  }
}

void MetricsHttpServer::Loop() {
  while (true) {
    // Accept waits without a deadline; only Stop ends it.
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_read_fd_, POLLIN, 0}};
    const int n = poll(fds, 2, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 || fds[1].revents != 0) return;
    const int fd =
        accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) {
      if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED) continue;
      // Out of descriptors or memory: back off instead of spinning.
      pollfd wake{wake_read_fd_, POLLIN, 0};
      if (poll(&wake, 1, 100) > 0) return;
      continue;
    }
    Serve(fd);
    close(fd);
  }
}

void MetricsHttpServer::Serve(int fd) {
  const absl::Time deadline = absl::Now() + options_.io_timeout;
  std::string data;
  std::string response;
  bool peer_closed = false;
  while (true) {
    const auto [end, terminator] = FindHeadEnd(data);
    if (end != std::string::npos &&
        end + terminator <= options_.max_request_bytes) {
      response =
          AnswerHttpRequest(absl::string_view(data).substr(0, end), render_);
      break;
    }
    if (data.size() > options_.max_request_bytes) {
      response = HttpError("400 Bad Request", "request head too large");
      break;
    }
    if (peer_closed) {
      if (data.empty()) return;  // connected and left: nothing to answer
      response = HttpError("400 Bad Request", "incomplete request");
      break;
    }
    if (!WaitFor(fd, POLLIN, deadline)) {
      if (stopping_.load()) return;
      response =
          HttpError("408 Request Timeout", "the request was not sent in time");
      break;
    }
    char buf[4096];
    const size_t room = options_.max_request_bytes + 4 -
                        std::min(data.size(), options_.max_request_bytes);
    const ssize_t got = recv(fd, buf, std::min(sizeof(buf), room), 0);
    if (got < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return;  // reset by the peer
    }
    if (got == 0) peer_closed = true;
    data.append(buf, static_cast<size_t>(got));
  }
  size_t sent = 0;
  while (sent < response.size()) {
    const ssize_t n =
        send(fd, response.data() + sent, response.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!WaitFor(fd, POLLOUT, deadline)) return;
    } else {
      return;
    }
  }
  // Half-close and read what the client still sends, briefly, so that
  // unread request bytes do not turn our close into a reset that could
  // discard the response before the client reads it.
  shutdown(fd, SHUT_WR);
  const absl::Time drain_until =
      std::min(deadline, absl::Now() + absl::Milliseconds(200));
  size_t drained = 0;
  while (drained < (64 << 10) && WaitFor(fd, POLLIN, drain_until)) {
    char buf[4096];
    const ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) break;
    drained += static_cast<size_t>(n);
  }
}

}  // namespace remotek::server
