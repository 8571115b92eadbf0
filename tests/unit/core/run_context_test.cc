// Stopping a computation the caller no longer wants (RunContext): at op
// boundaries of a function, around an eager op, between the ranges of the
// intra-op pool and between the row blocks of a large BLAS product; and the
// per-op observer.
#include "backend/core/run_context.h"

#include <atomic>
#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "backend/core/session_state.h"
#include "backend/eigen/eigen_backend.h"
#include "backend/eigen/intra_op_pool.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"
#include "tests/support/tensor_testing.h"

namespace remotek {
namespace {

using ::remotek::testing::MakeTensor;
using ::remotek::testing::StatusIs;
using ::remotek::testing::Values;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A stop check that lets `allowed` checks pass and fails every later one
// with `code`; counts how often it was asked.
struct CountingStop {
  explicit CountingStop(int allowed, absl::StatusCode code = absl::StatusCode::kCancelled)
      : allowed(allowed), code(code) {}
  RunContext Context() {
    RunContext run;
    run.stop = [this]() -> absl::Status {
      if (calls.fetch_add(1) < allowed) return absl::OkStatus();
      return absl::Status(code, "test stop");
    };
    return run;
  }
  const int allowed;
  const absl::StatusCode code;
  std::atomic<int> calls{0};
};

std::vector<float> Iota(int64_t n, float scale) {
  std::vector<float> v(n);
  for (int64_t i = 0; i < n; ++i) v[i] = static_cast<float>((i % 97) - 48) * scale;
  return v;
}

class RunContextTest : public ::testing::Test {
 protected:
  RunContextTest()
      : backend_(CreateEigenBackend()),
        account_(std::make_shared<MemoryAccount>("run context test")),
        session_(backend_.get(), OpConfig{}, account_) {}

  std::string Variable(const Tensor& value, const std::string& name) {
    VariableRequest r;
    r.name = name;
    r.value = value;
    return session_.AddNode(r).value().handle;
  }
  std::string Op(const std::string& op, std::vector<std::string> inputs) {
    OpNodeRequest r;
    r.op = op;
    r.inputs = std::move(inputs);
    return session_.AddNode(r).value().handle;
  }

  std::unique_ptr<Backend> backend_;
  std::shared_ptr<MemoryAccount> account_;
  SessionState session_;
};

// x -> exp -> negative -> square -> sum, with the update v <- v + 1.
TEST_F(RunContextTest, FunctionStopsAtAnOpBoundaryFreesIntermediatesAndAppliesNoUpdate) {
  PlaceholderRequest p;
  p.name = "x";
  p.shape = Shape({1024});
  ASSERT_OK_AND_ASSIGN(NodeInfo x, session_.AddNode(p));
  const std::string v = Variable(MakeTensor<float>(Shape({1}), {0}), "v");
  const std::string one = Variable(MakeTensor<float>(Shape({1}), {1}), "one");
  const std::string e = Op("exp", {x.handle});
  const std::string n = Op("negative", {e});
  const std::string s = Op("square", {n});
  const std::string out = Op("sum", {s});
  const std::string next = Op("add", {v, one});
  ASSERT_OK_AND_ASSIGN(std::string fn,
                       session_.CreateFunction({{x.handle}, {out}, {{v, next}}}, "f"));
  const int64_t held = account_->current();
  const Tensor feed = MakeTensor<float>(Shape({1024}), std::vector<float>(1024, 0.0f));

  // Steps run in graph order, the stop is checked before and after each: the
  // third check (before step 2) fails.
  CountingStop stop(2);
  std::vector<std::string> ran;
  RunContext run = stop.Context();
  run.on_op = [&](std::string_view op, absl::Duration elapsed, bool ok) {
    EXPECT_TRUE(ok);
    EXPECT_GE(elapsed, absl::ZeroDuration());
    ran.emplace_back(op);
  };
  EXPECT_THAT(session_.CallFunction(fn, {feed}, run),
              StatusIs(absl::StatusCode::kCancelled,
                       HasSubstr("function \"f\" stopped at step 2 of 5 (node \"")));
  EXPECT_EQ(ran.size(), 1u);  // only step 1 ran
  EXPECT_EQ(account_->current(), held);  // every intermediate freed
  EXPECT_THAT(Values<float>(session_.GetValue(v).value()), ElementsAre(0));

  // A deadline is reported as such; a check that never fails changes nothing.
  CountingStop deadline(0, absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(session_.CallFunction(fn, {feed}, deadline.Context()),
              StatusIs(absl::StatusCode::kDeadlineExceeded, HasSubstr("stopped at step 1 of 5")));
  CountingStop never(1 << 30);
  ran.clear();
  run = never.Context();
  run.on_op = [&](std::string_view op, absl::Duration, bool) { ran.emplace_back(op); };
  ASSERT_OK_AND_ASSIGN(std::vector<Tensor> outs, session_.CallFunction(fn, {feed}, run));
  EXPECT_THAT(Values<float>(outs[0]), ElementsAre(1024.0f));
  EXPECT_EQ(ran.size(), 5u);
  EXPECT_EQ(ran.back(), "add");  // the update value is computed last
  EXPECT_EQ(never.calls.load(), 10);  // before and after every step
  EXPECT_THAT(Values<float>(session_.GetValue(v).value()), ElementsAre(1));
  EXPECT_EQ(account_->current(), held + 2 * sizeof(float));  // the output and v's new value
}

TEST_F(RunContextTest, StoppedEagerOpKeepsNothing) {
  const SessionStats before = session_.Stats();
  CountingStop stop(0);
  NodeInfo kept;
  EXPECT_THAT(session_.RunEager("exp", {EagerArg(MakeTensor<float>(Shape({2}), {0, 1}))}, {},
                                std::string("kept"), &kept, stop.Context()),
              StatusIs(absl::StatusCode::kCancelled, HasSubstr("test stop")));
  // Stopped after the kernel (its blocks may have been skipped): no node kept.
  CountingStop after(1);
  EXPECT_THAT(session_.RunEager("exp", {EagerArg(MakeTensor<float>(Shape({2}), {0, 1}))}, {},
                                std::string("kept"), &kept, after.Context()),
              StatusIs(absl::StatusCode::kCancelled, HasSubstr("test stop")));
  EXPECT_EQ(session_.Stats().nodes, before.nodes);
  EXPECT_EQ(account_->current(), before.bytes_held);
  EXPECT_THAT(session_.GetValue("kept"), StatusIs(absl::StatusCode::kNotFound, HasSubstr("kept")));

  std::vector<std::string> ran;
  RunContext run;
  run.on_op = [&](std::string_view op, absl::Duration, bool ok) {
    ran.push_back(absl::StrCat(std::string(op), ok ? ":ok" : ":failed"));
  };
  EXPECT_TRUE(session_.RunEager("exp", {EagerArg(MakeTensor<float>(Shape({2}), {0, 1}))}, {},
                                std::nullopt, nullptr, run).ok());
  EXPECT_FALSE(session_.RunEager("add", {EagerArg(MakeTensor<float>(Shape({2}), {0, 1})),
                                         EagerArg(MakeTensor<float>(Shape({3}), {0, 1, 2}))},
                                 {}, std::nullopt, nullptr, run).ok());
  EXPECT_THAT(ran, ElementsAre("exp:ok", "add:failed"));
}

TEST(IntraOpPoolStopTest, RangesAfterTheStopAreSkipped) {
  IntraOpPool pool(2);
  for (int allowed : {0, 1, 5}) {
    CountingStop stop(allowed);
    const RunContext run = stop.Context();
    std::atomic<int64_t> ran{0};
    {
      const StopScope scope(run);
      pool.ParallelFor(1000, 1, [&](int64_t begin, int64_t end) { ran += end - begin; });
    }
    // Exactly the ranges whose check passed ran.
    EXPECT_EQ(ran.load(), allowed) << "allowed=" << allowed;
  }
  std::atomic<int64_t> ran{0};
  pool.ParallelFor(1000, 1, [&](int64_t begin, int64_t end) { ran += end - begin; });
  EXPECT_EQ(ran.load(), 1000);  // no scope: nothing to stop
  EXPECT_EQ(CurrentStopCheck(), nullptr);
}

// dot (2048x2048 . 2048x2048, ~17 GFLOP) and the transposed-A layout
// batch_dot takes for axes (1, 1) go to OpenBLAS, which under a stop check
// runs them in 4 blocks of 512 rows (~4 GFLOP each): the results equal the
// unblocked product, and a stop is seen between blocks.
TEST_F(RunContextTest, LargeBlasProductsRunInStoppableBlocks) {
  struct Case {
    std::string op;
    Shape x, y;
    AttrMap attrs;
  };
  const std::vector<Case> cases = {
      {"dot", Shape({2048, 2048}), Shape({2048, 2048}), {}},
      {"batch_dot", Shape({1, 2048, 2048}), Shape({1, 2048, 2048}),
       {{"axes", std::vector<int64_t>{1, 1}}}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.op);
    const Tensor x = MakeTensor<float>(c.x, Iota(c.x.NumElements().value(), 0.01f));
    const Tensor y = MakeTensor<float>(c.y, Iota(c.y.NumElements().value(), 0.02f));
    const std::vector<EagerArg> args = {EagerArg(x), EagerArg(y)};
    ASSERT_OK_AND_ASSIGN(Tensor plain,
                         session_.RunEager(c.op, args, c.attrs, std::nullopt, nullptr));
    CountingStop never(1 << 30);
    ASSERT_OK_AND_ASSIGN(Tensor blocked, session_.RunEager(c.op, args, c.attrs, std::nullopt,
                                                           nullptr, never.Context()));
    ASSERT_EQ(plain.shape(), blocked.shape());
    const std::vector<float> a = Values<float>(plain), b = Values<float>(blocked);
    for (size_t i = 0; i < a.size(); ++i) {
      ASSERT_NEAR(a[i], b[i], 1e-3f * (1.0f + std::fabs(a[i]))) << "element " << i;
    }
    // Before the op, then between each of the 4 blocks, then after the op.
    EXPECT_EQ(never.calls.load(), 5);
    CountingStop stop(2);  // the check before block 3 fails
    EXPECT_THAT(session_.RunEager(c.op, args, c.attrs, std::nullopt, nullptr, stop.Context()),
                StatusIs(absl::StatusCode::kCancelled, HasSubstr("test stop")));
    EXPECT_EQ(stop.calls.load(), 4);  // block 4 was never checked: the loop ended
  }
}

}  // namespace
}  // namespace remotek
