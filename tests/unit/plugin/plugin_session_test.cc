// A session on a real external backend (the SDK plugin over the reference
// kernels, loaded with dlopen) must behave exactly like the engine run
// in-process: same handles, specs, values, codes and messages.
#include "backend/plugin/plugin_session.h"

#include <thread>

#include "backend/core/session_state.h"
#include "backend/plugin/plugin_backend.h"
#include "backend/reference/reference_kernels.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"
#include "tests/support/tensor_testing.h"

namespace remotek::plugin {
namespace {

using ::remotek::testing::MakeTensor;
using ::remotek::testing::StatusIs;
using ::remotek::testing::Values;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::shared_ptr<const PluginLibrary> ReferencePlugin() {
  static auto* lib = new std::shared_ptr<const PluginLibrary>(
      PluginLibrary::Load("remotek_testing.reference", {REMOTEK_BACKEND_DIR}).value());
  return *lib;
}

// The same calls on the plugin session and on an in-process SessionState.
class PluginSessionTest : public ::testing::Test {
 protected:
  PluginSessionTest()
      : kernels_(CreateReferenceBackend()),
        plugin_account_(std::make_shared<MemoryAccount>("plugin")),
        plugin_(PluginSession::Create(ReferencePlugin(), OpConfig{}, plugin_account_).value()),
        local_(kernels_.get(), OpConfig{}, std::make_shared<MemoryAccount>("local")) {}

  // Runs `fn` on both sessions and checks they agree on status.
  template <typename Fn>
  auto Both(Fn fn) {
    auto a = fn(static_cast<KerasSession&>(*plugin_));
    auto b = fn(static_cast<KerasSession&>(local_));
    EXPECT_EQ(a.status(), b.status());
    return std::make_pair(std::move(a), std::move(b));
  }

  std::unique_ptr<Backend> kernels_;
  std::shared_ptr<MemoryAccount> plugin_account_;
  std::unique_ptr<PluginSession> plugin_;
  SessionState local_;
};

TEST_F(PluginSessionTest, KerasScenarioMatchesTheEngine) {
  for (KerasSession* s : {static_cast<KerasSession*>(plugin_.get()),
                          static_cast<KerasSession*>(&local_)}) {
    SCOPED_TRACE(s == plugin_.get() ? "plugin" : "local");
    PlaceholderRequest x;
    x.shape = Shape({kUnknownDim, 20, 1});
    NodeInfo xi = s->AddNode(x).value();
    EXPECT_EQ(xi.handle, "placeholder_1");
    EXPECT_EQ(xi.kind, NodeKind::kPlaceholder);
    EXPECT_EQ(xi.spec.shape, Shape({kUnknownDim, 20, 1}));
    EXPECT_EQ(xi.spec.dtype, DType::kFloat32);

    VariableRequest y;
    y.initializer = InitializerSpec{InitializerSpec::Kind::kRandomUniform};
    y.initializer->seed = 7;
    y.shape = Shape({4, 30, 20});
    NodeInfo yi = s->AddNode(y).value();
    EXPECT_EQ(yi.handle, "variable_1");

    OpNodeRequest bd{"", "batch_dot", {xi.handle, yi.handle}, {{"axes", std::vector<int64_t>{1, 2}}}};
    NodeInfo bi = s->AddNode(bd).value();
    EXPECT_EQ(bi.spec.shape, Shape({4, 1, 30}));  // the batch dim comes from y

    VariableRequest counter;
    counter.name = "counter";
    counter.value = MakeTensor<int32_t>(Shape({}), {0});
    ASSERT_OK(s->AddNode(counter).status());
    ConstantRequest one{"one", MakeTensor<int32_t>(Shape({}), {1}), DType::kInvalid};
    ASSERT_OK(s->AddNode(one).status());
    NodeInfo inc = s->AddNode(OpNodeRequest{"", "add", {"counter", "one"}, {}}).value();

    std::vector<TensorSpec> in_specs, out_specs;
    std::string f = s->CreateFunction({{xi.handle}, {bi.handle}, {{"counter", inc.handle}}}, "",
                                      &in_specs, &out_specs)
                        .value();
    ASSERT_EQ(in_specs.size(), 1u);
    ASSERT_EQ(out_specs.size(), 1u);
    EXPECT_EQ(out_specs[0].shape, Shape({4, 1, 30}));

    std::vector<float> xs(4 * 20);
    for (size_t i = 0; i < xs.size(); ++i) xs[i] = 0.01f * static_cast<float>(i);
    const Tensor xv = MakeTensor<float>(Shape({4, 20, 1}), xs);
    std::vector<Tensor> out = s->CallFunction(f, {xv}).value();
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].shape(), Shape({4, 1, 30}));
    ASSERT_OK(s->CallFunction(f, {xv}).status());
    EXPECT_THAT(Values<int32_t>(s->GetValue("counter").value()), ElementsAre(2));

    ASSERT_OK(s->SetValue("counter", MakeTensor<double>(Shape({}), {41.0})));
    EXPECT_THAT(Values<int32_t>(s->GetValue("counter").value()), ElementsAre(41));

    NodeInfo kept;
    Tensor sum = s->RunEager("sum", {EagerArg(std::string("counter")), },
                             {}, std::string("total"), &kept)
                     .value();
    EXPECT_THAT(Values<int32_t>(sum), ElementsAre(41));
    EXPECT_EQ(kept.handle, "total");
    EXPECT_EQ(kept.kind, NodeKind::kConstant);
    EXPECT_EQ(s->Describe("counter").value().kind, NodeKind::kVariable);

    const SessionStats stats = s->Stats();
    EXPECT_EQ(stats.variables, 2);
    EXPECT_EQ(stats.functions, 1);
    EXPECT_GT(stats.bytes_held, 4 * 30 * 20 * 4);
    ASSERT_OK(s->ReleaseFunction(f));
    s->Clear();
    EXPECT_EQ(s->Stats().nodes, 0);
    // What the plugin holds is gone (results the test still holds were
    // copied out to the server's account, which the local session shares).
    if (s == plugin_.get()) EXPECT_EQ(s->Stats().bytes_held, 0);
    EXPECT_EQ(s->AddNode(x).value().handle, "placeholder_1");  // counters reset
  }
}

TEST_F(PluginSessionTest, SeededValuesAreBitwiseTheEngines) {
  auto [a, b] = Both([](KerasSession& s) -> absl::StatusOr<Tensor> {
    VariableRequest v;
    v.initializer = InitializerSpec{InitializerSpec::Kind::kRandomNormal};
    v.initializer->seed = 42;
    v.shape = Shape({3, 5});
    REMOTEK_ASSIGN_OR_RETURN(NodeInfo info, s.AddNode(v));
    return s.GetValue(info.handle);
  });
  ASSERT_OK(a.status());
  EXPECT_EQ(Values<float>(*a), Values<float>(*b));
}

TEST_F(PluginSessionTest, ErrorsPassThroughWithCodeAndMessage) {
  auto [a, b] = Both([](KerasSession& s) { return s.GetValue("nope"); });
  EXPECT_THAT(a.status(), StatusIs(absl::StatusCode::kNotFound, HasSubstr("nope")));
  auto [c, d] = Both([](KerasSession& s) {
    return s.RunEager("batch_dot",
                      {EagerArg(MakeTensor<float>(Shape({2, 3}), {1, 2, 3, 4, 5, 6})),
                       EagerArg(MakeTensor<float>(Shape({2, 3}), {1, 2, 3, 4, 5, 6}))},
                      {{"axes", std::vector<int64_t>{1, 0}}}, std::nullopt, nullptr);
  });
  EXPECT_THAT(c.status(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("batch_dot")));
  auto [e, f] = Both([](KerasSession& s) {
    return s.AddNode(OpNodeRequest{"", "no_such_op", {}, {}});
  });
  EXPECT_THAT(e.status(), StatusIs(absl::StatusCode::kNotFound, HasSubstr("no_such_op")));
}

TEST_F(PluginSessionTest, WholeGraphIsAllOrNothing) {
  std::vector<NodeRequest> bad = {PlaceholderRequest{"a", DType::kInvalid, Shape({2}), -1},
                                  OpNodeRequest{"b", "add", {"a", "missing"}, {}}};
  auto [r1, r2] = Both([&](KerasSession& s) { return s.AddGraph(bad); });
  EXPECT_THAT(r1.status(), StatusIs(absl::StatusCode::kNotFound, HasSubstr("missing")));
  EXPECT_EQ(plugin_->Stats().nodes, 0);
  std::vector<NodeRequest> good = {OpNodeRequest{"b", "add", {"a", "a"}, {}},
                                   PlaceholderRequest{"a", DType::kInvalid, Shape({2}), -1}};
  auto [g1, g2] = Both([&](KerasSession& s) { return s.AddGraph(good); });
  ASSERT_OK(g1.status());
  ASSERT_EQ(g1->size(), 2u);
  EXPECT_EQ((*g1)[0].handle, (*g2)[0].handle);
  EXPECT_EQ((*g1)[0].spec.shape, Shape({2}));
}

TEST_F(PluginSessionTest, TheSessionQuotaBoundsWhatTheBackendHolds) {
  auto limited = std::make_shared<MemoryAccount>("tiny", 1024);
  auto s = PluginSession::Create(ReferencePlugin(), OpConfig{}, limited).value();
  VariableRequest big;
  big.initializer = InitializerSpec{InitializerSpec::Kind::kOnes};
  big.shape = Shape({64, 64});  // 16 KiB
  EXPECT_THAT(s->AddNode(big).status(),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("limit 1024")));
  EXPECT_EQ(s->Stats().nodes, 0);
}

TEST_F(PluginSessionTest, ResultsAreChargedToTheServersAccount) {
  auto limited = std::make_shared<MemoryAccount>("tiny", 24 << 10);
  auto s = PluginSession::Create(ReferencePlugin(), OpConfig{}, limited).value();
  VariableRequest big;
  big.initializer = InitializerSpec{InitializerSpec::Kind::kOnes};
  big.shape = Shape({64, 64});  // 16 KiB held inside the backend
  const NodeInfo info = s->AddNode(big).value();
  Tensor first = s->GetValue(info.handle).value();  // 16 KiB on the server's account
  EXPECT_EQ(limited->current(), 16 << 10);
  EXPECT_THAT(s->GetValue(info.handle).status(),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("tiny")));
  first = Tensor();
  EXPECT_EQ(limited->current(), 0);
}

TEST_F(PluginSessionTest, ConcurrentCallsOnOneSession) {
  PlaceholderRequest x{"x", DType::kFloat32, Shape({kUnknownDim}), -1};
  ASSERT_OK(plugin_->AddNode(x).status());
  ASSERT_OK(plugin_->AddNode(OpNodeRequest{"y", "square", {"x"}, {}}).status());
  const std::string f = plugin_->CreateFunction({{"x"}, {"y"}, {}}, "", nullptr, nullptr).value();
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        const float v = static_cast<float>(t * 100 + i);
        auto out = plugin_->CallFunction(f, {MakeTensor<float>(Shape({1}), {v})});
        if (out.ok() && Values<float>((*out)[0])[0] == v * v) ok.fetch_add(1);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 200);
}

TEST(PluginBackend, OpsComeFromTheLibrary) {
  auto backend = PluginBackend::Create(ReferencePlugin()).value();
  EXPECT_EQ(backend->name(), "remotek_testing.reference");
  EXPECT_EQ(backend->SupportedOps(), CreateReferenceBackend()->SupportedOps());
  EXPECT_EQ(backend->SupportedDTypes().size(), 9u);
  EXPECT_THAT(backend->origin(), HasSubstr("remotek_testing/libreference.so"));
}

}  // namespace
}  // namespace remotek::plugin
