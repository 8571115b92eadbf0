// The proof of session-affine routing: three real remotek-server replicas
// behind a real nginx that includes the SHIPPED deploy/nginx/remotek-upstream.conf
// and deploy/nginx/remotek-grpc-proxy.conf (the files compose and k8s use).
//
// Through the proxy it opens 200 sessions (each with a variable, a graph op
// and an eager op), then asks every replica directly which sessions it holds:
// all three hold some, together exactly the 200, each exactly once. More calls
// through the proxy must land where the session lives (each replica's list is
// unchanged and its per-session node counts grew by exactly the calls made).
// Then one replica is stopped: its sessions fail with NOT_FOUND or
// UNAVAILABLE, the other sessions keep working, and new sessions succeed on
// the two live replicas.
//
// Skips only when /usr/sbin/nginx is missing (deploy/install-deps.sh installs
// it). nginx runs as a child process in its own process group with all of its
// files in a temporary directory, and is always killed at the end (TearDown;
// PR_SET_PDEATHSIG if the test process dies first).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "remotek/client.h"
#include "remotek/host_tensor.h"
#include "remotek/session.h"
#include "tests/support/server_process.h"

namespace {

namespace fs = std::filesystem;
using remotek::client::Client;
using remotek::client::ClientOptions;
using remotek::client::HostTensor;
using remotek::client::Node;
using remotek::client::Session;
using remotek::client::SessionInfo;
using remotek::testing::ServerProcess;

constexpr char kNginx[] = "/usr/sbin/nginx";
constexpr int kReplicas = 3;
constexpr int kSessions = 200;
constexpr int kNewSessions = 30;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A port that was free a moment ago on 127.0.0.1.
int FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  int port = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

bool PortAccepts(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

// nginx (master + 1 worker) in the foreground, in its own process group, with
// pid, logs and temp paths under a private directory.
class NginxProcess {
 public:
  static absl::StatusOr<std::unique_ptr<NginxProcess>> Start(
      const std::vector<std::string>& upstreams) {
    auto nginx = std::unique_ptr<NginxProcess>(new NginxProcess());
    char tmpl[] = "/tmp/remotek-nginx-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) return absl::InternalError("mkdtemp failed");
    nginx->dir_ = tmpl;
    // Workers drop to an unprivileged user when the test runs as root; they
    // must be able to reach the temp paths.
    chmod(tmpl, 0755);
    for (int attempt = 0; attempt < 5; ++attempt) {
      nginx->port_ = FreeLoopbackPort();
      if (nginx->port_ <= 0) return absl::InternalError("no free port");
      nginx->WriteConfig(upstreams);
      absl::Status started = nginx->Launch();
      if (started.ok()) return nginx;
      nginx->Kill();
      if (attempt == 4) return started;
    }
    return absl::InternalError("unreachable");
  }

  ~NginxProcess() {
    Kill();
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }

  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string error_log() const { return ReadFile(dir_ / "error.log"); }
  std::string access_log() const { return ReadFile(dir_ / "access.log"); }
  bool IsRunning() const {
    return pid_ > 0 && waitpid(pid_, nullptr, WNOHANG) == 0;
  }

  // SIGTERM (fast shutdown; the master stops its workers), then SIGKILL to
  // the whole process group if it has not exited within 5 s.
  void Kill() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    bool reaped = false;
    for (int i = 0; i < 100; ++i) {
      pid_t r = waitpid(pid_, nullptr, WNOHANG);
      if (r == pid_ || r < 0) {
        reaped = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    kill(-pid_, SIGKILL);  // the group: any worker left behind
    if (!reaped) waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  NginxProcess() = default;

  void WriteConfig(const std::vector<std::string>& upstreams) {
    const std::string d = dir_.string();
    std::ofstream conf(dir_ / "nginx.conf");
    conf << "# Generated by session_affinity_test.\n"
         << "worker_processes 1;\n"
         << "pid " << d << "/nginx.pid;\n"
         << "error_log " << d << "/error.log info;\n"
         << "events { worker_connections 1024; }\n"
         << "http {\n"
         << "  log_format remotek '$status grpc=$sent_http_grpc_status "
            "session=$http_remotek_session_id upstream=$upstream_addr';\n"
         << "  access_log " << d << "/access.log remotek;\n"
         << "  client_body_temp_path " << d << "/client_body;\n"
         << "  proxy_temp_path " << d << "/proxy;\n"
         << "  fastcgi_temp_path " << d << "/fastcgi;\n"
         << "  uwsgi_temp_path " << d << "/uwsgi;\n"
         << "  scgi_temp_path " << d << "/scgi;\n"
         << "  upstream remotek {\n"
         << "    include " << REMOTEK_NGINX_UPSTREAM_CONF << ";\n";
    for (const std::string& u : upstreams) conf << "    server " << u << ";\n";
    conf << "  }\n"
         << "  server {\n"
         << "    listen 127.0.0.1:" << port_ << " http2;\n"
         << "    include " << REMOTEK_NGINX_PROXY_CONF << ";\n"
         << "  }\n"
         << "}\n";
  }

  absl::Status Launch() {
    const std::string prefix = dir_.string() + "/";
    const std::string conf = (dir_ / "nginx.conf").string();
    pid_ = fork();
    if (pid_ < 0) return absl::InternalError("fork failed");
    if (pid_ == 0) {
      setpgid(0, 0);
      // If the test dies without its TearDown (crash, SIGKILL on timeout),
      // the nginx master still gets SIGTERM and stops its workers.
      prctl(PR_SET_PDEATHSIG, SIGTERM);
      std::vector<std::string> args{kNginx, "-p", prefix, "-c", conf,
                                    "-g", "daemon off;"};
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(kNginx, argv.data());
      _exit(127);
    }
    setpgid(pid_, pid_);
    // Bounded: up to 10 s for the listener.
    for (int i = 0; i < 200; ++i) {
      if (!IsRunning()) {
        pid_ = -1;
        return absl::InternalError("nginx exited: " + error_log());
      }
      if (PortAccepts(port_)) return absl::OkStatus();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return absl::DeadlineExceededError("nginx did not listen: " + error_log());
  }

  fs::path dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

struct TrackedSession {
  Session session;
  Node variable;
  Node sum;  // variable + variable (graph op)
  float base = 0;
};

// The session ids each replica holds, asked directly (no proxy).
std::map<std::string, SessionInfo> HeldBy(const Client& direct) {
  std::map<std::string, SessionInfo> out;
  auto list = direct.list_sessions();
  EXPECT_TRUE(list.ok()) << list.status();
  if (!list.ok()) return out;
  for (SessionInfo& info : *list) out.emplace(info.session_id, info);
  return out;
}

HostTensor ValueFor(float base) {
  return HostTensor::FromVector<float>({3}, {base, base + 1, base + 2});
}

std::vector<float> Floats(const HostTensor& t) { return t.values<float>(); }

class SessionAffinityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access(kNginx, X_OK) != 0) {
      GTEST_SKIP() << kNginx << " is missing; install the Debian `nginx` "
                   << "package (deploy/install-deps.sh does)";
    }
    ASSERT_TRUE(fs::exists(REMOTEK_NGINX_UPSTREAM_CONF));
    ASSERT_TRUE(fs::exists(REMOTEK_NGINX_PROXY_CONF));
    std::vector<std::string> upstreams;
    for (int i = 0; i < kReplicas; ++i) {
      auto server = ServerProcess::Start({"--threads=1", "--shutdown_grace=2s"});
      ASSERT_TRUE(server.ok()) << server.status();
      upstreams.push_back((*server)->address());
      replicas_.push_back(std::move(*server));
    }
    auto nginx = NginxProcess::Start(upstreams);
    ASSERT_TRUE(nginx.ok()) << nginx.status();
    nginx_ = std::move(*nginx);
  }

  void TearDown() override {
    if (nginx_ != nullptr && HasFailure()) {
      std::string log = nginx_->error_log();
      if (log.size() > 4000) log = log.substr(log.size() - 4000);
      std::printf("nginx error.log (tail):\n%s\n", log.c_str());
    }
    nginx_.reset();  // always killed, before the replicas
    replicas_.clear();
  }

  std::vector<std::unique_ptr<ServerProcess>> replicas_;
  std::unique_ptr<NginxProcess> nginx_;
};

TEST_F(SessionAffinityTest, SessionsStayOnTheirReplicaAndDieWithIt) {
  ClientOptions options;
  options.timeout = std::chrono::seconds(10);
  // Sessions of a stopped replica cannot be closed; do not try at the end.
  options.close_sessions_on_destruction = false;
  Client proxy(nginx_->address(), options);
  ASSERT_TRUE(proxy.WaitForReady(std::chrono::seconds(10)).ok());
  std::vector<Client> direct;
  for (const auto& r : replicas_) direct.emplace_back(r->address(), options);

  // Calls without a session go through the proxy too.
  auto info = proxy.server_info();
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_FALSE(info->version.empty());

  // ---- 200 sessions through the proxy, each with a variable and ops.
  std::vector<TrackedSession> sessions;
  sessions.reserve(kSessions);
  for (int i = 0; i < kSessions; ++i) {
    auto s = proxy.create_session();
    ASSERT_TRUE(s.ok()) << "session " << i << ": " << s.status();
    const float base = static_cast<float>(10 * i);
    auto v = s->variable(ValueFor(base));
    ASSERT_TRUE(v.ok()) << "session " << i << ": " << v.status();
    auto sum = s->add(*v, *v);
    ASSERT_TRUE(sum.ok()) << "session " << i << ": " << sum.status();
    auto eager = s->run_op("multiply", {*v, *v});
    ASSERT_TRUE(eager.ok()) << "session " << i << ": " << eager.status();
    EXPECT_THAT(Floats(*eager), ::testing::ElementsAre(
                                    base * base, (base + 1) * (base + 1),
                                    (base + 2) * (base + 2)));
    sessions.push_back(TrackedSession{std::move(*s), *v, *sum, base});
  }

  // ---- Each replica, asked directly: who holds what.
  std::vector<std::map<std::string, SessionInfo>> held(kReplicas);
  std::map<std::string, int> owner;
  size_t total = 0;
  for (int r = 0; r < kReplicas; ++r) {
    held[r] = HeldBy(direct[r]);
    total += held[r].size();
    for (const auto& [id, unused] : held[r]) {
      EXPECT_TRUE(owner.emplace(id, r).second) << id << " on two replicas";
    }
    std::printf("replica %d (%s): %zu sessions\n", r,
                replicas_[r]->address().c_str(), held[r].size());
  }
  for (int r = 0; r < kReplicas; ++r) {
    EXPECT_GT(held[r].size(), 0u) << "replica " << r << " got no session";
  }
  EXPECT_EQ(total, static_cast<size_t>(kSessions));
  int32_t nodes_after_create = -1;
  for (const TrackedSession& t : sessions) {
    auto it = owner.find(t.session.id());
    ASSERT_NE(it, owner.end()) << t.session.id() << " is on no replica";
    const SessionInfo& si = held[it->second].at(t.session.id());
    EXPECT_EQ(si.stats.variables, 1) << t.session.id();
    if (nodes_after_create < 0) nodes_after_create = si.stats.nodes;
    // Same graph in every session: same node count everywhere.
    EXPECT_EQ(si.stats.nodes, nodes_after_create) << t.session.id();
  }
  EXPECT_GE(nodes_after_create, 2);  // at least the variable and the add

  // ---- More calls through the proxy: each must reach the session's replica.
  for (TrackedSession& t : sessions) {
    auto value = t.session.get_value(t.variable);
    ASSERT_TRUE(value.ok()) << t.session.id() << ": " << value.status();
    EXPECT_THAT(Floats(*value), ::testing::ElementsAre(t.base, t.base + 1,
                                                       t.base + 2));
    auto product = t.session.multiply(t.sum, t.variable);  // one more node
    ASSERT_TRUE(product.ok()) << t.session.id() << ": " << product.status();
    auto stats = t.session.stats();
    ASSERT_TRUE(stats.ok()) << t.session.id() << ": " << stats.status();
    EXPECT_EQ(stats->nodes, nodes_after_create + 1) << t.session.id();
  }
  for (int r = 0; r < kReplicas; ++r) {
    std::map<std::string, SessionInfo> now = HeldBy(direct[r]);
    std::set<std::string> before_ids, now_ids;
    for (const auto& [id, unused] : held[r]) before_ids.insert(id);
    for (const auto& [id, unused] : now) now_ids.insert(id);
    EXPECT_EQ(now_ids, before_ids) << "replica " << r;
    for (const auto& [id, si] : now) {
      // The extra node was built here, on the replica that holds the session.
      EXPECT_EQ(si.stats.nodes, nodes_after_create + 1) << id;
    }
  }

  // ---- Stop one replica: its sessions are gone, the others are not.
  const int dead = 1;
  EXPECT_EQ(replicas_[dead]->Stop(), 0);
  int lost = 0, kept = 0, not_found = 0, unavailable = 0;
  for (TrackedSession& t : sessions) {
    auto value = t.session.get_value(t.variable);
    if (owner.at(t.session.id()) == dead) {
      ++lost;
      ASSERT_FALSE(value.ok()) << t.session.id() << " survived its replica";
      const absl::StatusCode code = value.status().code();
      EXPECT_TRUE(code == absl::StatusCode::kNotFound ||
                  code == absl::StatusCode::kUnavailable)
          << t.session.id() << ": " << value.status();
      if (code == absl::StatusCode::kNotFound) ++not_found;
      if (code == absl::StatusCode::kUnavailable) ++unavailable;
    } else {
      ++kept;
      ASSERT_TRUE(value.ok()) << t.session.id() << ": " << value.status();
      EXPECT_THAT(Floats(*value), ::testing::ElementsAre(t.base, t.base + 1,
                                                         t.base + 2));
      auto more = t.session.subtract(t.sum, t.variable);
      ASSERT_TRUE(more.ok()) << t.session.id() << ": " << more.status();
    }
  }
  std::printf("after stopping replica %d: %d sessions lost (%d NOT_FOUND, "
              "%d UNAVAILABLE), %d kept working\n",
              dead, lost, not_found, unavailable, kept);
  EXPECT_EQ(lost, static_cast<int>(held[dead].size()));
  EXPECT_EQ(kept + lost, kSessions);

  // ---- New sessions still succeed, on the live replicas, and stay there.
  std::vector<TrackedSession> fresh;
  for (int i = 0; i < kNewSessions; ++i) {
    auto s = proxy.create_session();
    ASSERT_TRUE(s.ok()) << "new session " << i << ": " << s.status();
    const float base = -10.0f * static_cast<float>(i + 1);
    auto v = s->variable(ValueFor(base));
    ASSERT_TRUE(v.ok()) << "new session " << i << ": " << v.status();
    auto sum = s->add(*v, *v);
    ASSERT_TRUE(sum.ok()) << "new session " << i << ": " << sum.status();
    auto value = s->get_value(*v);
    ASSERT_TRUE(value.ok()) << "new session " << i << ": " << value.status();
    EXPECT_THAT(Floats(*value), ::testing::ElementsAre(base, base + 1,
                                                       base + 2));
    fresh.push_back(TrackedSession{std::move(*s), *v, *sum, base});
  }
  int fresh_found = 0;
  std::vector<int> fresh_per_replica(kReplicas, 0);
  for (int r = 0; r < kReplicas; ++r) {
    if (r == dead) continue;
    std::map<std::string, SessionInfo> now = HeldBy(direct[r]);
    for (const TrackedSession& t : fresh) {
      if (now.count(t.session.id()) > 0) {
        ++fresh_found;
        ++fresh_per_replica[r];
      }
    }
    // Old sessions of this replica: still all there.
    for (const auto& [id, unused] : held[r]) {
      EXPECT_EQ(now.count(id), 1u) << id << " vanished from replica " << r;
    }
  }
  std::printf("new sessions after the stop: %d on replica 0, %d on replica 2\n",
              fresh_per_replica[0], fresh_per_replica[2]);
  EXPECT_EQ(fresh_found, kNewSessions);
  EXPECT_EQ(held[0].size() + held[2].size() +
                static_cast<size_t>(kNewSessions),
            HeldBy(direct[0]).size() + HeldBy(direct[2]).size());
}

}  // namespace
