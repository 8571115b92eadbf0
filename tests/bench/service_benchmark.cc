// The cost of a small eager op against the raw gRPC round trip, measured in
// one run against one remotek-server child process (started here with
// ServerProcess on 127.0.0.1:0, as a deployment would run it):
//
//   Echo       empty EchoRequest -> EchoResponse          (the baseline)
//   RunOp/add  "add" of two inline float32[4] tensors, result returned inline,
//              with the remotek-session-id header as clients send it
//
// each at concurrency 1 and 16 (16 client threads, each with its own stub,
// spread over kChannels channels with separate TCP connections). Runs are
// short, repeated and randomly interleaved so that background load falls on
// echo and the op alike. After Google Benchmark's output it prints, per case,
// latency p50/p99 (microseconds), QPS, server and client CPU per request
// (from /proc, all runs pooled), and the add/echo ratios against the targets:
// op p50 <= 1.3x echo and op QPS >= 0.75x echo at concurrency 16. Exits 2
// when a target is missed.
//
//   service_benchmark [--server_threads=N] [google benchmark flags]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
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

// Everything measured for one (kind, threads) benchmark, summed over all of
// its runs (Google Benchmark's sizing runs and repetitions, which
// --benchmark_enable_random_interleaving spreads over time so that echo and
// the op see the same background load).
struct Totals {
  std::vector<double> micros;  // every request's latency
  int64_t requests = 0;
  std::vector<double> run_walls;  // per run: the longest thread's loop
  double server_cpu = 0;          // seconds the server process spent
  double client_cpu = 0;          // seconds this process spent
};
std::mutex g_totals_mu;
std::map<std::pair<std::string, int>, Totals> g_totals;

// utime + stime of a process, in seconds (clock-tick resolution).
double ProcessCpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  const size_t close = stat.rfind(')');  // the command name may hold spaces
  if (close == std::string::npos) return 0;
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  long long utime = 0, stime = 0;
  // Fields after the name start at 3 (state); utime and stime are 14 and 15.
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::atoll(field.c_str());
    if (i == 15) stime = std::atoll(field.c_str());
  }
  return static_cast<double>(utime + stime) / sysconf(_SC_CLK_TCK);
}

std::shared_ptr<grpc::Channel> NewChannel(const std::string& address,
                                          int index) {
  grpc::ChannelArguments args;
  // A private subchannel pool gives each channel its own TCP connection.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt("remotek.bench.channel", index);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(),
                                   args);
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
// records each call's latency. Thread 0 brackets the run with CPU readings:
// before the loop's opening barrier no thread of this run has sent anything,
// and after its closing barrier every thread's last call has returned.
template <typename CallFn>
void TimedLoop(benchmark::State& state, const std::string& kind, CallFn call) {
  const std::pair<std::string, int> key{kind, state.threads()};
  double server_cpu0 = 0, client_cpu0 = 0;
  if (state.thread_index() == 0) {
    std::lock_guard<std::mutex> lock(g_totals_mu);
    g_totals[key].run_walls.push_back(0);
    server_cpu0 = ProcessCpuSeconds(g->server->pid());
    client_cpu0 = ProcessCpuSeconds(getpid());
  }
  std::vector<double> micros;
  micros.reserve(1 << 14);
  Clock::time_point loop_start;
  bool first = true;
  for (auto _ : state) {
    if (first) {
      loop_start = Clock::now();
      first = false;
    }
    const Clock::time_point t0 = Clock::now();
    const grpc::Status s = call();
    micros.push_back(
        std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    if (!s.ok()) {
      state.SkipWithError(s.error_message().c_str());
      break;
    }
  }
  const double wall =
      std::chrono::duration<double>(Clock::now() - loop_start).count();
  state.SetItemsProcessed(state.iterations());
  std::lock_guard<std::mutex> lock(g_totals_mu);
  Totals& t = g_totals[key];
  if (state.thread_index() == 0) {
    t.server_cpu += ProcessCpuSeconds(g->server->pid()) - server_cpu0;
    t.client_cpu += ProcessCpuSeconds(getpid()) - client_cpu0;
  }
  t.micros.insert(t.micros.end(), micros.begin(), micros.end());
  t.requests += static_cast<int64_t>(micros.size());
  t.run_walls.back() = std::max(t.run_walls.back(), wall);
}

void BM_Echo(benchmark::State& state) {
  auto stub =
      v1::RemoteK::NewStub(g->channels[state.thread_index() % kChannels]);
  const v1::EchoRequest request;
  TimedLoop(state, "echo", [&] {
    grpc::ClientContext ctx;
    v1::EchoResponse response;
    return stub->Echo(&ctx, request, &response);
  });
}

void BM_AddOp(benchmark::State& state) {
  auto stub =
      v1::RemoteK::NewStub(g->channels[state.thread_index() % kChannels]);
  const v1::RunOpRequest request = AddRequest();
  TimedLoop(state, "add", [&] {
    grpc::ClientContext ctx;
    ctx.AddMetadata("remotek-session-id", g->session_id);
    v1::RunOpResponse response;
    return stub->RunOp(&ctx, request, &response);
  });
}

BENCHMARK(BM_Echo)->Threads(1)->Threads(16)->UseRealTime();
BENCHMARK(BM_AddOp)->Threads(1)->Threads(16)->UseRealTime();

std::string RatioText(double ratio) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2fx", ratio);
  return buf;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  const size_t k =
      std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1) + 0.5));
  std::nth_element(v.begin(), v.begin() + k, v.end());
  return v[k];
}

struct Figures {
  double p50 = 0, p99 = 0, qps = 0, server_us = 0, client_us = 0;
};

Figures FiguresOf(const std::string& kind, int threads) {
  Figures f;
  auto it = g_totals.find({kind, threads});
  if (it == g_totals.end() || it->second.requests == 0) return f;
  const Totals& t = it->second;
  double wall = 0;
  for (double w : t.run_walls) wall += w;
  f.p50 = Percentile(t.micros, 0.50);
  f.p99 = Percentile(t.micros, 0.99);
  f.qps = wall > 0 ? t.requests / wall : 0;
  f.server_us = t.server_cpu * 1e6 / t.requests;
  f.client_us = t.client_cpu * 1e6 / t.requests;
  return f;
}

double Ratio(double a, double b) { return b > 0 ? a / b : 0; }

// Returns false when a target is missed.
bool PrintTable() {
  std::printf(
      "\nservice_benchmark: Echo(empty) vs RunOp add(float32[4], float32[4]), "
      "one "
      "remotek-server child process\n");
  std::printf("%-5s %-5s %10s %10s %10s %14s %14s %10s\n", "conc", "rpc",
              "p50_us", "p99_us", "qps", "server_cpu_us", "client_cpu_us",
              "requests");
  bool ok = true;
  for (int threads : {1, 16}) {
    const Figures echo = FiguresOf("echo", threads);
    const Figures add = FiguresOf("add", threads);
    for (const auto& [name, f] :
         {std::pair{"echo", echo}, std::pair{"add", add}}) {
      const auto it = g_totals.find({name, threads});
      std::printf("%-5d %-5s %10.1f %10.1f %10.0f %14.1f %14.1f %10lld\n",
                  threads, name, f.p50, f.p99, f.qps, f.server_us, f.client_us,
                  static_cast<long long>(
                      it == g_totals.end() ? 0 : it->second.requests));
    }
    const double p50 = Ratio(add.p50, echo.p50);
    const double qps = Ratio(add.qps, echo.qps);
    std::printf("%-5d %-5s %10s %10s %10s %14s %14s\n", threads, "add/echo",
                RatioText(p50).c_str(),
                RatioText(Ratio(add.p99, echo.p99)).c_str(),
                RatioText(qps).c_str(),
                RatioText(Ratio(add.server_us, echo.server_us)).c_str(),
                RatioText(Ratio(add.client_us, echo.client_us)).c_str());
    if (threads == 16) {
      const bool p50_ok = p50 <= 1.3;
      const bool qps_ok = qps >= 0.75;
      std::printf(
          "targets at concurrency 16: p50 <= 1.30x echo: %s (%.2fx); "
          "qps >= 0.75x echo: %s (%.2fx)\n",
          p50_ok ? "met" : "MISSED", p50, qps_ok ? "met" : "MISSED", qps);
      ok = p50_ok && qps_ok;
    }
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
  // Defaults (any flag given on the command line wins): short runs, repeated
  // and randomly interleaved so that echo and the op share background load.
  std::vector<std::string> defaults = {
      "--benchmark_repetitions=6", "--benchmark_min_time=0.2",
      "--benchmark_enable_random_interleaving=true",
      "--benchmark_report_aggregates_only=true"};
  std::vector<std::string> owned;
  for (const std::string& d : defaults) {
    const std::string flag = d.substr(0, d.find('='));
    bool given = false;
    for (char* a : rest) given |= std::string(a).rfind(flag + "=", 0) == 0;
    if (!given) owned.push_back(d);
  }
  for (std::string& o : owned) rest.push_back(o.data());
  int rest_argc = static_cast<int>(rest.size());
  benchmark::Initialize(&rest_argc, rest.data());

  remotek::Shared shared;
  g = &shared;
  auto server =
      remotek::testing::ServerProcess::Start({"--threads=" + server_threads});
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
      std::fprintf(stderr, "CreateSession failed: %s\n",
                   s.error_message().c_str());
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
