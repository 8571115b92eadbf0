// --metrics_address against a real remotek-server: /metrics over a plain
// socket counts exactly the RPCs, errors and session events the test made,
// the gauges match what GetSession reports, every histogram is well formed,
// and the HTTP side answers 404/405/400/408 and survives garbage.
#include <cmath>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "remotek/v1/remotek.grpc.pb.h"
#include "tests/integration/hardening/hardening_util.h"
#include "tests/integration/hardening/http_scrape.h"
#include "tests/support/server_process.h"

namespace remotek::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kMissingSession[] = "0123456789abcdef0123456789abcdef";

std::unique_ptr<ServerProcess> StartWithMetrics(
    std::vector<std::string> extra = {}) {
  ServerProcess::Options options;
  options.args = {"--threads=2", "--metrics_address=127.0.0.1:0"};
  options.args.insert(options.args.end(), extra.begin(), extra.end());
  options.capture_stderr = true;
  auto server = ServerProcess::Start(options);
  EXPECT_TRUE(server.ok()) << server.status();
  if (!server.ok()) return nullptr;
  EXPECT_GT((*server)->metrics_port(), 0);
  return *std::move(server);
}

// -1 when the series is absent, so that a missing series fails EXPECT_EQ.
double Value(const std::map<std::string, double>& samples,
             const std::string& series) {
  auto it = samples.find(series);
  return it == samples.end() ? -1 : it->second;
}

// Every histogram in `text`: buckets in increasing `le` order with
// non-decreasing counts, ending with +Inf equal to _count. Returns how many
// histograms were checked.
int ExpectHistogramsWellFormed(const std::string& text) {
  struct Buckets {
    std::vector<std::pair<double, double>> le_count;
  };
  std::map<std::string, Buckets> histograms;  // "name{other labels}"
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    const size_t at = line.find("_bucket{");
    if (line.empty() || line[0] == '#' || at == absl::string_view::npos)
      continue;
    const std::string name(line.substr(0, at));
    const size_t open = at + 7, close = line.find("} ");
    const absl::string_view labels = line.substr(open + 1, close - open - 1);
    const size_t le = labels.find("le=\"");
    if (le == absl::string_view::npos) {
      ADD_FAILURE() << "bucket without le: " << line;
      continue;
    }
    const std::string le_text(labels.substr(le + 4, labels.size() - le - 5));
    std::string rest(labels.substr(0, le));
    if (!rest.empty() && rest.back() == ',') rest.pop_back();
    const double bound =
        le_text == "+Inf" ? INFINITY : std::strtod(le_text.c_str(), nullptr);
    const double count =
        std::strtod(std::string(line.substr(close + 2)).c_str(), nullptr);
    histograms[absl::StrCat(name, "{", rest, "}")].le_count.emplace_back(bound,
                                                                         count);
  }
  const std::map<std::string, double> samples = ParseSamples(text);
  for (const auto& [key, buckets] : histograms) {
    SCOPED_TRACE(key);
    EXPECT_EQ(buckets.le_count.size(), 20u);  // 19 bounds and +Inf
    for (size_t i = 1; i < buckets.le_count.size(); ++i) {
      EXPECT_LT(buckets.le_count[i - 1].first, buckets.le_count[i].first);
      EXPECT_LE(buckets.le_count[i - 1].second, buckets.le_count[i].second);
    }
    EXPECT_TRUE(std::isinf(buckets.le_count.back().first));
    const size_t brace = key.find('{');
    const std::string suffix = key.substr(brace);
    EXPECT_EQ(buckets.le_count.back().second,
              Value(samples, key.substr(0, brace) + "_count" + suffix));
    EXPECT_GE(Value(samples, key.substr(0, brace) + "_sum" + suffix), 0);
  }
  return static_cast<int>(histograms.size());
}

v1::SessionRequest SessionReq(const std::string& id) {
  v1::SessionRequest r;
  r.set_session_id(id);
  return r;
}

TEST(MetricsTest, CountsRpcsErrorsSessionsAndBytesExactly) {
  auto server = StartWithMetrics();
  ASSERT_NE(server, nullptr);
  auto stub = v1::RemoteK::NewStub(server->Channel());

  v1::SessionInfo kept, closed;
  ASSERT_TRUE(stub->CreateSession(TokenCtx().get(), {}, &kept).ok());
  ASSERT_TRUE(stub->CreateSession(TokenCtx().get(), {}, &closed).ok());
  v1::Empty empty;
  ASSERT_TRUE(stub->CloseSession(TokenCtx().get(),
                                 SessionReq(closed.session_id()), &empty)
                  .ok());
  {  // memory in the kept session: 1000 float32 ones
    v1::VariableRequest v;
    v.set_session_id(kept.session_id());
    v.mutable_initializer()->set_kind(v1::Initializer::ONES);
    v.mutable_initializer()->add_shape(1000);
    v1::Node node;
    ASSERT_TRUE(stub->Variable(TokenCtx().get(), v, &node).ok());
  }
  v1::SessionInfo missing;
  const grpc::Status not_found =
      stub->GetSession(TokenCtx().get(), SessionReq(kMissingSession), &missing);
  ASSERT_EQ(not_found.error_code(), grpc::StatusCode::NOT_FOUND);
  v1::SessionInfo info;
  ASSERT_TRUE(
      stub->GetSession(TokenCtx().get(), SessionReq(kept.session_id()), &info)
          .ok());
  ASSERT_GE(info.stats().bytes_held(), 4000);

  const HttpResponse r = Scrape(server->metrics_port());
  ASSERT_EQ(r.status, 200) << r.headers;
  EXPECT_THAT(
      r.headers,
      HasSubstr("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"));
  EXPECT_THAT(r.headers, HasSubstr(absl::StrCat(
                             "Content-Length: ", r.body.size(), "\r\n")));
  EXPECT_THAT(r.headers, HasSubstr("Connection: close\r\n"));
  const std::map<std::string, double> s = ParseSamples(r.body);

  EXPECT_EQ(
      Value(s,
            R"(remotek_rpc_requests_total{method="CreateSession",code="OK"})"),
      2);
  EXPECT_EQ(
      Value(s,
            R"(remotek_rpc_requests_total{method="CloseSession",code="OK"})"),
      1);
  EXPECT_EQ(
      Value(s, R"(remotek_rpc_requests_total{method="Variable",code="OK"})"),
      1);
  EXPECT_EQ(
      Value(s, R"(remotek_rpc_requests_total{method="GetSession",code="OK"})"),
      1);
  EXPECT_EQ(
      Value(
          s,
          R"(remotek_rpc_requests_total{method="GetSession",code="NOT_FOUND"})"),
      1);
  EXPECT_EQ(Value(s, R"(remotek_rpc_errors_total{code="NOT_FOUND"})"), 1);
  EXPECT_EQ(s.count(R"(remotek_rpc_errors_total{code="OK"})"), 0u);
  EXPECT_EQ(
      Value(s, R"(remotek_rpc_latency_seconds_count{method="CreateSession"})"),
      2);
  EXPECT_EQ(
      Value(s, R"(remotek_rpc_latency_seconds_count{method="GetSession"})"), 2);
  EXPECT_EQ(Value(s, "remotek_sessions_open"), 1);
  EXPECT_EQ(Value(s, R"(remotek_tenant_sessions_open{tenant="default"})"), 1);
  EXPECT_EQ(Value(s, R"(remotek_tenant_bytes_held{tenant="default"})"),
            info.stats().bytes_held());
  EXPECT_EQ(Value(s, "remotek_sessions_created_total"), 2);
  EXPECT_EQ(Value(s, "remotek_sessions_closed_total"), 1);
  EXPECT_EQ(Value(s, "remotek_sessions_cleared_total"), 0);
  EXPECT_EQ(Value(s, "remotek_sessions_expired_total"), 0);
  EXPECT_THAT(r.body, HasSubstr("# TYPE remotek_rpc_requests_total counter\n"));
  EXPECT_THAT(r.body,
              HasSubstr("# TYPE remotek_rpc_latency_seconds histogram\n"));
  EXPECT_THAT(r.body, HasSubstr("# TYPE remotek_sessions_open gauge\n"));
  EXPECT_GE(ExpectHistogramsWellFormed(r.body),
            4);  // CreateSession CloseSession Variable GetSession

  // Clearing frees the bytes and counts; scraping counts no RPC.
  v1::SessionInfo cleared;
  ASSERT_TRUE(stub->ClearSession(TokenCtx().get(),
                                 SessionReq(kept.session_id()), &cleared)
                  .ok());
  const std::map<std::string, double> s2 =
      ParseSamples(Scrape(server->metrics_port()).body);
  EXPECT_EQ(Value(s2, R"(remotek_tenant_bytes_held{tenant="default"})"), 0);
  EXPECT_EQ(Value(s2, "remotek_sessions_cleared_total"), 1);
  EXPECT_EQ(
      Value(s2,
            R"(remotek_rpc_requests_total{method="ClearSession",code="OK"})"),
      1);
  EXPECT_EQ(
      Value(s2,
            R"(remotek_rpc_requests_total{method="CreateSession",code="OK"})"),
      2);
}

TEST(MetricsTest, StreamsEagerOpsAndTtlExpiriesAreCounted) {
  auto server = StartWithMetrics({"--session_ttl=200ms"});
  ASSERT_NE(server, nullptr);
  auto stub = v1::RemoteK::NewStub(server->Channel());
  v1::SessionInfo session;
  ASSERT_TRUE(stub->CreateSession(TokenCtx().get(), {}, &session).ok());
  {  // a stream that fails: DownloadTensor of an unknown handle
    v1::DownloadTensorRequest req;
    req.set_session_id(session.session_id());
    req.set_handle("no_such_handle");
    auto ctx = TokenCtx();
    auto reader = stub->DownloadTensor(ctx.get(), req);
    v1::DownloadChunk chunk;
    while (reader->Read(&chunk)) {
    }
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::NOT_FOUND);
  }
  // Idle past the TTL: the reaper closes it.
  ASSERT_TRUE(server->WaitForStderr("\"event\":\"session_expired\"", 10000))
      << server->StderrText();
  const HttpResponse r = Scrape(server->metrics_port());
  ASSERT_EQ(r.status, 200);
  const std::map<std::string, double> s = ParseSamples(r.body);
  EXPECT_EQ(
      Value(
          s,
          R"(remotek_rpc_requests_total{method="DownloadTensor",code="NOT_FOUND"})"),
      1);
  EXPECT_EQ(
      Value(s, R"(remotek_rpc_latency_seconds_count{method="DownloadTensor"})"),
      1);
  EXPECT_EQ(Value(s, "remotek_sessions_expired_total"), 1);
  EXPECT_EQ(Value(s, "remotek_sessions_open"), 0);
  EXPECT_EQ(s.count(R"(remotek_tenant_bytes_held{tenant="default"})"), 0u);
  ExpectHistogramsWellFormed(r.body);
}

// Ops are counted where the engine runs them (RunContext's per-op
// observer): eager ops and every step of a function call, with failures.
TEST(MetricsTest, OpsAreCountedByBackendAndOp) {
  auto server = StartWithMetrics();
  ASSERT_NE(server, nullptr);
  auto stub = v1::RemoteK::NewStub(server->Channel());
  v1::SessionInfo session;
  ASSERT_TRUE(stub->CreateSession(TokenCtx().get(), {}, &session).ok());
  const std::string& id = session.session_id();
  auto f32 = [](std::vector<float> values, v1::Tensor* t) {
    t->set_dtype(v1::FLOAT32);
    t->add_shape(static_cast<int64_t>(values.size()));
    t->set_content(values.data(), values.size() * sizeof(float));
  };
  for (int i = 0; i < 3; ++i) {  // two good adds, then one of mismatched shapes
    v1::RunOpRequest r;
    r.set_session_id(id);
    r.set_op("add");
    f32({1, 2}, r.add_args()->mutable_tensor());
    f32(i < 2 ? std::vector<float>{3, 4} : std::vector<float>{3, 4, 5},
        r.add_args()->mutable_tensor());
    v1::RunOpResponse resp;
    EXPECT_EQ(stub->RunOp(TokenCtx().get(), r, &resp).error_code(),
              i < 2 ? grpc::StatusCode::OK : grpc::StatusCode::INVALID_ARGUMENT);
  }
  v1::PlaceholderRequest p;
  p.set_session_id(id);
  p.mutable_shape()->add_dims(2);
  v1::Node x, e, n;
  ASSERT_TRUE(stub->Placeholder(TokenCtx().get(), p, &x).ok());
  v1::OpNodeRequest op;
  op.set_session_id(id);
  op.set_op("exp");
  op.add_inputs(x.handle());
  ASSERT_TRUE(stub->OpNode(TokenCtx().get(), op, &e).ok());
  op.set_op("negative");
  op.set_inputs(0, e.handle());
  ASSERT_TRUE(stub->OpNode(TokenCtx().get(), op, &n).ok());
  v1::FunctionRequest fr;
  fr.set_session_id(id);
  fr.add_inputs(x.handle());
  fr.add_outputs(n.handle());
  v1::FunctionInfo fn;
  ASSERT_TRUE(stub->Function(TokenCtx().get(), fr, &fn).ok());
  for (int i = 0; i < 4; ++i) {
    v1::CallRequest c;
    c.set_session_id(id);
    c.set_function(fn.handle());
    f32({0, 1}, c.add_feeds());
    v1::CallResponse out;
    ASSERT_TRUE(stub->Call(TokenCtx().get(), c, &out).ok());
  }
  const HttpResponse r = Scrape(server->metrics_port());
  ASSERT_EQ(r.status, 200);
  const std::map<std::string, double> s = ParseSamples(r.body);
  EXPECT_EQ(Value(s, R"(remotek_op_runs_total{backend="eigen",op="add"})"), 3);
  EXPECT_EQ(Value(s, R"(remotek_op_errors_total{backend="eigen",op="add"})"), 1);
  EXPECT_EQ(Value(s, R"(remotek_op_runs_total{backend="eigen",op="exp"})"), 4);
  EXPECT_EQ(Value(s, R"(remotek_op_runs_total{backend="eigen",op="negative"})"), 4);
  EXPECT_EQ(Value(s, R"(remotek_op_errors_total{backend="eigen",op="exp"})"), 0);
  EXPECT_EQ(Value(s, R"(remotek_op_latency_seconds_count{op="negative"})"), 4);
  ExpectHistogramsWellFormed(r.body);
}

TEST(MetricsTest, HttpAnswersBadRequestsAndSurvivesGarbage) {
  auto server = StartWithMetrics();
  ASSERT_NE(server, nullptr);
  const int port = server->metrics_port();

  EXPECT_EQ(Scrape(port, "/").status, 404);
  EXPECT_EQ(Scrape(port, "/metricsx").status, 404);
  EXPECT_EQ(Scrape(port, "/metrics?name[]=x").status, 200);
  const HttpResponse post = ParseHttp(
      RawHttp(port, "POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n"));
  EXPECT_EQ(post.status, 405);
  EXPECT_THAT(post.headers, HasSubstr("Allow: GET, HEAD\r\n"));
  const HttpResponse head =
      ParseHttp(RawHttp(port, "HEAD /metrics HTTP/1.1\r\n\r\n"));
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.body, "");
  EXPECT_EQ(ParseHttp(RawHttp(port, "hello\r\n\r\n")).status, 400);
  EXPECT_EQ(ParseHttp(RawHttp(port, std::string(
                                        "GET /me\0trics HTTP/1.1\r\n\r\n", 26)))
                .status,
            400);
  EXPECT_EQ(
      ParseHttp(RawHttp(port, "GET /metrics HTTP/1.1\r\nno colon here\r\n\r\n"))
          .status,
      400);
  EXPECT_EQ(ParseHttp(RawHttp(port, "GET /metrics HTTP/9.9\r\n\r\n")).status,
            505);
  // Oversized: 9000 bytes of header without an end.
  const HttpResponse big = ParseHttp(RawHttp(
      port, "GET /metrics HTTP/1.1\r\nX-Big: " + std::string(9000, 'a')));
  EXPECT_EQ(big.status, 400);
  EXPECT_THAT(big.body, HasSubstr("too large"));

  // A client that sends half a request and waits is cut off (408).
  const auto start = std::chrono::steady_clock::now();
  const std::string slow = RawHttp(port, "GET /metr", 15000);
  const double waited =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  EXPECT_EQ(ParseHttp(slow).status, 408);
  EXPECT_LT(waited, 10.0);

  // Random bytes (some ending like a request head, some with a valid request
  // line in front), half-closed after sending or closed without reading.
  std::mt19937 rng(7);
  for (int i = 0; i < 200; ++i) {
    std::string junk(rng() % 3000, '\0');
    for (char& c : junk) c = static_cast<char>(rng());
    if (i % 4 == 1) junk = "GET /metrics HTTP/1.1\r\n" + junk;
    if (i % 3 == 0) junk += "\r\n\r\n";
    const int fd = ConnectLoopback(port);
    ASSERT_GE(fd, 0);
    SendAll(fd, junk);
    shutdown(fd, SHUT_WR);
    if (i % 5 != 0) {
      // Almost always 400; a valid request line followed by an early blank
      // line is a request the server may answer.
      const int status = ParseHttp(ReadAll(fd, 10000)).status;
      EXPECT_TRUE(status == 200 || (status >= 400 && status < 500) ||
                  status == 505)
          << i << ": " << status;
    }
    close(fd);
  }
  // Many clients at once, all closing at once.
  std::vector<int> fds;
  for (int i = 0; i < 50; ++i) fds.push_back(ConnectLoopback(port));
  for (int fd : fds) {
    if (fd >= 0) close(fd);
  }
  EXPECT_TRUE(server->IsRunning());
  EXPECT_EQ(Scrape(port).status, 200);
  auto stub = v1::RemoteK::NewStub(server->Channel());
  v1::SessionInfo session;
  EXPECT_TRUE(stub->CreateSession(TokenCtx().get(), {}, &session).ok());
  // SIGTERM stops the metrics thread too. (The client goes first: an idle
  // channel that never reads GOAWAY would hold shutdown for the whole grace.)
  stub.reset();
  EXPECT_EQ(server->Stop(), 0);
}

TEST(MetricsTest, OffByDefaultAndBadAddressesStopTheServer) {
  auto server = ServerProcess::Start({"--threads=1"});
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_EQ((*server)->metrics_port(), 0);

  ExitResult bad = RunServerToExit({"--metrics_address=nonsense"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.output,
              HasSubstr("metrics_address=\"nonsense\" must be host:port"));
  ExitResult range = RunServerToExit({"--metrics_address=127.0.0.1:70000"});
  EXPECT_EQ(range.exit_code, 1);
  EXPECT_THAT(range.output, HasSubstr("port of 0-65535"));
}

}  // namespace
}  // namespace remotek::testing
