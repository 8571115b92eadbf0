// Concurrency through the C++ client: many clients on their own sessions,
// many threads calling one session's function (updates land atomically), and
// concurrent graph edits on one session. Threads and iterations are bounded.
#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "remotek/client.h"
#include "tests/support/server_process.h"
#include "tests/support/status_matchers.h"

namespace rk = remotek::client;

namespace remotek::testing {
namespace {

using ::testing::SizeIs;

constexpr int kThreads = 4;
constexpr int kCallsPerThread = 25;

class ClientConcurrencyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto started = ServerProcess::Start({"--threads=2"});
    if (started.ok()) server_ = started->release();
    start_status_ = new absl::Status(started.status());
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    delete start_status_;
  }
  void SetUp() override { ASSERT_NE(server_, nullptr) << *start_status_; }

  static ServerProcess* server_;
  static absl::Status* start_status_;
};
ServerProcess* ClientConcurrencyTest::server_ = nullptr;
absl::Status* ClientConcurrencyTest::start_status_ = nullptr;

// Records failures from worker threads; gtest assertions stay on the main
// thread.
class Failures {
 public:
  void Add(std::string what) {
    absl::MutexLock lock(&mu_);
    if (list_.size() < 20) list_.push_back(std::move(what));
  }
  std::vector<std::string> Take() {
    absl::MutexLock lock(&mu_);
    return std::move(list_);
  }

 private:
  absl::Mutex mu_;
  std::vector<std::string> list_ ABSL_GUARDED_BY(mu_);
};

// Each thread: its own Client and Session, a graph y = x . w + b with
// thread-specific w, and calls whose results must be exact (small integers).
TEST_F(ClientConcurrencyTest, ManyClientsOnTheirOwnSessions) {
  Failures failures;
  std::vector<std::string> ids(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      rk::Client client(server_->address());
      absl::StatusOr<rk::Session> s =
          client.create_session({.backend = t % 2 ? "reference" : ""});
      if (!s.ok()) return failures.Add(s.status().ToString());
      ids[t] = s->id();
      // w = (t+1) * I(3), b = [t, t, t]: y = (t+1) * x + t.
      std::vector<float> w(9, 0.0f);
      for (int i = 0; i < 3; ++i) w[i * 3 + i] = static_cast<float>(t + 1);
      auto x = s->placeholder({-1, 3}, rk::DType::kFloat32, "x");
      auto wv = s->variable(rk::HostTensor::FromVector<float>({3, 3}, w), "w");
      auto bv = s->variable(
          rk::HostTensor::FromVector<float>({3}, std::vector<float>(3, t)),
          "b");
      if (!x.ok() || !wv.ok() || !bv.ok())
        return failures.Add("graph setup failed");
      auto xw = s->dot(*x, *wv);
      if (!xw.ok()) return failures.Add(xw.status().ToString());
      auto y = s->add(*xw, *bv);
      if (!y.ok()) return failures.Add(y.status().ToString());
      auto f = s->function({*x}, {*y});
      if (!f.ok()) return failures.Add(f.status().ToString());
      for (int i = 0; i < kCallsPerThread; ++i) {
        const std::vector<float> in = {float(i), float(i + 1), float(-i)};
        auto out = (*f)({rk::HostTensor::FromVector<float>({1, 3}, in)});
        if (!out.ok()) return failures.Add(out.status().ToString());
        std::vector<float> want;
        for (float v : in) want.push_back((t + 1) * v + t);
        if ((*out)[0].values<float>() != want) {
          return failures.Add("thread " + std::to_string(t) + " call " +
                              std::to_string(i) + " got " +
                              (*out)[0].DebugString() + " with wrong values");
        }
      }
      auto cleared = s->clear_session();
      if (!cleared.ok() || cleared->stats.bytes_held != 0) {
        return failures.Add("clear_session did not free the session");
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_THAT(failures.Take(), SizeIs(0));
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), kThreads);
}

// One session, one function with an update; every call's update lands once.
TEST_F(ClientConcurrencyTest, ConcurrentCallsOnOneSession) {
  rk::Client client(server_->address());
  ASSERT_OK_AND_ASSIGN(rk::Session s, client.create_session());
  ASSERT_OK_AND_ASSIGN(rk::Node x,
                       s.placeholder({-1, 4}, rk::DType::kFloat64, "x"));
  ASSERT_OK_AND_ASSIGN(rk::Node w,
                       s.variable(rk::HostTensor::FromVector<double>(
                                      {4, 2}, {1, 0, 0, 1, 1, 0, 0, 1}),
                                  "w"));
  ASSERT_OK_AND_ASSIGN(rk::Node count,
                       s.zeros({}, rk::DType::kFloat64, "count"));
  ASSERT_OK_AND_ASSIGN(rk::Node one,
                       s.constant(rk::HostTensor::Scalar<double>(1), "one"));
  ASSERT_OK_AND_ASSIGN(rk::Node next, s.add(count, one));
  ASSERT_OK_AND_ASSIGN(rk::Node y, s.dot(x, w));
  ASSERT_OK_AND_ASSIGN(rk::Function f, s.function({x}, {y}, {{count, next}}));

  Failures failures;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCallsPerThread; ++i) {
        const double a = t * 100 + i;
        auto out =
            f({rk::HostTensor::FromVector<double>({1, 4}, {a, 1, 2, 3})});
        if (!out.ok()) return failures.Add(out.status().ToString());
        if ((*out)[0].values<double>() != std::vector<double>{a + 2, 4}) {
          return failures.Add("wrong result for a=" + std::to_string(a));
        }
      }
    });
  }
  // Reads and keep-alives interleave with the calls.
  for (int i = 0; i < 10; ++i) {
    ASSERT_OK(s.keep_alive());
    ASSERT_OK(s.get_value(count).status());
  }
  for (std::thread& t : threads) t.join();
  EXPECT_THAT(failures.Take(), SizeIs(0));
  ASSERT_OK_AND_ASSIGN(rk::HostTensor final_count, s.get_value(count));
  EXPECT_EQ(final_count.values<double>(),
            std::vector<double>{kThreads * kCallsPerThread});
}

// Graph edits from many threads are serialised: every generated name is unique.
TEST_F(ClientConcurrencyTest, ConcurrentGraphEditsOnOneSession) {
  rk::Client client(server_->address());
  ASSERT_OK_AND_ASSIGN(rk::Session s, client.create_session());
  Failures failures;
  absl::Mutex mu;
  std::set<std::string> handles;
  std::vector<std::thread> threads;
  constexpr int kPerThread = 20;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        auto p = s.placeholder({-1, 2});
        if (!p.ok()) return failures.Add(p.status().ToString());
        absl::MutexLock lock(&mu);
        handles.insert(p->handle);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_THAT(failures.Take(), SizeIs(0));
  std::set<std::string> want;
  for (int i = 1; i <= kThreads * kPerThread; ++i)
    want.insert("placeholder_" + std::to_string(i));
  EXPECT_EQ(handles, want);
  ASSERT_OK_AND_ASSIGN(rk::SessionStats stats, s.stats());
  EXPECT_EQ(stats.nodes, kThreads * kPerThread);
}

}  // namespace
}  // namespace remotek::testing
