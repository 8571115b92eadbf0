// The cost of a small eager op against the raw gRPC round trip, measured in
// one run against one remotek-server child process (started here with
// ServerProcess on 127.0.0.1:0, as a deployment would run it):
//
//   Echo       empty EchoRequest -> EchoResponse          (the baseline)
//   RunOp/add  "add" of two inline float32[4] tensors, result returned inline
//
// each at concurrency 1 and 16 (16 client threads, each with its own stub,
// spread over kChannels channels with separate TCP connections). After the
// Google Benchmark output it prints latency p50/p99 (microseconds), QPS and
// the op/echo ratios, against the targets: op p50 <= 1.3x echo and op QPS >=
// 0.75x echo at concurrency 16.
//
//   service_benchmark [--server_threads=N] [google benchmark flags]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "grpcpp/grpcpp.h"
#include "remotek/v1/remotek.grpc.pb.h"
#include "tests/support/server_process.h"

namespace remotek {
namespace {

constexpr int kChannels = 4;

using Clock = std::chrono::steady_clock;

struct Shared {
  std::unique_ptr<testing::ServerProcess> server;
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  std::string session_id;
};
Shared* g = nullptr;

// Latency samples of the latest run of each (kind, threads) benchmark.
struct RunSamples {
  std::vector<double> micros;
  int64_t requests = 0;
  double wall_seconds = 0;  // the longest thread's loop
};
std::mutex g_samples_mu;
std::map<std::pair<std::string, int>, RunSamples> g_samples;

std::shared_ptr<grpc::Channel> NewChannel(const std::string& address, int index) {
  grpc::ChannelArguments args;
  // A private subchannel pool gives each channel its own TCP connection.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt("remotek.bench.channel", index);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

v1::Tensor F32x4(float a, float b, float c, float d) {
  const float v[4] = {a, b, c, d};
  v1::Tensor t;
  t.set_dtype(v1::FLOAT32);
  t.add_shape(4);
  t.set_content(reinterpret_cast<const char*>(v), sizeof(v));
  return t;
}

v1::RunOpRequest AddRequest() {
  v1::RunOpRequest r;
  r.set_session_id(g->session_id);
  r.set_op("add");
  *r.add_args()->mutable_tensor() = F32x4(1, 2, 3, 4);
  *r.add_args()->mutable_tensor() = F32x4(0.5f, 0.25f, -1, 8);
  return r;
}

// Runs `call` (one RPC, returning its status) in the benchmark loop and
// records each call's latency.
template <typename CallFn>
void TimedLoop(benchmark::State& state, const std::string& kind, CallFn call) {
  if (state.thread_index() == 0) {
    // Every thread of the previous run has joined; this run's threads append
    // only after the loop's closing barrier, which this thread reaches later.
    std::lock_guard<std::mutex> lock(g_samples_mu);
    g_samples[{kind, state.threads()}] = RunSamples();
  }
  std::vector<double> micros;
  micros.reserve(1 << 16);
  Clock::time_point loop_start;
  bool first = true;
  for (auto _ : state) {
    if (first) {
      loop_start = Clock::now();
      first = false;
    }
    const Clock::time_point t0 = Clock::now();
    const grpc::Status s = call();
    micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    if (!s.ok()) {
      state.SkipWithError(s.error_message().c_str());
      break;
    }
  }
  const double wall = std::chrono::duration<double>(Clock::now() - loop_start).count();
  state.SetItemsProcessed(state.iterations());
  std::lock_guard<std::mutex> lock(g_samples_mu);
  RunSamples& run = g_samples[{kind, state.threads()}];
  run.micros.insert(run.micros.end(), micros.begin(), micros.end());
  run.requests += static_cast<int64_t>(micros.size());
  run.wall_seconds = std::max(run.wall_seconds, wall);
}

void BM_Echo(benchmark::State& state) {
  auto stub = v1::RemoteK::NewStub(g->channels[state.thread_index() % kChannels]);
  const v1::EchoRequest request;
  TimedLoop(state, "echo", [&] {
    grpc::ClientContext ctx;
    v1::EchoResponse response;
    return stub->Echo(&ctx, request, &response);
  });
}

void BM_AddOp(benchmark::State& state) {
  auto stub = v1::RemoteK::NewStub(g->channels[state.thread_index() % kChannels]);
  const v1::RunOpRequest request = AddRequest();
  TimedLoop(state, "add", [&] {
    grpc::ClientContext ctx;
    ctx.AddMetadata("remotek-session-id", g->session_id);
    v1::RunOpResponse response;
    return stub->RunOp(&ctx, request, &response);
  });
}

BENCHMARK(BM_Echo)->Threads(1)->Threads(16)->UseRealTime()->MinTime(1.0);
BENCHMARK(BM_AddOp)->Threads(1)->Threads(16)->UseRealTime()->MinTime(1.0);

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  const size_t k = std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1) + 0.5));
  std::nth_element(v.begin(), v.begin() + k, v.end());
  return v[k];
}

struct Figures {
  double p50 = 0, p99 = 0, qps = 0;
};

Figures FiguresOf(const std::string& kind, int threads) {
  Figures f;
  auto it = g_samples.find({kind, threads});
  if (it == g_samples.end() || it->second.micros.empty()) return f;
  f.p50 = Percentile(it->second.micros, 0.50);
  f.p99 = Percentile(it->second.micros, 0.99);
  f.qps = it->second.requests / it->second.wall_seconds;
  return f;
}

// Returns false when a target is missed.
bool PrintTable() {
  std::printf("\nservice_benchmark: echo vs RunOp add(float32[4], float32[4]), one server\n");
  std::printf("%-6s %-5s %10s %10s %12s\n", "conc", "rpc", "p50_us", "p99_us", "qps");
  bool ok = true;
  for (int threads : {1, 16}) {
    const Figures echo = FiguresOf("echo", threads);
    const Figures add = FiguresOf("add", threads);
    std::printf("%-6d %-5s %10.1f %10.1f %12.0f\n", threads, "echo", echo.p50, echo.p99, echo.qps);
    std::printf("%-6d %-5s %10.1f %10.1f %12.0f\n", threads, "add", add.p50, add.p99, add.qps);
    const double p50_ratio = echo.p50 > 0 ? add.p50 / echo.p50 : 0;
    const double p99_ratio = echo.p99 > 0 ? add.p99 / echo.p99 : 0;
    const double qps_ratio = echo.qps > 0 ? add.qps / echo.qps : 0;
    std::printf("%-6d %-5s p50 %.2fx  p99 %.2fx  qps %.2fx", threads, "ratio", p50_ratio,
                p99_ratio, qps_ratio);
    if (threads == 16) {
      const bool p50_ok = p50_ratio <= 1.3;
      const bool qps_ok = qps_ratio >= 0.75;
      std::printf("   targets: p50 <= 1.30x %s, qps >= 0.75x %s", p50_ok ? "met" : "MISSED",
                  qps_ok ? "met" : "MISSED");
      ok = p50_ok && qps_ok;
    }
    std::printf("\n");
  }
  return ok;
}

// One add before timing: the server must answer it right.
bool CheckAdd() {
  auto stub = v1::RemoteK::NewStub(g->channels[0]);
  grpc::ClientContext ctx;
  ctx.AddMetadata("remotek-session-id", g->session_id);
  v1::RunOpResponse response;
  const grpc::Status s = stub->RunOp(&ctx, AddRequest(), &response);
  if (!s.ok()) {
    std::fprintf(stderr, "add failed: %s\n", s.error_message().c_str());
    return false;
  }
  float out[4] = {};
  if (response.result().content().size() != sizeof(out)) return false;
  std::memcpy(out, response.result().content().data(), sizeof(out));
  const float want[4] = {1.5f, 2.25f, 2, 12};
  for (int i = 0; i < 4; ++i) {
    if (out[i] != want[i]) {
      std::fprintf(stderr, "add gave %g at %d, want %g\n", out[i], i, want[i]);
      return false;
    }
  }
  return true;
}

}  // namespace
}  // namespace remotek

int main(int argc, char** argv) {
  using remotek::g;
  std::string server_threads = "2";
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--server_threads=", 0) == 0) {
      server_threads = arg.substr(17);
    } else {
      rest.push_back(argv[i]);
    }
  }
  int rest_argc = static_cast<int>(rest.size());
  benchmark::Initialize(&rest_argc, rest.data());

  remotek::Shared shared;
  g = &shared;
  auto server = remotek::testing::ServerProcess::Start({"--threads=" + server_threads});
  if (!server.ok()) {
    std::fprintf(stderr, "could not start remotek-server: %s\n",
                 std::string(server.status().message()).c_str());
    return 1;
  }
  shared.server = *std::move(server);
  std::printf("server: %s (pid %d)\n", shared.server->startup_line().c_str(),
              static_cast<int>(shared.server->pid()));
  for (int i = 0; i < remotek::kChannels; ++i) {
    shared.channels.push_back(remotek::NewChannel(shared.server->address(), i));
  }
  {
    auto stub = remotek::v1::RemoteK::NewStub(shared.channels[0]);
    grpc::ClientContext ctx;
    remotek::v1::SessionInfo info;
    const grpc::Status s =
        stub->CreateSession(&ctx, remotek::v1::CreateSessionRequest(), &info);
    if (!s.ok()) {
      std::fprintf(stderr, "CreateSession failed: %s\n", s.error_message().c_str());
      return 1;
    }
    shared.session_id = info.session_id();
  }
  if (!remotek::CheckAdd()) return 1;

  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  const bool met = remotek::PrintTable();
  std::printf("server RSS at the end: %lld KiB\n",
              static_cast<long long>(shared.server->ResidentBytes() / 1024));
  shared.server->Stop();
  return met ? 0 : 2;
}
