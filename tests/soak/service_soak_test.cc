// Soak: 10,000 build -> call -> clear_session cycles on one session of a real
// remotek-server. After every clear the session holds 0 bytes; every cycle
// computes bit-identical results (seeded initializers, reset name counters);
// and the server's resident memory after the last cycle is within 5% of that
// after cycle 100. Then, with remotek-load: 10,000 whole session lifetimes
// (no session left, memory flat) and 64 concurrent clients for 60 s.
#include <sys/wait.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "remotek/v1/remotek.grpc.pb.h"
#include "tests/support/server_process.h"

namespace remotek::testing {
namespace {

using ::testing::ElementsAre;

constexpr int kDefaultCycles = 10000;
constexpr int kRssBaselineCycle = 100;
constexpr double kRssTolerance = 0.05;
constexpr auto kTimeBudget = std::chrono::seconds(120);

// REMOTEK_SOAK_CYCLES overrides the cycle count for longer manual runs (the
// time budget still applies).
int Cycles() {
  const char* env = std::getenv("REMOTEK_SOAK_CYCLES");
  const int n = env != nullptr ? std::atoi(env) : 0;
  return n > kRssBaselineCycle ? n : kDefaultCycles;
}

v1::Tensor F32(std::vector<int64_t> shape, const std::vector<float>& values) {
  v1::Tensor t;
  t.set_dtype(v1::FLOAT32);
  for (int64_t d : shape) t.add_shape(d);
  t.set_content(reinterpret_cast<const char*>(values.data()),
                values.size() * sizeof(float));
  return t;
}

std::vector<float> Floats(const v1::Tensor& t) {
  std::vector<float> out(t.content().size() / sizeof(float));
  if (!out.empty())
    std::memcpy(out.data(), t.content().data(), t.content().size());
  return out;
}

std::unique_ptr<grpc::ClientContext> Ctx(const std::string& sid) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::seconds(20));
  ctx->AddMetadata("remotek-session-id", sid);
  return ctx;
}

v1::GraphNode Placeholder(const std::string& name, std::vector<int64_t> dims) {
  v1::GraphNode n;
  v1::PlaceholderRequest* p = n.mutable_placeholder();
  p->set_name(name);
  p->set_dtype(v1::FLOAT32);
  for (int64_t d : dims) p->mutable_shape()->add_dims(d);
  return n;
}

v1::GraphNode Variable(const std::string& name, v1::Initializer::Kind kind,
                       std::vector<int64_t> shape, uint64_t seed) {
  v1::GraphNode n;
  v1::VariableRequest* v = n.mutable_variable();
  v->set_name(name);
  v1::Initializer* init = v->mutable_initializer();
  init->set_kind(kind);
  for (int64_t d : shape) init->add_shape(d);
  init->set_low(-1);
  init->set_high(1);
  init->set_stddev(0.5);
  init->set_has_seed(true);
  init->set_seed(seed);
  return n;
}

v1::GraphNode Op(const std::string& name, const std::string& op,
                 std::vector<std::string> inputs,
                 std::vector<int64_t> axes = {}) {
  v1::GraphNode n;
  v1::OpNodeRequest* o = n.mutable_op();
  o->set_name(name);
  o->set_op(op);
  for (const std::string& in : inputs) o->add_inputs(in);
  if (!axes.empty()) {
    for (int64_t a : axes)
      (*o->mutable_attrs())["axes"].mutable_ints()->add_values(a);
  }
  return n;
}

// The model, one request: out = batch_dot(dot(x, u), y) + w; c <- c + w.
// Nodes are listed out of order on purpose (BuildGraph sorts them).
v1::BuildGraphRequest Model(const std::string& sid) {
  v1::BuildGraphRequest r;
  r.set_session_id(sid);
  *r.add_nodes() = Op("out", "add", {"bd", "w"});
  *r.add_nodes() = Op("bd", "batch_dot", {"xu", "y"}, {2, 1});
  *r.add_nodes() = Op("xu", "dot", {"x", "u"});
  *r.add_nodes() = Placeholder("x", {-1, 3, 4});
  *r.add_nodes() = Placeholder("y", {-1, 4, 2});
  *r.add_nodes() = Variable("u", v1::Initializer::RANDOM_UNIFORM, {4, 4}, 5);
  *r.add_nodes() = Variable("w", v1::Initializer::RANDOM_NORMAL, {2}, 11);
  *r.add_nodes() = Variable("c", v1::Initializer::ZEROS, {2}, 0);
  *r.add_nodes() = Op("c_next", "add", {"c", "w"});
  return r;
}

struct CycleResult {
  std::vector<std::string> handles;
  std::string function;
  std::vector<float> out, c1, c2;
};

class Soak : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = ServerProcess::Start({"--threads=2"});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    stub_ = v1::RemoteK::NewStub(server_->Channel());
    v1::SessionInfo info;
    grpc::Status s =
        stub_->CreateSession(Ctx("").get(), v1::CreateSessionRequest(), &info);
    ASSERT_TRUE(s.ok()) << s.error_message();
    sid_ = info.session_id();
    for (int b = 0; b < 2; ++b) {
      for (int i = 0; i < 3 * 4; ++i)
        x_.push_back(0.25f * static_cast<float>(i % 7) - 0.5f + b);
      for (int i = 0; i < 4 * 2; ++i)
        y_.push_back(0.125f * static_cast<float>(i) - 0.3f * b);
    }
  }

  // build -> function -> call twice -> clear. Fatal failures end the test.
  void Cycle(CycleResult* r) {
    v1::BuildGraphResponse built;
    grpc::Status s = stub_->BuildGraph(Ctx(sid_).get(), Model(sid_), &built);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_EQ(built.nodes_size(), 9);
    for (const v1::Node& n : built.nodes()) r->handles.push_back(n.handle());
    EXPECT_THAT(built.nodes(0).spec().shape(), ElementsAre(-1, 3, 2));  // out

    v1::FunctionRequest f;
    f.set_session_id(sid_);
    f.add_inputs("x");
    f.add_inputs("y");
    f.add_outputs("out");
    f.add_outputs("c_next");
    v1::Update* u = f.add_updates();
    u->set_variable("c");
    u->set_value("c_next");
    v1::FunctionInfo fn;
    s = stub_->Function(Ctx(sid_).get(), f, &fn);
    ASSERT_TRUE(s.ok()) << s.error_message();
    r->function = fn.handle();

    v1::CallRequest call;
    call.set_session_id(sid_);
    call.set_function(fn.handle());
    *call.add_feeds() = F32({2, 3, 4}, x_);
    *call.add_feeds() = F32({2, 4, 2}, y_);
    for (int i = 0; i < 2; ++i) {
      v1::CallResponse out;
      s = stub_->Call(Ctx(sid_).get(), call, &out);
      ASSERT_TRUE(s.ok()) << s.error_message();
      ASSERT_EQ(out.outputs_size(), 2);
      ASSERT_THAT(out.outputs(0).shape(), ElementsAre(2, 3, 2));
      ASSERT_THAT(out.outputs(1).shape(), ElementsAre(2));
      if (i == 0) r->out = Floats(out.outputs(0));
      (i == 0 ? r->c1 : r->c2) = Floats(out.outputs(1));
    }

    v1::SessionRequest clear;
    clear.set_session_id(sid_);
    v1::SessionInfo info;
    s = stub_->ClearSession(Ctx(sid_).get(), clear, &info);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_EQ(info.stats().bytes_held(), 0) << "bytes left after clear_session";
    ASSERT_EQ(info.stats().nodes(), 0);
    ASSERT_EQ(info.stats().variables(), 0);
    ASSERT_EQ(info.stats().functions(), 0);
  }

  // out computed here in double from u and w fetched from the server.
  void CheckFirstCycle(const CycleResult& r) {
    // Rebuild, fetch the seeded variables, then clear again.
    v1::BuildGraphResponse built;
    ASSERT_TRUE(stub_->BuildGraph(Ctx(sid_).get(), Model(sid_), &built).ok());
    v1::BatchGetValueRequest get;
    get.set_session_id(sid_);
    get.add_handles("u");
    get.add_handles("w");
    v1::BatchGetValueResponse values;
    ASSERT_TRUE(stub_->BatchGetValue(Ctx(sid_).get(), get, &values).ok());
    const std::vector<float> uv = Floats(values.values(0));
    const std::vector<float> wv = Floats(values.values(1));
    ASSERT_EQ(uv.size(), 16u);
    ASSERT_EQ(wv.size(), 2u);
    for (float v : uv) EXPECT_TRUE(v >= -1 && v < 1) << v;
    EXPECT_NE(wv[0], wv[1]);
    v1::SessionRequest clear;
    clear.set_session_id(sid_);
    v1::SessionInfo info;
    ASSERT_TRUE(stub_->ClearSession(Ctx(sid_).get(), clear, &info).ok());
    ASSERT_EQ(info.stats().bytes_held(), 0);

    for (int b = 0; b < 2; ++b) {
      for (int i = 0; i < 3; ++i) {
        for (int j = 0; j < 2; ++j) {
          double acc = 0;
          for (int k = 0; k < 4; ++k) {
            double xu = 0;
            for (int m = 0; m < 4; ++m)
              xu += double{x_[b * 12 + i * 4 + m]} * uv[m * 4 + k];
            acc += xu * y_[b * 8 + k * 2 + j];
          }
          EXPECT_NEAR(r.out[b * 6 + i * 2 + j], acc + wv[j], 1e-4)
              << b << "," << i << "," << j;
        }
      }
    }
    EXPECT_THAT(r.c1, ElementsAre(wv[0], wv[1]));  // 0 + w
    EXPECT_THAT(
        r.c2, ElementsAre(wv[0] + wv[0], wv[1] + wv[1]));  // the update landed
  }

  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<v1::RemoteK::Stub> stub_;
  std::string sid_;
  std::vector<float> x_, y_;
};

TEST_F(Soak, BuildCallClearTenThousandTimesHoldsMemoryFlat) {
  const int cycles = Cycles();
  const auto start = std::chrono::steady_clock::now();
  CycleResult first;
  int64_t rss_baseline = -1;
  int64_t rss_peak = 0;
  for (int cycle = 0; cycle < cycles; ++cycle) {
    CycleResult r;
    ASSERT_NO_FATAL_FAILURE(Cycle(&r)) << "cycle " << cycle;
    if (cycle == 0) {
      first = r;
      // Name counters start over after each clear, so handles repeat.
      EXPECT_THAT(first.handles, ElementsAre("out", "bd", "xu", "x", "y", "u",
                                             "w", "c", "c_next"));
      EXPECT_EQ(first.function, "function_1");
      ASSERT_NO_FATAL_FAILURE(CheckFirstCycle(first));
    } else {
      // Bit-identical to the first cycle: seeds, counters and values all reset.
      ASSERT_EQ(r.handles, first.handles) << "cycle " << cycle;
      ASSERT_EQ(r.function, first.function) << "cycle " << cycle;
      ASSERT_EQ(r.out, first.out) << "cycle " << cycle;
      ASSERT_EQ(r.c1, first.c1) << "cycle " << cycle;
      ASSERT_EQ(r.c2, first.c2) << "cycle " << cycle;
    }
    const int64_t rss = server_->ResidentBytes();
    ASSERT_GT(rss, 0);
    rss_peak = std::max(rss_peak, rss);
    if (cycle + 1 == kRssBaselineCycle) rss_baseline = rss;
    ASSERT_LT(std::chrono::steady_clock::now() - start, kTimeBudget)
        << "soak exceeded its time budget at cycle " << cycle;
  }
  const int64_t rss_final = server_->ResidentBytes();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  const double drift =
      static_cast<double>(rss_final - rss_baseline) / rss_baseline;
  std::printf(
      "soak: %d cycles in %.2f s (%.0f us/cycle); server RSS after cycle %d: "
      "%lld KiB, "
      "after cycle %d: %lld KiB (%+.2f%%), peak %lld KiB\n",
      cycles, seconds, seconds * 1e6 / cycles, kRssBaselineCycle,
      static_cast<long long>(rss_baseline / 1024), cycles,
      static_cast<long long>(rss_final / 1024), drift * 100,
      static_cast<long long>(rss_peak / 1024));
  EXPECT_LE(std::abs(drift), kRssTolerance)
      << "RSS after cycle " << kRssBaselineCycle << ": " << rss_baseline
      << " B, after cycle " << cycles << ": " << rss_final << " B";

  v1::SessionRequest get;
  get.set_session_id(sid_);
  v1::SessionInfo info;
  ASSERT_TRUE(stub_->GetSession(Ctx(sid_).get(), get, &info).ok());
  EXPECT_EQ(info.stats().bytes_held(), 0);
  EXPECT_GT(info.stats().peak_bytes(), 0);
  EXPECT_TRUE(server_->IsRunning());
}

#ifdef REMOTEK_LOAD_PATH
// Runs remotek-load against the soak server and returns its JSON report.
std::string RunLoad(const std::string& address, const std::string& args) {
  const std::string command =
      std::string(REMOTEK_LOAD_PATH) + " --address=" + address + " --json " + args + " 2>&1";
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  const int status = ::pclose(pipe);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) out += "\n(remotek-load failed)";
  return out;
}

int OpenSessions(v1::RemoteK::Stub& stub) {
  v1::ListSessionsResponse sessions;
  grpc::Status s = stub.ListSessions(Ctx("").get(), v1::ListSessionsRequest(), &sessions);
  return s.ok() ? sessions.sessions_size() : -1;
}

// 10,000 whole session lifetimes (create -> build -> call -> clear -> close)
// leave no session behind and resident memory flat; then 64 concurrent
// clients for 60 s (a mix of small eager ops and MLP calls) get no error.
TEST_F(Soak, SessionChurnAndSixtyFourClientsForAMinute) {
  const std::string address = server_->address();
  std::string report = RunLoad(address, "--scenario churn --requests 1000 --concurrency 4");
  ASSERT_THAT(report, ::testing::HasSubstr("\"errors\": 0,")) << report;
  const int64_t rss_baseline = server_->ResidentBytes();
  report = RunLoad(address, "--scenario churn --requests 10000 --concurrency 4");
  EXPECT_THAT(report, ::testing::HasSubstr("\"requests\": 10000, \"ok\": 10000, \"errors\": 0,"))
      << report;
  const int64_t rss_after = server_->ResidentBytes();
  const double drift = static_cast<double>(rss_after - rss_baseline) / rss_baseline;
  std::printf("soak churn: 10000 sessions; server RSS %lld KiB -> %lld KiB (%+.2f%%)\n",
              static_cast<long long>(rss_baseline / 1024),
              static_cast<long long>(rss_after / 1024), drift * 100);
  EXPECT_LE(std::abs(drift), kRssTolerance);
  EXPECT_EQ(OpenSessions(*stub_), 1);  // only the fixture's own session

  report = RunLoad(address, "--mix small_op:5,mlp:1 --concurrency 64 --duration 60s");
  EXPECT_THAT(report, ::testing::HasSubstr("\"errors\": 0,")) << report;
  EXPECT_THAT(report, ::testing::Not(::testing::HasSubstr("\"ok\": 0,"))) << report;
  std::printf("soak 64 clients x 60 s: %s\n", report.c_str());
  EXPECT_EQ(OpenSessions(*stub_), 1);
  EXPECT_TRUE(server_->IsRunning());
}
#endif

}  // namespace
}  // namespace remotek::testing
