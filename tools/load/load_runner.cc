// Closed- and open-loop drivers (see load_runner.h for the model).
#include "tools/load/load_runner.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <future>
#include <latch>
#include <thread>

#include "absl/strings/str_cat.h"
#include "tools/load/scenario.h"

namespace remotek::load {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::nanoseconds;

// Lock-free, so storing to it from a signal handler is safe.
std::atomic<bool> stop_requested{false};
static_assert(std::atomic<bool>::is_always_lock_free);

int64_t Ns(Clock::duration d) {
  return std::chrono::duration_cast<nanoseconds>(d).count();
}

// Set by the runner once every worker is ready, before the workers are let go.
struct Timeline {
  Clock::time_point start;
  Clock::time_point measure_start;
};

// One worker's timed loop: it fills `stats` and returns the steady-clock time
// of its last measured completion (or the measure start if none).
using WorkerLoop =
    std::function<Clock::time_point(Scenario& scenario, RunStats& stats)>;

// Builds `workers` scenarios in parallel threads, probes each once, then
// starts all loops together. `on_start` fixes the timeline just before.
absl::StatusOr<RunStats> RunWorkers(const LoadOptions& options,
                                    const std::vector<Connection>& connections,
                                    int workers,
                                    const std::function<void()>& on_start,
                                    const Timeline& timeline,
                                    const WorkerLoop& loop) {
  std::vector<absl::Status> setup(static_cast<size_t>(workers));
  std::vector<RunStats> stats(static_cast<size_t>(workers));
  std::vector<Clock::time_point> last_end(static_cast<size_t>(workers));
  std::latch ready(workers);
  std::promise<bool> go_promise;
  std::shared_future<bool> go = go_promise.get_future().share();
  std::vector<std::thread> threads;
  threads.reserve(static_cast<size_t>(workers));
  for (int w = 0; w < workers; ++w) {
    threads.emplace_back([&, w] {
      const Connection& connection =
          connections[static_cast<size_t>(w) % connections.size()];
      WorkerContext context{&options, connection.channel, connection.stub.get(),
                            w};
      absl::StatusOr<std::unique_ptr<Scenario>> scenario =
          CreateScenario(context);
      if (!scenario.ok()) {
        setup[w] = scenario.status();
      } else if (RequestOutcome probe = (*scenario)->RunOnce();
                 !probe.status.ok()) {
        setup[w] = absl::Status(
            static_cast<absl::StatusCode>(probe.status.error_code()),
            absl::StrCat("first request failed: ",
                         probe.status.error_message()));
      }
      ready.count_down();
      if (go.get() && setup[w].ok()) last_end[w] = loop(**scenario, stats[w]);
      // The scenario (and its server-side session) goes away here, untimed.
    });
  }
  ready.wait();
  absl::Status first_error;
  for (const absl::Status& s : setup) {
    if (!s.ok()) {
      first_error = s;
      break;
    }
  }
  if (first_error.ok()) on_start();
  go_promise.set_value(first_error.ok());
  for (std::thread& t : threads) t.join();
  if (!first_error.ok()) return first_error;

  RunStats merged;
  Clock::time_point end = timeline.measure_start;
  for (int w = 0; w < workers; ++w) {
    merged.Merge(stats[w]);
    end = std::max(end, last_end[w]);
  }
  merged.elapsed_seconds =
      static_cast<double>(Ns(end - timeline.measure_start)) / 1e9;
  return merged;
}

void PublishMeasureStart(LiveCounters* live, Clock::time_point t) {
  if (live) live->measure_start_ns.store(Ns(t.time_since_epoch()));
}

void CountLive(LiveCounters* live, const RequestOutcome& outcome) {
  if (!live) return;
  live->completed.fetch_add(1, std::memory_order_relaxed);
  if (!outcome.status.ok())
    live->errors.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace

void RequestStop() { stop_requested.store(true, std::memory_order_relaxed); }
bool StopRequested() { return stop_requested.load(std::memory_order_relaxed); }

std::vector<Connection> OpenConnections(const LoadOptions& options) {
  std::vector<Connection> out;
  for (int i = 0; i < options.connections; ++i) {
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(-1);
    args.SetMaxSendMessageSize(-1);
    // As the client library does: large tensors need a big lookahead window.
    args.SetInt("grpc.http2.lookahead_bytes", 16 << 20);
    // Channels with equal arguments would share one TCP connection through
    // gRPC's global subchannel pool; a local pool per channel keeps them apart.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    Connection c;
    c.channel = grpc::CreateCustomChannel(
        options.address, grpc::InsecureChannelCredentials(), args);
    c.stub = v1::RemoteK::NewStub(c.channel);
    out.push_back(std::move(c));
  }
  return out;
}

absl::StatusOr<RunStats> RunClosedLoop(
    const LoadOptions& options, const std::vector<Connection>& connections,
    int concurrency, LiveCounters* live) {
  Timeline timeline;
  Clock::time_point measure_end;
  std::atomic<int64_t> tickets{0};
  const bool by_count = options.requests > 0;
  auto on_start = [&] {
    timeline.start = Clock::now();
    timeline.measure_start = timeline.start + options.warmup;
    measure_end = timeline.measure_start + options.duration;
    PublishMeasureStart(live, timeline.measure_start);
  };
  auto loop = [&](Scenario& scenario, RunStats& stats) {
    Clock::time_point last = timeline.measure_start;
    while (!StopRequested()) {
      const Clock::time_point begin = Clock::now();
      const bool measured = begin >= timeline.measure_start;
      if (measured) {
        // A ticket per measured request makes the count exact across workers.
        if (by_count ? tickets.fetch_add(1) >= options.requests
                     : begin >= measure_end) {
          break;
        }
      }
      RequestOutcome outcome = scenario.RunOnce();
      const Clock::time_point end = Clock::now();
      if (measured) {
        stats.Record(outcome, Ns(end - begin));
        CountLive(live, outcome);
        last = end;
      }
    }
    return last;
  };
  absl::StatusOr<RunStats> stats =
      RunWorkers(options, connections, concurrency, on_start, timeline, loop);
  if (stats.ok()) stats->concurrency = concurrency;
  return stats;
}

absl::StatusOr<RunStats> RunOpenLoop(const LoadOptions& options,
                                     const std::vector<Connection>& connections,
                                     LiveCounters* live) {
  const double period_ns = 1e9 / options.rate;
  const auto seconds = [](nanoseconds d) {
    return static_cast<double>(d.count()) / 1e9;
  };
  const int64_t warmup_count =
      static_cast<int64_t>(std::floor(seconds(options.warmup) * options.rate));
  const int64_t measured_count =
      options.requests > 0
          ? options.requests
          : std::max<int64_t>(
                1, static_cast<int64_t>(
                       std::ceil(seconds(options.duration) * options.rate)));
  const int64_t total = warmup_count + measured_count;
  auto intended = [&](const Timeline& t, int64_t i) {
    return t.start +
           nanoseconds(std::llround(static_cast<double>(i) * period_ns));
  };

  Timeline timeline;
  std::atomic<int64_t> next{0};
  auto on_start = [&] {
    // A little lead so the first requests are not late by the time it takes
    // to wake every worker.
    timeline.start = Clock::now() + std::chrono::milliseconds(5);
    timeline.measure_start = intended(timeline, warmup_count);
    PublishMeasureStart(live, timeline.measure_start);
  };
  auto loop = [&](Scenario& scenario, RunStats& stats) {
    Clock::time_point last = timeline.measure_start;
    while (true) {
      const int64_t i = next.fetch_add(1);
      if (i >= total) break;
      const Clock::time_point due = intended(timeline, i);
      // Sleep in slices so that a stop request is seen even at low rates.
      while (Clock::now() < due && !StopRequested()) {
        std::this_thread::sleep_until(
            std::min(due, Clock::now() + std::chrono::milliseconds(50)));
      }
      if (StopRequested()) break;
      const Clock::time_point sent = Clock::now();
      RequestOutcome outcome = scenario.RunOnce();
      const Clock::time_point end = Clock::now();
      if (i >= warmup_count) {
        // Measured from when it was due, not from when it got sent.
        stats.Record(outcome, Ns(end - due));
        stats.RecordSendLag(Ns(sent - due));
        CountLive(live, outcome);
        last = std::max(last, end);
      }
    }
    return last;
  };
  const int workers =
      static_cast<int>(std::min<int64_t>(options.max_in_flight, total));
  absl::StatusOr<RunStats> stats =
      RunWorkers(options, connections, workers, on_start, timeline, loop);
  if (stats.ok()) {
    stats->concurrency = options.max_in_flight;
    stats->rate = options.rate;
  }
  return stats;
}

}  // namespace remotek::load
