// The structured log of a real remotek-server (its stderr): one JSON object
// per line for every session lifecycle event and every failed RPC, with the
// method, code and session id; tokens and tensor contents never appear.
#include <cctype>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "remotek/v1/remotek.grpc.pb.h"
#include "tests/integration/hardening/hardening_util.h"
#include "tests/support/server_process.h"

namespace remotek::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kAlice[] = "alice-token-0123456789abcdef";
// Must never reach the log: a rejected token and tensor bytes.
constexpr char kSecretToken[] = "SECRET-xyzzy-token-must-not-be-logged-4711";
constexpr char kTensorBytes[] =
    "PLUGH-tensor-content-never-log!!";  // 32 bytes: 8 float32
constexpr char kMissingSession[] = "0123456789abcdef0123456789abcdef";

using Fields = std::map<std::string, std::string>;

// Parses one flat JSON object of string and number values (what the event
// log writes) into key -> value (strings unescaped, numbers as written).
// False when `line` is not such an object.
bool ParseFlatJson(const std::string& line, Fields* out) {
  size_t i = 0;
  auto skip_ws = [&] {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  };
  auto parse_string = [&](std::string* s) -> bool {
    if (i >= line.size() || line[i] != '"') return false;
    for (++i; i < line.size(); ++i) {
      const char c = line[i];
      if (c == '"') {
        ++i;
        return true;
      }
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (c != '\\') {
        s->push_back(c);
        continue;
      }
      if (++i >= line.size()) return false;
      switch (line[i]) {
        case '"':
          s->push_back('"');
          break;
        case '\\':
          s->push_back('\\');
          break;
        case '/':
          s->push_back('/');
          break;
        case 'n':
          s->push_back('\n');
          break;
        case 'r':
          s->push_back('\r');
          break;
        case 't':
          s->push_back('\t');
          break;
        case 'b':
          s->push_back('\b');
          break;
        case 'f':
          s->push_back('\f');
          break;
        case 'u':
          if (i + 4 >= line.size()) return false;
          s->push_back('?');
          i += 4;
          break;
        default:
          return false;
      }
    }
    return false;
  };
  skip_ws();
  if (i >= line.size() || line[i++] != '{') return false;
  skip_ws();
  if (i < line.size() && line[i] == '}') return ++i == line.size();
  while (true) {
    std::string key, value;
    skip_ws();
    if (!parse_string(&key)) return false;
    skip_ws();
    if (i >= line.size() || line[i++] != ':') return false;
    skip_ws();
    if (i < line.size() && line[i] == '"') {
      if (!parse_string(&value)) return false;
    } else {
      const size_t start = i;
      while (i < line.size() &&
             (std::isdigit(static_cast<unsigned char>(line[i])) ||
              line[i] == '-' || line[i] == '.' || line[i] == 'e' ||
              line[i] == 'E' || line[i] == '+')) {
        ++i;
      }
      if (i == start) return false;
      value = line.substr(start, i - start);
    }
    if (out->count(key)) return false;  // duplicate key
    (*out)[key] = value;
    skip_ws();
    if (i >= line.size()) return false;
    if (line[i] == ',') {
      ++i;
      continue;
    }
    if (line[i] != '}') return false;
    return ++i == line.size();
  }
}

struct Log {
  std::vector<Fields> events;
  std::vector<std::string> bad_lines;  // neither JSON nor a plain notice
};

// JSON lines are events; "remotek-server: ..." lines are the plain notices
// main prints (start-up problems, shutdown).
Log ReadLog(const std::string& text) {
  Log log;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    Fields fields;
    if (line.front() == '{' && line.back() == '}' &&
        ParseFlatJson(std::string(line), &fields)) {
      log.events.push_back(std::move(fields));
    } else if (!absl::StartsWith(line, "remotek-server: ")) {
      log.bad_lines.emplace_back(line);
    }
  }
  return log;
}

std::vector<Fields> Matching(const Log& log, const Fields& want) {
  std::vector<Fields> found;
  for (const Fields& event : log.events) {
    bool all = true;
    for (const auto& [k, v] : want) all &= event.count(k) && event.at(k) == v;
    if (all) found.push_back(event);
  }
  return found;
}

v1::Tensor DistinctiveTensor(int64_t declared_elements) {
  v1::Tensor t;
  t.set_dtype(v1::FLOAT32);
  t.add_shape(declared_elements);
  t.set_content(kTensorBytes, 32);
  return t;
}

TEST(EventLogTest, LifecycleAndFailuresAreJsonLinesWithoutSecrets) {
  const std::string dir = MakeTempDir();
  WriteFile(dir + "/tokens.txt", absl::StrCat("alice ", kAlice, "\n"));
  ServerProcess::Options options;
  options.args = {"--threads=2", "--auth_tokens=" + dir + "/tokens.txt"};
  options.capture_stderr = true;
  auto started = ServerProcess::Start(options);
  ASSERT_TRUE(started.ok()) << started.status();
  ServerProcess& server = **started;
  auto stub = v1::RemoteK::NewStub(server.Channel());

  v1::SessionInfo session;
  ASSERT_TRUE(stub->CreateSession(TokenCtx(kAlice).get(), {}, &session).ok());
  const std::string id = session.session_id();

  // A rejected token.
  v1::SessionInfo ignored;
  EXPECT_EQ(stub->CreateSession(TokenCtx(kSecretToken).get(), {}, &ignored)
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  // Tensor bytes, accepted and refused (content shorter than the shape).
  {
    v1::ConstantRequest c;
    c.set_session_id(id);
    *c.mutable_value() = DistinctiveTensor(8);
    v1::Node node;
    auto ctx = TokenCtx(kAlice);
    ctx->AddMetadata("remotek-session-id", id);
    ASSERT_TRUE(stub->Constant(ctx.get(), c, &node).ok());
    *c.mutable_value() = DistinctiveTensor(9);
    auto bad_ctx = TokenCtx(kAlice);
    bad_ctx->AddMetadata("remotek-session-id", id);
    EXPECT_EQ(stub->Constant(bad_ctx.get(), c, &node).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }
  // An unknown session, named in the header as clients do.
  {
    v1::SessionRequest req;
    req.set_session_id(kMissingSession);
    auto ctx = TokenCtx(kAlice);
    ctx->AddMetadata("remotek-session-id", kMissingSession);
    v1::SessionInfo info;
    EXPECT_EQ(stub->GetSession(ctx.get(), req, &info).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  v1::SessionRequest req;
  req.set_session_id(id);
  v1::SessionInfo before_clear;
  ASSERT_TRUE(
      stub->GetSession(TokenCtx(kAlice).get(), req, &before_clear).ok());
  ASSERT_GE(before_clear.stats().bytes_held(), 32);
  v1::SessionInfo cleared;
  ASSERT_TRUE(stub->ClearSession(TokenCtx(kAlice).get(), req, &cleared).ok());
  v1::Empty empty;
  ASSERT_TRUE(stub->CloseSession(TokenCtx(kAlice).get(), req, &empty).ok());

  ASSERT_TRUE(server.WaitForStderr("\"event\":\"session_closed\"", 5000))
      << server.StderrText();
  const std::string text = server.StderrText();
  const Log log = ReadLog(text);
  EXPECT_THAT(log.bad_lines, ::testing::IsEmpty()) << text;

  for (const Fields& event : log.events) {
    EXPECT_EQ(event.count("ts"), 1u);
    EXPECT_EQ(event.count("level"), 1u);
    EXPECT_EQ(event.count("event"), 1u);
    // RFC 3339 UTC with milliseconds: 2024-05-01T12:00:00.123Z
    EXPECT_THAT(event.at("ts"),
                ::testing::MatchesRegex("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:["
                                        "0-9]{2}:[0-9]{2}[.][0-9]{3}Z$"));
  }
  const auto created =
      Matching(log, {{"event", "session_created"}, {"session", id}});
  ASSERT_EQ(created.size(), 1u) << text;
  EXPECT_EQ(created[0].at("tenant"), "alice");
  EXPECT_EQ(created[0].at("backend"), "eigen");
  EXPECT_EQ(created[0].at("level"), "info");
  const auto cleared_events =
      Matching(log, {{"event", "session_cleared"}, {"session", id}});
  ASSERT_EQ(cleared_events.size(), 1u) << text;
  EXPECT_EQ(cleared_events[0].at("bytes_freed"),
            std::to_string(before_clear.stats().bytes_held()));
  const auto closed =
      Matching(log, {{"event", "session_closed"}, {"session", id}});
  ASSERT_EQ(closed.size(), 1u) << text;
  EXPECT_EQ(closed[0].at("tenant"), "alice");
  EXPECT_EQ(closed[0].at("bytes_freed"), "0");

  const auto not_found = Matching(log, {{"event", "request_failed"},
                                        {"method", "GetSession"},
                                        {"code", "NOT_FOUND"}});
  ASSERT_EQ(not_found.size(), 1u) << text;
  EXPECT_EQ(not_found[0].at("session"), kMissingSession);
  EXPECT_EQ(not_found[0].at("level"), "warn");
  EXPECT_THAT(not_found[0].at("message"), HasSubstr("unknown session"));
  EXPECT_THAT(not_found[0].at("peer"), HasSubstr("127.0.0.1"));
  EXPECT_GE(std::stod(not_found[0].at("latency_ms")), 0);
  const auto unauthenticated = Matching(log, {{"event", "request_failed"},
                                              {"method", "CreateSession"},
                                              {"code", "UNAUTHENTICATED"}});
  ASSERT_EQ(unauthenticated.size(), 1u) << text;
  EXPECT_EQ(unauthenticated[0].at("message"), "invalid bearer token");
  const auto invalid = Matching(log, {{"event", "request_failed"},
                                      {"method", "Constant"},
                                      {"code", "INVALID_ARGUMENT"}});
  ASSERT_EQ(invalid.size(), 1u) << text;
  EXPECT_EQ(invalid[0].at("session"), id);
  // Successful calls are not logged.
  EXPECT_TRUE(Matching(log, {{"method", "ClearSession"}}).empty());
  EXPECT_EQ(Matching(log, {{"event", "request_failed"}}).size(), 3u) << text;

  // No secrets, whole or in part.
  EXPECT_THAT(text, Not(HasSubstr(kSecretToken)));
  EXPECT_THAT(text, Not(HasSubstr("xyzzy")));
  EXPECT_THAT(text, Not(HasSubstr(kAlice)));
  EXPECT_THAT(text, Not(HasSubstr("PLUGH")));
  EXPECT_THAT(text, Not(HasSubstr("never-log")));
}

TEST(EventLogTest, OffWithTheFlag) {
  ServerProcess::Options options;
  options.args = {"--threads=1", "--event_log=false"};
  options.capture_stderr = true;
  auto started = ServerProcess::Start(options);
  ASSERT_TRUE(started.ok()) << started.status();
  auto stub = v1::RemoteK::NewStub((*started)->Channel());
  v1::SessionInfo session;
  ASSERT_TRUE(stub->CreateSession(TokenCtx().get(), {}, &session).ok());
  v1::SessionRequest req;
  req.set_session_id(kMissingSession);
  EXPECT_EQ(stub->GetSession(TokenCtx().get(), req, &session).error_code(),
            grpc::StatusCode::NOT_FOUND);
  // Drop the connection first: an idle client that never reads the server's
  // GOAWAY would hold shutdown until --shutdown_grace runs out.
  stub.reset();
  EXPECT_EQ((*started)->Stop(), 0);
  EXPECT_THAT((*started)->StderrText(), Not(HasSubstr("{")));
}

}  // namespace
}  // namespace remotek::testing
