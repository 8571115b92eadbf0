#include "backend/core/session_state.h"

#include <thread>

#include "backend/eigen/eigen_backend.h"
#include "backend/reference/reference_kernels.h"
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

class SessionStateTest : public ::testing::Test {
 protected:
  SessionStateTest()
      : backend_(CreateReferenceBackend()),
        account_(std::make_shared<MemoryAccount>("session test")),
        session_(backend_.get(), OpConfig{}, account_) {}

  std::string Placeholder(std::vector<int64_t> dims, const std::string& name = "") {
    PlaceholderRequest r;
    r.name = name;
    r.shape = Shape(dims);
    return session_.AddNode(r).value().handle;
  }
  std::string Variable(const Tensor& value, const std::string& name = "") {
    VariableRequest r;
    r.name = name;
    r.value = value;
    return session_.AddNode(r).value().handle;
  }
  absl::StatusOr<NodeInfo> Op(const std::string& op, std::vector<std::string> inputs,
                              AttrMap attrs = {}, const std::string& name = "") {
    OpNodeRequest r;
    r.name = name;
    r.op = op;
    r.inputs = std::move(inputs);
    r.attrs = std::move(attrs);
    return session_.AddNode(r);
  }

  std::unique_ptr<Backend> backend_;
  std::shared_ptr<MemoryAccount> account_;
  SessionState session_;
};

TEST_F(SessionStateTest, KerasStyleNamesWithPerSessionCounters) {
  EXPECT_EQ(Placeholder({2}), "placeholder_1");
  EXPECT_EQ(Placeholder({2}), "placeholder_2");
  EXPECT_EQ(Variable(MakeTensor<float>(Shape({2}), {1, 2})), "variable_1");
  EXPECT_EQ(Placeholder({2}, "x"), "x");
  EXPECT_EQ(Placeholder({2}, "x"), "x_1");
  session_.Clear();
  EXPECT_EQ(Placeholder({2}), "placeholder_1");
}

TEST_F(SessionStateTest, PlaceholderDefaultsAndNdim) {
  PlaceholderRequest r;
  r.ndim = 3;
  ASSERT_OK_AND_ASSIGN(NodeInfo info, session_.AddNode(r));
  EXPECT_EQ(info.spec.dtype, DType::kFloat32);
  EXPECT_EQ(info.spec.shape.ToString(), "(None, None, None)");
  r.ndim = -1;
  EXPECT_THAT(session_.AddNode(r),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("ndim=-1")));
  r.shape = Shape({2, -5});
  EXPECT_THAT(session_.AddNode(r), StatusIs(absl::StatusCode::kInvalidArgument,
                                            HasSubstr("placeholder: shape[1]=-5")));
}

TEST_F(SessionStateTest, FunctionFeedsComputesAndUpdatesAtomically) {
  const std::string x = Placeholder({kUnknownDim, 2}, "x");
  const std::string w = Variable(MakeTensor<float>(Shape({2}), {10, 20}), "w");
  ASSERT_OK_AND_ASSIGN(NodeInfo y, Op("add", {x, w}));
  EXPECT_EQ(y.spec.shape.ToString(), "(None, 2)");
  ASSERT_OK_AND_ASSIGN(NodeInfo s, Op("sum", {y.handle}, {{"axis", int64_t{0}}}));
  ASSERT_OK_AND_ASSIGN(NodeInfo w_next, Op("add", {w, w}));
  FunctionSignature sig{{x}, {y.handle, s.handle}, {{w, w_next.handle}}};
  ASSERT_OK_AND_ASSIGN(std::string f, session_.CreateFunction(sig, ""));
  EXPECT_EQ(f, "function_1");

  Tensor feed = MakeTensor<float>(Shape({3, 2}), {1, 2, 3, 4, 5, 6});
  ASSERT_OK_AND_ASSIGN(auto out, session_.CallFunction(f, {feed}));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].shape(), Shape({3, 2}));
  EXPECT_THAT(Values<float>(out[0]), ElementsAre(11, 22, 13, 24, 15, 26));
  EXPECT_THAT(Values<float>(out[1]), ElementsAre(39, 72));
  EXPECT_THAT(Values<float>(session_.GetValue(w).value()), ElementsAre(20, 40));
  // The second call sees the updated variable.
  ASSERT_OK_AND_ASSIGN(out, session_.CallFunction(f, {feed}));
  EXPECT_THAT(Values<float>(out[0]), ElementsAre(21, 42, 23, 44, 25, 46));
}

TEST_F(SessionStateTest, FeedsAreCheckedAgainstPlaceholders) {
  const std::string x = Placeholder({kUnknownDim, 2}, "x");
  ASSERT_OK_AND_ASSIGN(NodeInfo y, Op("negative", {x}));
  ASSERT_OK_AND_ASSIGN(std::string f, session_.CreateFunction({{x}, {y.handle}, {}}, ""));
  EXPECT_THAT(session_.CallFunction(f, {MakeTensor<float>(Shape({2, 3}), {1, 2, 3, 4, 5, 6})}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("feed 0 for placeholder \"x\" is float32(2, 3), expected "
                                 "float32(None, 2)")));
  EXPECT_THAT(session_.CallFunction(f, {MakeTensor<double>(Shape({1, 2}), {1, 2})}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("float64(1, 2)")));
  EXPECT_THAT(session_.CallFunction(f, {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("expects 1 feed(s), got 0")));
  EXPECT_OK(session_.ReleaseFunction(f));
  EXPECT_THAT(session_.CallFunction(f, {MakeTensor<float>(Shape({1, 2}), {1, 2})}),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("unknown function")));
}

TEST_F(SessionStateTest, CompileRejectsUnfedPlaceholdersAndBadUpdates) {
  const std::string x = Placeholder({2}, "x");
  const std::string z = Placeholder({2}, "z");
  const std::string w = Variable(MakeTensor<float>(Shape({2}), {1, 2}), "w");
  ASSERT_OK_AND_ASSIGN(NodeInfo y, Op("add", {x, z}));
  EXPECT_THAT(session_.CreateFunction({{x}, {y.handle}, {}}, ""),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("depends on placeholder \"z\", which is not among the inputs")));
  EXPECT_THAT(session_.CreateFunction({{w}, {y.handle}, {}}, ""),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not a placeholder")));
  EXPECT_THAT(session_.CreateFunction({{x, x}, {}, {}}, ""),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("repeated")));
  EXPECT_THAT(session_.CreateFunction({{x}, {}, {{x, x}}}, ""),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not a variable")));
  const std::string p3 = Placeholder({3}, "p3");
  EXPECT_THAT(session_.CreateFunction({{p3}, {}, {{w, p3}}}, ""),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("value \"p3\" is float32(3,) but variable \"w\" is float32(2,)")));
  EXPECT_THAT(session_.CreateFunction({{x}, {"nope"}, {}}, ""),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("unknown handle \"nope\"")));
}

TEST_F(SessionStateTest, OpNodeErrorsNameOpAndInput) {
  const std::string x = Placeholder({2, 3}, "x");
  EXPECT_THAT(Op("no_such_op", {x}), StatusIs(absl::StatusCode::kNotFound, HasSubstr("no_such_op")));
  EXPECT_THAT(Op("add", {x, "ghost"}),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("add: inputs[1]: unknown handle \"ghost\"")));
  EXPECT_THAT(Op("batch_dot", {x, x}, {{"axes", std::vector<int64_t>{1, 3}}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("batch_dot")));
}

TEST_F(SessionStateTest, WholeGraphIsOrderedAndAllOrNothing) {
  std::vector<NodeRequest> nodes;
  nodes.push_back(OpNodeRequest{"y", "add", {"x", "b"}, {}});  // refers forward
  PlaceholderRequest x;
  x.name = "x";
  x.shape = Shape({2});
  nodes.push_back(x);
  VariableRequest b;
  b.name = "b";
  b.value = MakeTensor<float>(Shape({2}), {1, 1});
  nodes.push_back(b);
  ASSERT_OK_AND_ASSIGN(auto infos, session_.AddGraph(nodes));
  EXPECT_EQ(infos[0].handle, "y");
  EXPECT_EQ(infos[0].spec.shape, Shape({2}));
  const int64_t held = account_->current();

  // A cycle, a dangling reference and a failing node each leave nothing behind.
  std::vector<NodeRequest> cycle{OpNodeRequest{"a", "negative", {"c"}, {}},
                                 OpNodeRequest{"c", "negative", {"a"}, {}}};
  EXPECT_THAT(session_.AddGraph(cycle),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("cycle")));
  VariableRequest big;
  big.name = "v2";
  big.value = MakeTensor<float>(Shape({4}), {1, 2, 3, 4});
  std::vector<NodeRequest> dangling{big, OpNodeRequest{"d", "negative", {"missing"}, {}}};
  EXPECT_THAT(session_.AddGraph(dangling),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("graph: nodes[1] (\"d\"): negative: inputs[0]: unknown handle")));
  EXPECT_THAT(session_.Describe("v2"), StatusIs(absl::StatusCode::kNotFound, HasSubstr("v2")));
  EXPECT_EQ(account_->current(), held);
  std::vector<NodeRequest> dup{OpNodeRequest{"q", "negative", {"x"}, {}},
                               OpNodeRequest{"q", "negative", {"x"}, {}}};
  EXPECT_THAT(session_.AddGraph(dup),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("nodes[1].name=\"q\" is repeated")));
}

TEST_F(SessionStateTest, EagerOnInlineAndHeldValues) {
  const std::string w = Variable(MakeTensor<float>(Shape({2}), {1, 2}), "w");
  NodeInfo kept;
  ASSERT_OK_AND_ASSIGN(
      Tensor r, session_.RunEager("add", {EagerArg(w), EagerArg(MakeTensor<float>(Shape({2}), {3, 4}))},
                                  {}, std::string("sum1"), &kept));
  EXPECT_THAT(Values<float>(r), ElementsAre(4, 6));
  EXPECT_EQ(kept.handle, "sum1");
  EXPECT_THAT(Values<float>(session_.GetValue("sum1").value()), ElementsAre(4, 6));
  const std::string x = Placeholder({2}, "x");
  EXPECT_THAT(session_.RunEager("negative", {EagerArg(x)}, {}, std::nullopt, nullptr),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("\"x\" is a placeholder and holds no value")));
}

TEST_F(SessionStateTest, SetValueCastsAndChecksShape) {
  const std::string w = Variable(MakeTensor<float>(Shape({2}), {1, 2}), "w");
  EXPECT_OK(session_.SetValue(w, MakeTensor<int32_t>(Shape({2}), {7, 8})));
  Tensor v = session_.GetValue(w).value();
  EXPECT_EQ(v.dtype(), DType::kFloat32);
  EXPECT_THAT(Values<float>(v), ElementsAre(7, 8));
  EXPECT_THAT(session_.SetValue(w, MakeTensor<float>(Shape({3}), {1, 2, 3})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("value shape (3,) does not match variable \"w\" of shape (2,)")));
}

TEST_F(SessionStateTest, ClearSessionReturnsAccountToZero) {
  for (int cycle = 0; cycle < 3; ++cycle) {
    const std::string x = Placeholder({kUnknownDim, 8}, "x");
    VariableRequest r;
    r.initializer = InitializerSpec{InitializerSpec::Kind::kRandomNormal};
    r.initializer->seed = 1;
    r.shape = Shape({8, 4});
    ASSERT_OK_AND_ASSIGN(NodeInfo w, session_.AddNode(r));
    ASSERT_OK_AND_ASSIGN(NodeInfo y, Op("dot", {x, w.handle}));
    ASSERT_OK_AND_ASSIGN(std::string f, session_.CreateFunction({{x}, {y.handle}, {}}, ""));
    Tensor feed = Tensor::Zeros(DType::kFloat32, Shape({5, 8}), nullptr).value();
    ASSERT_OK_AND_ASSIGN(auto out, session_.CallFunction(f, {feed}));
    EXPECT_EQ(out[0].shape(), Shape({5, 4}));
    EXPECT_GT(account_->current(), 0);
    out.clear();
    SessionStats stats = session_.Stats();
    EXPECT_EQ(stats.variables, 1);
    EXPECT_EQ(stats.functions, 1);
    session_.Clear();
    EXPECT_EQ(account_->current(), 0);
    EXPECT_EQ(session_.Stats().nodes, 0);
  }
}

TEST_F(SessionStateTest, ConcurrentCallsApplyEveryUpdate) {
  const std::string w = Variable(MakeTensor<int64_t>(Shape({}), {0}), "w");
  ConstantRequest one;
  one.name = "one";
  one.value = MakeTensor<int64_t>(Shape({}), {1});
  ASSERT_OK(session_.AddNode(one).status());
  ASSERT_OK_AND_ASSIGN(NodeInfo next, Op("add", {w, "one"}));
  ASSERT_OK_AND_ASSIGN(std::string f, session_.CreateFunction({{}, {w}, {{w, next.handle}}}, ""));
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) ok += session_.CallFunction(f, {}).ok();
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 800);
  // Updates are atomic per call but calls may read the same snapshot, as in
  // TensorFlow without locking; the value is between 1 and 800.
  const int64_t v = Values<int64_t>(session_.GetValue(w).value())[0];
  EXPECT_GE(v, 1);
  EXPECT_LE(v, 800);
}

}  // namespace
}  // namespace remotek
