// server/metrics_http_server: the answer to every kind of request (pure), and
// a live server on 127.0.0.1:0 that serves, refuses bad addresses, cuts off
// slow clients and stops at once even with one connected.
#include "server/metrics_http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace remotek::server {
namespace {

using ::remotek::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string Render() { return "metric 1\n"; }

std::string Answer(const std::string& head) {
  return AnswerHttpRequest(head, Render);
}

TEST(AnswerHttpRequest, ServesMetricsForGetAndHead) {
  EXPECT_EQ(Answer("GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: */*"),
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; "
            "charset=utf-8\r\n"
            "Content-Length: 9\r\nConnection: close\r\n\r\nmetric 1\n");
  EXPECT_EQ(Answer("HEAD /metrics HTTP/1.0"),
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; "
            "charset=utf-8\r\n"
            "Content-Length: 9\r\nConnection: close\r\n\r\n");
  EXPECT_THAT(Answer("GET /metrics?x=1 HTTP/1.1"),
              StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(Answer("GET /metrics HTTP/1.1\nHost: bare-lf"),
              StartsWith("HTTP/1.1 200 OK\r\n"));
}

TEST(AnswerHttpRequest, RefusesWhatItDoesNotServe) {
  EXPECT_THAT(Answer("GET / HTTP/1.1"),
              StartsWith("HTTP/1.1 404 Not Found\r\n"));
  EXPECT_THAT(Answer("GET /metrics/ HTTP/1.1"),
              StartsWith("HTTP/1.1 404 Not Found\r\n"));
  const std::string post =
      Answer("POST /metrics HTTP/1.1\r\nContent-Length: 3");
  EXPECT_THAT(post, StartsWith("HTTP/1.1 405 Method Not Allowed\r\n"));
  EXPECT_THAT(post, HasSubstr("\r\nAllow: GET, HEAD\r\n"));
  EXPECT_THAT(Answer("GET /metrics HTTP/2.0"), StartsWith("HTTP/1.1 505 "));
  for (const std::string bad :
       {std::string(""), std::string("garbage"), std::string("GET /metrics"),
        std::string("GET  /metrics HTTP/1.1"),
        std::string("GET metrics HTTP/1.1"),
        std::string("G(T /metrics HTTP/1.1"),
        std::string("GET /met\x01rics HTTP/1.1"),
        std::string("GET /metrics HTTP/1.1\r\nno-colon"),
        std::string("GET /metrics HTTP/1.1\r\n: empty name"),
        std::string("GET /metrics HTTP/1.1\r\nX: a\x7f"),
        std::string("GET /metrics XTTP/1.1"),
        std::string("\x16\x03\x01\x02\x00", 5)}) {
    const std::string answer = Answer(bad);
    EXPECT_THAT(answer, StartsWith("HTTP/1.1 400 Bad Request\r\n")) << bad;
    EXPECT_THAT(answer, HasSubstr("Connection: close\r\n")) << bad;
  }
}

int Connect(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

std::string Exchange(int port, const std::string& request) {
  const int fd = Connect(port);
  if (fd < 0) return "";
  send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) out.append(buf, n);
  close(fd);
  return out;
}

TEST(MetricsHttpServer, ServesOnAnEphemeralPort) {
  ASSERT_OK_AND_ASSIGN(auto server,
                       MetricsHttpServer::Start("127.0.0.1:0", Render));
  ASSERT_GT(server->port(), 0);
  EXPECT_EQ(server->address(), absl::StrCat("127.0.0.1:", server->port()));
  EXPECT_THAT(Exchange(server->port(), "GET /metrics HTTP/1.1\r\n\r\n"),
              ::testing::EndsWith("\r\n\r\nmetric 1\n"));
  // Oversized head: 400 without reading the rest.
  MetricsHttpOptions small;
  small.max_request_bytes = 64;
  ASSERT_OK_AND_ASSIGN(auto tight,
                       MetricsHttpServer::Start("127.0.0.1:0", Render, small));
  EXPECT_THAT(Exchange(tight->port(),
                       "GET /metrics HTTP/1.1\r\nX: " + std::string(100, 'a')),
              StartsWith("HTTP/1.1 400 Bad Request\r\n"));
  EXPECT_THAT(Exchange(tight->port(), "GET /metrics HTTP/1.1\r\n\r\n"),
              StartsWith("HTTP/1.1 200 OK\r\n"));
}

TEST(MetricsHttpServer, RefusesBadAddresses) {
  EXPECT_THAT(MetricsHttpServer::Start("nonsense", Render).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "metrics_address=\"nonsense\" must be host:port with a "
                       "port of 0-65535"));
  EXPECT_THAT(
      MetricsHttpServer::Start("127.0.0.1:65536", Render).status(),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("0-65535")));
  EXPECT_THAT(
      MetricsHttpServer::Start("127.0.0.1:-1", Render).status(),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("0-65535")));
  ASSERT_OK_AND_ASSIGN(auto taken,
                       MetricsHttpServer::Start("127.0.0.1:0", Render));
  EXPECT_THAT(
      MetricsHttpServer::Start(taken->address(), Render).status(),
      StatusIs(absl::StatusCode::kUnavailable, HasSubstr("could not listen")));
}

TEST(MetricsHttpServer, CutsOffSlowClientsAndStopsPromptly) {
  MetricsHttpOptions quick;
  quick.io_timeout = absl::Milliseconds(300);
  ASSERT_OK_AND_ASSIGN(auto server,
                       MetricsHttpServer::Start("127.0.0.1:0", Render, quick));
  EXPECT_THAT(Exchange(server->port(), "GET /met"),
              StartsWith("HTTP/1.1 408 Request Timeout\r\n"));

  ASSERT_OK_AND_ASSIGN(auto slow,
                       MetricsHttpServer::Start("127.0.0.1:0", Render));
  const int fd = Connect(slow->port());  // connected, sends nothing
  ASSERT_GE(fd, 0);
  const auto start = std::chrono::steady_clock::now();
  slow->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  close(fd);
}

}  // namespace
}  // namespace remotek::server
