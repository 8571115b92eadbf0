// Gradients over the wire and remote training through the C++ client against
// a real server: the Gradients RPC (values, Keras's None, exact errors, all or
// nothing), a 2-layer MLP trained on three generated Gaussian blobs with the
// client's Adam and SGD-with-momentum update lists, a small CNN (conv2d ->
// relu -> pool2d -> dense) trained with Adam on generated horizontal vs
// vertical bars in both data formats (and agreeing across them up to the
// transpose), clear_session back to 0 bytes, and the remotek-train-mlp
// example.
#include <cstdio>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "remotek/client.h"
#include "tests/support/server_process.h"
#include "tests/support/status_matchers.h"

namespace rk = remotek::client;

namespace remotek::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::FloatNear;
using ::testing::Ge;
using ::testing::Lt;
using ::testing::Pointwise;
using ::testing::SizeIs;

class ClientTrainingTest : public ::testing::Test {
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
  void SetUp() override {
    ASSERT_NE(server_, nullptr) << *start_status_;
    client_ = std::make_unique<rk::Client>(server_->address());
  }

  absl::StatusOr<rk::Session> NewSession(const std::string& backend = "") {
    return client_->create_session({.backend = backend});
  }

  static ServerProcess* server_;
  static absl::Status* start_status_;
  std::unique_ptr<rk::Client> client_;
};
ServerProcess* ClientTrainingTest::server_ = nullptr;
absl::Status* ClientTrainingTest::start_status_ = nullptr;

// ---------------------------------------------------------- gradients RPC

TEST_F(ClientTrainingTest, GradientOfSumOfProductIsTheOtherFactor) {
  for (const std::string backend : {"eigen", "reference"}) {
    SCOPED_TRACE(backend);
    ASSERT_OK_AND_ASSIGN(rk::Session s, NewSession(backend));
    ASSERT_OK_AND_ASSIGN(
        rk::Node x,
        s.variable(rk::HostTensor::FromVector<float>({3}, {1, 2, 3})));
    ASSERT_OK_AND_ASSIGN(
        rk::Node w,
        s.variable(rk::HostTensor::FromVector<float>({3}, {4, 5, 6})));
    ASSERT_OK_AND_ASSIGN(rk::Node xw, s.multiply(x, w));
    ASSERT_OK_AND_ASSIGN(rk::Node loss, s.sum(xw));
    ASSERT_OK_AND_ASSIGN(auto grads, s.gradients(loss, {w, x}));
    ASSERT_THAT(grads, SizeIs(2));
    ASSERT_TRUE(grads[0].has_value() && grads[1].has_value());
    EXPECT_EQ(grads[0]->kind, "op");
    EXPECT_EQ(grads[0]->dtype, rk::DType::kFloat32);
    EXPECT_THAT(grads[0]->shape, ElementsAre(3));
    ASSERT_OK_AND_ASSIGN(rk::Function f,
                         s.function({}, {*grads[0], *grads[1]}));
    ASSERT_OK_AND_ASSIGN(std::vector<rk::HostTensor> out, f({}));
    EXPECT_THAT(out[0].values<float>(), ElementsAre(1, 2, 3));  // d/dw = x
    EXPECT_THAT(out[1].values<float>(), ElementsAre(4, 5, 6));  // d/dx = w
  }
}

TEST_F(ClientTrainingTest, GradientOfBroadcastAndPlaceholder) {
  ASSERT_OK_AND_ASSIGN(rk::Session s, NewSession());
  // loss = sum(square(x) * b) with b (2,) broadcast over x (?, 2): dL/db sums
  // square(x) over the batch, dL/dx = 2 x b.
  ASSERT_OK_AND_ASSIGN(rk::Node x, s.placeholder({-1, 2}, rk::DType::kFloat32));
  ASSERT_OK_AND_ASSIGN(
      rk::Node b, s.variable(rk::HostTensor::FromVector<float>({2}, {3, -1})));
  ASSERT_OK_AND_ASSIGN(rk::Node x2, s.square(x));
  ASSERT_OK_AND_ASSIGN(rk::Node xb, s.multiply(x2, b));
  ASSERT_OK_AND_ASSIGN(rk::Node loss, s.sum(xb));
  ASSERT_OK_AND_ASSIGN(auto grads, s.gradients(loss, {b, x}));
  ASSERT_TRUE(grads[0].has_value() && grads[1].has_value());
  EXPECT_THAT(grads[0]->shape, ElementsAre(2));
  EXPECT_THAT(grads[1]->shape, ElementsAre(-1, 2));
  ASSERT_OK_AND_ASSIGN(rk::Function f, s.function({x}, {*grads[0], *grads[1]}));
  ASSERT_OK_AND_ASSIGN(
      std::vector<rk::HostTensor> out,
      f({rk::HostTensor::FromVector<float>({3, 2}, {1, 2, 3, 4, 5, 6})}));
  EXPECT_THAT(out[0].values<float>(),
              Pointwise(FloatNear(1e-4), std::vector<float>{35, 56}));
  EXPECT_THAT(
      out[1].values<float>(),
      Pointwise(FloatNear(1e-4), std::vector<float>{6, -4, 18, -8, 30, -12}));
}

TEST_F(ClientTrainingTest, GradientIsNoneWithoutADifferentiablePath) {
  ASSERT_OK_AND_ASSIGN(rk::Session s, NewSession());
  ASSERT_OK_AND_ASSIGN(rk::Node w, s.variable(rk::HostTensor::FromVector<float>(
                                       {3}, {1, 5, 2})));
  ASSERT_OK_AND_ASSIGN(rk::Node unused, s.zeros({3}));
  ASSERT_OK_AND_ASSIGN(rk::Node loss, s.sum(w));
  // argmax is not differentiable: sum(cast(argmax(w))) has no gradient in w.
  ASSERT_OK_AND_ASSIGN(rk::Node am, s.argmax(w, 0));
  ASSERT_OK_AND_ASSIGN(rk::Node amf, s.cast(am, rk::DType::kFloat32));
  ASSERT_OK_AND_ASSIGN(auto grads, s.gradients(loss, {unused, w}));
  EXPECT_FALSE(grads[0].has_value());
  EXPECT_TRUE(grads[1].has_value());
  ASSERT_OK_AND_ASSIGN(auto none, s.gradients(amf, {w}));
  ASSERT_THAT(none, SizeIs(1));
  EXPECT_FALSE(none[0].has_value());
}

TEST_F(ClientTrainingTest, GradientErrorsHaveExactCodesAndMessages) {
  ASSERT_OK_AND_ASSIGN(rk::Session s, NewSession());
  ASSERT_OK_AND_ASSIGN(rk::Node w, s.zeros({2}, rk::DType::kFloat32, "w"));
  ASSERT_OK_AND_ASSIGN(rk::Node loss, s.sum(w));
  EXPECT_THAT(s.gradients("", {w}), StatusIs(absl::StatusCode::kInvalidArgument,
                                             "gradients: loss is empty"));
  EXPECT_THAT(s.gradients(loss, {}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "gradients: variables is empty"));
  EXPECT_THAT(s.gradients(loss, {w, ""}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "gradients: variables[1] is empty"));
  EXPECT_THAT(s.gradients("nope", {w}),
              StatusIs(absl::StatusCode::kNotFound,
                       "gradients: loss: unknown handle \"nope\""));
  EXPECT_THAT(s.gradients(loss, {w, "ghost"}),
              StatusIs(absl::StatusCode::kNotFound,
                       "gradients: variables[1]: unknown handle \"ghost\""));
  ASSERT_OK_AND_ASSIGN(rk::Node am, s.argmax(w, 0));
  EXPECT_THAT(s.gradients(am, {w}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "gradients: loss \"" + am.handle +
                           "\" has dtype int64; expected a floating dtype"));
  ASSERT_OK_AND_ASSIGN(rk::Session other, NewSession());
  ASSERT_OK(other.close());
  EXPECT_THAT(other.gradients(loss, {w}),
              StatusIs(absl::StatusCode::kNotFound, ::testing::_));
}

TEST_F(ClientTrainingTest, FailedGradientsAddNoNodes) {
  ASSERT_OK_AND_ASSIGN(rk::Session s, NewSession());
  ASSERT_OK_AND_ASSIGN(
      rk::Node w,
      s.variable(rk::HostTensor::FromVector<float>({3}, {1, 2, 3}), "w"));
  // square has a gradient and is walked first (higher id); prod has none,
  // so the request fails after appending square's gradient nodes.
  ASSERT_OK_AND_ASSIGN(rk::Node p, s.prod(w));
  ASSERT_OK_AND_ASSIGN(rk::Node sq, s.square(w));
  ASSERT_OK_AND_ASSIGN(rk::Node sum_sq, s.sum(sq));
  ASSERT_OK_AND_ASSIGN(rk::Node loss, s.add(p, sum_sq));
  ASSERT_OK_AND_ASSIGN(rk::SessionStats before, s.stats());
  EXPECT_THAT(
      s.gradients(loss, {w}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               "gradients: no gradient defined for op \"prod\" (node \"" +
                   p.handle + "\")"));
  ASSERT_OK_AND_ASSIGN(rk::SessionStats after, s.stats());
  EXPECT_EQ(after.nodes, before.nodes);
  EXPECT_EQ(after.bytes_held, before.bytes_held);
  // The session still works: the gradient of the differentiable part.
  ASSERT_OK_AND_ASSIGN(auto grads, s.gradients(sum_sq, {w}));
  ASSERT_TRUE(grads[0].has_value());
  ASSERT_OK_AND_ASSIGN(rk::Function f, s.function({}, {*grads[0]}));
  ASSERT_OK_AND_ASSIGN(std::vector<rk::HostTensor> out, f({}));
  EXPECT_THAT(out[0].values<float>(), ElementsAre(2, 4, 6));
}

TEST(ClientTrainingQuotaTest, GradientsNeedRoomForANodeUnderTheQuota) {
  ASSERT_OK_AND_ASSIGN(auto server,
                       ServerProcess::Start({"--max_graph_nodes=3"}));
  rk::Client client(server->address());
  ASSERT_OK_AND_ASSIGN(rk::Session s, client.create_session());
  ASSERT_OK_AND_ASSIGN(rk::Node w, s.zeros({2}));
  ASSERT_OK_AND_ASSIGN(rk::Node loss, s.sum(w));
  ASSERT_OK(s.zeros({2}).status());
  // Full: refused before the engine runs, whatever the gradient would add.
  EXPECT_THAT(
      s.gradients(loss, {w}),
      StatusIs(absl::StatusCode::kResourceExhausted,
               ::testing::HasSubstr("graph node quota of session " + s.id() +
                                    " exceeded: limit 3 nodes "
                                    "(max_graph_nodes), held 3, requested 1")));
  ASSERT_OK_AND_ASSIGN(rk::SessionStats stats, s.stats());
  EXPECT_EQ(stats.nodes, 3);
}

// ------------------------------------------------------- remote training

struct Blobs {
  rk::HostTensor x, y;
  std::vector<int> labels;
};

// Three Gaussian blobs (std 1.0) around well-separated centres.
Blobs MakeBlobs(int per_class, uint32_t seed) {
  const float centres[3][2] = {{0, 3}, {3, -2}, {-3, -2}};
  std::mt19937 gen(seed);
  std::normal_distribution<float> noise(0.0f, 1.0f);
  std::vector<float> xs, ys;
  Blobs b;
  for (int c = 0; c < 3; ++c) {
    for (int i = 0; i < per_class; ++i) {
      xs.push_back(centres[c][0] + noise(gen));
      xs.push_back(centres[c][1] + noise(gen));
      for (int k = 0; k < 3; ++k) ys.push_back(k == c ? 1.0f : 0.0f);
      b.labels.push_back(c);
    }
  }
  const int64_t n = 3 * per_class;
  b.x = rk::HostTensor::FromVector<float>({n, 2}, xs);
  b.y = rk::HostTensor::FromVector<float>({n, 3}, ys);
  return b;
}

double Accuracy(const rk::HostTensor& probs, const std::vector<int>& labels) {
  const std::vector<float> p = probs.values<float>();
  int right = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    int best = 0;
    for (int k = 1; k < 3; ++k)
      best = p[i * 3 + k] > p[i * 3 + best] ? k : best;
    right += best == labels[i];
  }
  return static_cast<double>(right) / labels.size();
}

struct Mlp {
  rk::Node x, y, loss, probs;
  std::vector<rk::Node> params;
};

// dense(2 -> 16) + relu, dense(16 -> 3) + softmax, mean
// categorical_crossentropy.
absl::StatusOr<Mlp> BuildMlp(const rk::Session& s) {
  Mlp m;
  auto node = [](absl::StatusOr<rk::Node> n, rk::Node* out) {
    if (n.ok()) *out = *n;
    return n.status();
  };
  rk::Node w1, b1, w2, b2, t;
  for (absl::Status st :
       {node(s.placeholder({-1, 2}, rk::DType::kFloat32, "x"), &m.x),
        node(s.placeholder({-1, 3}, rk::DType::kFloat32, "y"), &m.y),
        node(s.random_normal_variable({2, 16}, 0, 0.5, 1), &w1),
        node(s.zeros({16}), &b1),
        node(s.random_normal_variable({16, 3}, 0, 0.5, 2), &w2),
        node(s.zeros({3}), &b2)}) {
    if (!st.ok()) return st;
  }
  for (absl::Status st :
       {node(s.dot(m.x, w1), &t), node(s.add(t, b1), &t), node(s.relu(t), &t),
        node(s.dot(t, w2), &t), node(s.add(t, b2), &t),
        node(s.softmax(t), &m.probs),
        node(s.op("categorical_crossentropy", {m.y, m.probs}), &t),
        node(s.mean(t), &m.loss)}) {
    if (!st.ok()) return st;
  }
  m.params = {w1, b1, w2, b2};
  return m;
}

// Trains for `steps` full-batch steps through function(inputs, outputs,
// updates); asserts the loss falls, the accuracy reaches 95%, and
// clear_session leaves 0 bytes.
void TrainAndCheck(rk::Session& s, const Mlp& m,
                   const std::vector<rk::Update>& updates, int steps) {
  const Blobs data = MakeBlobs(50, 11);
  ASSERT_OK_AND_ASSIGN(rk::Function train,
                       s.function({m.x, m.y}, {m.loss, m.probs}, updates));
  std::vector<float> losses;
  double accuracy = 0;
  for (int step = 0; step < steps; ++step) {
    ASSERT_OK_AND_ASSIGN(std::vector<rk::HostTensor> out,
                         train({data.x, data.y}));
    losses.push_back(out[0].values<float>()[0]);
    accuracy = Accuracy(out[1], data.labels);
  }
  EXPECT_THAT(losses.back(), Lt(0.5f * losses.front()))
      << "first " << losses.front() << " last " << losses.back();
  EXPECT_THAT(losses.back(), Lt(0.3f));
  EXPECT_THAT(accuracy, Ge(0.95));
  // The trained parameters generalise to fresh points from the same blobs.
  const Blobs fresh = MakeBlobs(30, 12);
  ASSERT_OK_AND_ASSIGN(rk::Function predict, s.function({m.x}, {m.probs}));
  ASSERT_OK_AND_ASSIGN(std::vector<rk::HostTensor> out, predict({fresh.x}));
  EXPECT_THAT(Accuracy(out[0], fresh.labels), Ge(0.95));
  ASSERT_OK_AND_ASSIGN(rk::SessionInfo cleared, s.clear_session());
  EXPECT_EQ(cleared.stats.bytes_held, 0);
  EXPECT_EQ(cleared.stats.nodes, 0);
  ASSERT_OK_AND_ASSIGN(rk::SessionStats stats, s.stats());
  EXPECT_EQ(stats.bytes_held, 0);
  EXPECT_EQ(stats.variables, 0);
  EXPECT_EQ(stats.functions, 0);
}

TEST_F(ClientTrainingTest, AdamTrainsTheMlpRemotely) {
  ASSERT_OK_AND_ASSIGN(rk::Session s, NewSession());
  ASSERT_OK_AND_ASSIGN(Mlp m, BuildMlp(s));
  rk::Adam adam({.learning_rate = 0.05});
  ASSERT_OK_AND_ASSIGN(std::vector<rk::Update> updates,
                       adam.get_updates(s, m.loss, m.params));
  // iterations, beta_1^t, beta_2^t, then (m, v, p) per parameter.
  EXPECT_THAT(updates, SizeIs(3 + 3 * 4));
  TrainAndCheck(s, m, updates, 60);
}

TEST_F(ClientTrainingTest, SgdWithMomentumTrainsTheMlpRemotely) {
  for (bool nesterov : {false, true}) {
    SCOPED_TRACE(nesterov ? "nesterov" : "momentum");
    ASSERT_OK_AND_ASSIGN(rk::Session s, NewSession());
    ASSERT_OK_AND_ASSIGN(Mlp m, BuildMlp(s));
    rk::Sgd sgd({.learning_rate = 0.1, .momentum = 0.9, .nesterov = nesterov});
    ASSERT_OK_AND_ASSIGN(std::vector<rk::Update> updates,
                         sgd.get_updates(s, m.loss, m.params));
    EXPECT_THAT(updates, SizeIs(1 + 2 * 4));  // iterations, (moment, p) each
    TrainAndCheck(s, m, updates, 60);
  }
}

TEST_F(ClientTrainingTest, SgdStepMatchesKerasFormula) {
  // One step of plain SGD on loss = sum(w * w): w' = w - lr * 2w; the
  // iterations counter counts calls.
  ASSERT_OK_AND_ASSIGN(rk::Session s, NewSession());
  ASSERT_OK_AND_ASSIGN(
      rk::Node w, s.variable(rk::HostTensor::FromVector<float>({2}, {1, -2})));
  ASSERT_OK_AND_ASSIGN(rk::Node ww, s.multiply(w, w));
  ASSERT_OK_AND_ASSIGN(rk::Node loss, s.sum(ww));
  rk::Sgd sgd({.learning_rate = 0.25});
  ASSERT_OK_AND_ASSIGN(std::vector<rk::Update> updates,
                       sgd.get_updates(s, loss, {w}));
  ASSERT_OK_AND_ASSIGN(rk::Function step, s.function({}, {loss}, updates));
  ASSERT_OK(step({}).status());
  ASSERT_OK_AND_ASSIGN(rk::HostTensor after, s.get_value(w));
  EXPECT_THAT(after.values<float>(), ElementsAre(0.5f, -1.0f));
  ASSERT_OK(step({}).status());
  ASSERT_OK_AND_ASSIGN(rk::HostTensor iters, s.get_value(*sgd.iterations()));
  EXPECT_THAT(iters.values<float>(), ElementsAre(2.0f));
}

TEST_F(ClientTrainingTest, AdamFirstStepIsLearningRateTimesSign) {
  // With bias correction Adam's first step is lr * g / (|g| + eps') ~ lr *
  // sign(g).
  ASSERT_OK_AND_ASSIGN(rk::Session s, NewSession());
  ASSERT_OK_AND_ASSIGN(rk::Node w, s.variable(rk::HostTensor::FromVector<float>(
                                       {3}, {1, -2, 3})));
  ASSERT_OK_AND_ASSIGN(rk::Node ww, s.multiply(w, w));
  ASSERT_OK_AND_ASSIGN(rk::Node loss, s.sum(ww));
  rk::Adam adam({.learning_rate = 0.1});
  ASSERT_OK_AND_ASSIGN(std::vector<rk::Update> updates,
                       adam.get_updates(s, loss, {w}));
  ASSERT_OK_AND_ASSIGN(rk::Function step, s.function({}, {loss}, updates));
  ASSERT_OK(step({}).status());
  ASSERT_OK_AND_ASSIGN(rk::HostTensor after, s.get_value(w));
  EXPECT_THAT(
      after.values<float>(),
      Pointwise(FloatNear(1e-4), std::vector<float>{0.9f, -1.9f, 2.9f}));
}

TEST_F(ClientTrainingTest, OptimizerRefusesParamsWithoutGradient) {
  ASSERT_OK_AND_ASSIGN(rk::Session s, NewSession());
  ASSERT_OK_AND_ASSIGN(rk::Node w, s.zeros({2}, rk::DType::kFloat32, "w"));
  ASSERT_OK_AND_ASSIGN(rk::Node u, s.zeros({2}, rk::DType::kFloat32, "u"));
  ASSERT_OK_AND_ASSIGN(rk::Node loss, s.sum(w));
  rk::Adam adam;
  EXPECT_THAT(
      adam.get_updates(s, loss, {w, u}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               "optimizer: params[1] (\"u\") has no gradient: loss does "
               "not depend on it through differentiable ops"));
  EXPECT_THAT(adam.get_updates(s, loss, {}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "optimizer: params is empty"));
}

// ------------------------------------------------- remote training: CNN

// 8x8 single-channel images of one bar: class 0 a horizontal bar (a random
// row of ones), class 1 a vertical bar (a random column), plus N(0, 0.1)
// noise everywhere. Generated NHWC; `channels_first` transposes to NCHW.
constexpr int64_t kSide = 8;
constexpr int64_t kFilters = 4;
constexpr int64_t kPooled = kSide / 2;
constexpr int64_t kFlat = kPooled * kPooled * kFilters;  // 64

struct Bars {
  rk::HostTensor x, y;
  std::vector<int> labels;
};

Bars MakeBars(int per_class, uint32_t seed, bool channels_first) {
  std::mt19937 gen(seed);
  std::normal_distribution<float> noise(0.0f, 0.1f);
  std::uniform_int_distribution<int> pick(0, kSide - 1);
  const int64_t n = 2 * per_class;
  std::vector<float> nhwc(n * kSide * kSide), ys;
  Bars b;
  for (int64_t i = 0; i < n; ++i) {
    const int label = static_cast<int>(i % 2);  // classes interleaved
    const int at = pick(gen);
    for (int64_t r = 0; r < kSide; ++r) {
      for (int64_t c = 0; c < kSide; ++c) {
        const bool on = label == 0 ? r == at : c == at;
        nhwc[(i * kSide + r) * kSide + c] = (on ? 1.0f : 0.0f) + noise(gen);
      }
    }
    ys.push_back(label == 0 ? 1.0f : 0.0f);
    ys.push_back(label == 1 ? 1.0f : 0.0f);
    b.labels.push_back(label);
  }
  // One channel: NHWC -> NCHW moves no element, but spell out the general
  // transpose (index (i, r, c, ch) -> (i, ch, r, c)) so the layout is explicit.
  constexpr int64_t kChannels = 1;
  std::vector<float> x(nhwc.size());
  for (int64_t i = 0; i < n; ++i)
    for (int64_t r = 0; r < kSide; ++r)
      for (int64_t c = 0; c < kSide; ++c)
        for (int64_t ch = 0; ch < kChannels; ++ch) {
          const float v = nhwc[((i * kSide + r) * kSide + c) * kChannels + ch];
          if (channels_first) {
            x[((i * kChannels + ch) * kSide + r) * kSide + c] = v;
          } else {
            x[((i * kSide + r) * kSide + c) * kChannels + ch] = v;
          }
        }
  b.x =
      channels_first
          ? rk::HostTensor::FromVector<float>({n, kChannels, kSide, kSide}, x)
          : rk::HostTensor::FromVector<float>({n, kSide, kSide, kChannels}, x);
  b.y = rk::HostTensor::FromVector<float>({n, 2}, ys);
  return b;
}

double BinaryAccuracy(const rk::HostTensor& probs,
                      const std::vector<int>& labels) {
  const std::vector<float> p = probs.values<float>();
  int right = 0;
  for (size_t i = 0; i < labels.size(); ++i)
    right += (p[i * 2 + 1] > p[i * 2] ? 1 : 0) == labels[i];
  return static_cast<double>(right) / labels.size();
}

// Initial weights drawn host-side (fixed seed) so both data formats can start
// from the same values. The dense kernel's rows follow batch_flatten's order
// of the pooled (N, 4, 4, 4) tensor: (row, col, filter) for channels_last,
// (filter, row, col) for channels_first; the same weight sits on the same
// (row, col, filter) feature in both.
struct CnnWeights {
  rk::HostTensor kernel, conv_bias, dense, dense_bias;
};

CnnWeights MakeCnnWeights(uint32_t seed, bool channels_first) {
  std::mt19937 gen(seed);
  std::normal_distribution<float> k_init(0.0f, 0.3f), d_init(0.0f, 0.2f);
  std::vector<float> kernel(3 * 3 * 1 * kFilters);
  for (float& v : kernel) v = k_init(gen);
  std::vector<float> hwc(kFlat * 2);  // rows (row, col, filter), 2 columns
  for (float& v : hwc) v = d_init(gen);
  std::vector<float> dense(kFlat * 2);
  for (int64_t r = 0; r < kPooled; ++r)
    for (int64_t c = 0; c < kPooled; ++c)
      for (int64_t f = 0; f < kFilters; ++f) {
        const int64_t from = (r * kPooled + c) * kFilters + f;
        const int64_t to =
            channels_first ? (f * kPooled + r) * kPooled + c : from;
        for (int k = 0; k < 2; ++k) dense[to * 2 + k] = hwc[from * 2 + k];
      }
  return {rk::HostTensor::FromVector<float>({3, 3, 1, kFilters}, kernel),
          rk::HostTensor::FromVector<float>({kFilters},
                                            std::vector<float>(kFilters, 0.0f)),
          rk::HostTensor::FromVector<float>({kFlat, 2}, dense),
          rk::HostTensor::FromVector<float>({2}, {0.0f, 0.0f})};
}

struct Cnn {
  rk::Node x, y, loss, probs;
  std::vector<rk::Node> params;
};

// conv2d 3x3 'same' (4 filters) + bias_add -> relu -> pool2d 2x2 stride 2
// max -> batch_flatten -> dense (dot + bias) -> softmax, mean
// categorical_crossentropy. `data_format` empty: the attrs leave it out and
// the ops take the session's image_data_format.
absl::StatusOr<Cnn> BuildCnn(const rk::Session& s, bool channels_first,
                             const std::string& data_format,
                             const CnnWeights& w) {
  Cnn m;
  auto node = [](absl::StatusOr<rk::Node> n, rk::Node* out) {
    if (n.ok()) *out = *n;
    return n.status();
  };
  rk::Attrs conv_attrs = {{"padding", "same"}, {"strides", {1, 1}}};
  rk::Attrs pool_attrs = {{"pool_size", {2, 2}},
                          {"strides", {2, 2}},
                          {"padding", "valid"},
                          {"pool_mode", "max"}};
  rk::Attrs bias_attrs;
  if (!data_format.empty()) {
    for (rk::Attrs* a : {&conv_attrs, &pool_attrs, &bias_attrs})
      a->insert_or_assign("data_format", rk::AttrValue(data_format));
  }
  const rk::Dims x_shape = channels_first ? rk::Dims{-1, 1, kSide, kSide}
                                          : rk::Dims{-1, kSide, kSide, 1};
  rk::Node kernel, conv_bias, dense, dense_bias, t;
  for (absl::Status st :
       {node(s.placeholder(x_shape, rk::DType::kFloat32, "x"), &m.x),
        node(s.placeholder({-1, 2}, rk::DType::kFloat32, "y"), &m.y),
        node(s.variable(w.kernel, "conv_kernel"), &kernel),
        node(s.variable(w.conv_bias, "conv_bias"), &conv_bias),
        node(s.variable(w.dense, "dense_kernel"), &dense),
        node(s.variable(w.dense_bias, "dense_bias"), &dense_bias)}) {
    if (!st.ok()) return st;
  }
  for (absl::Status st :
       {node(s.op("conv2d", {m.x, kernel}, conv_attrs), &t),
        node(s.op("bias_add", {t, conv_bias}, bias_attrs), &t),
        node(s.relu(t), &t), node(s.op("pool2d", {t}, pool_attrs), &t),
        node(s.batch_flatten(t), &t), node(s.dot(t, dense), &t),
        node(s.add(t, dense_bias), &t), node(s.softmax(t), &m.probs),
        node(s.op("categorical_crossentropy", {m.y, m.probs}), &t),
        node(s.mean(t), &m.loss)}) {
    if (!st.ok()) return st;
  }
  m.params = {kernel, conv_bias, dense, dense_bias};
  return m;
}

struct CnnCase {
  std::string name;
  bool channels_first;
  std::string explicit_data_format;  // empty: the session's default
  std::string backend;
};

class ClientCnnTrainingTest : public ClientTrainingTest,
                              public ::testing::WithParamInterface<CnnCase> {};

TEST_P(ClientCnnTrainingTest, AdamTrainsTheCnnOnBarsRemotely) {
  const CnnCase& c = GetParam();
  const std::string format =
      c.channels_first ? "channels_first" : "channels_last";
  ASSERT_OK_AND_ASSIGN(
      rk::Session s, client_->create_session(
                         {.backend = c.backend, .image_data_format = format}));
  ASSERT_OK_AND_ASSIGN(rk::SessionInfo info, s.info());
  ASSERT_EQ(info.config.image_data_format, format);
  ASSERT_OK_AND_ASSIGN(Cnn m,
                       BuildCnn(s, c.channels_first, c.explicit_data_format,
                                MakeCnnWeights(5, c.channels_first)));
  EXPECT_THAT(m.probs.shape, ElementsAre(-1, 2));
  rk::Adam adam({.learning_rate = 0.05});
  ASSERT_OK_AND_ASSIGN(std::vector<rk::Update> updates,
                       adam.get_updates(s, m.loss, m.params));
  ASSERT_OK_AND_ASSIGN(rk::Function train,
                       s.function({m.x, m.y}, {m.loss, m.probs}, updates));
  const Bars data = MakeBars(32, 21, c.channels_first);  // 64 images
  constexpr int kSteps = 40;
  std::vector<float> losses;
  double accuracy = 0;
  for (int step = 0; step < kSteps; ++step) {
    ASSERT_OK_AND_ASSIGN(std::vector<rk::HostTensor> out,
                         train({data.x, data.y}));
    losses.push_back(out[0].values<float>()[0]);
    accuracy = BinaryAccuracy(out[1], data.labels);
  }
  std::string curve;
  for (size_t i = 0; i < losses.size(); i += 5)
    curve += " " + std::to_string(losses[i]);
  std::printf("[%s] losses every 5 steps:%s; last %f; train accuracy %.4f\n",
              c.name.c_str(), curve.c_str(), losses.back(), accuracy);
  EXPECT_THAT(losses.back(), Lt(0.5f * losses.front()))
      << "first " << losses.front() << " last " << losses.back();
  EXPECT_THAT(accuracy, Ge(0.95));
  // Fresh images from the same generator (another seed).
  const Bars fresh = MakeBars(50, 22, c.channels_first);
  ASSERT_OK_AND_ASSIGN(rk::Function predict, s.function({m.x}, {m.probs}));
  ASSERT_OK_AND_ASSIGN(std::vector<rk::HostTensor> out, predict({fresh.x}));
  const double fresh_accuracy = BinaryAccuracy(out[0], fresh.labels);
  std::printf("[%s] fresh accuracy %.4f\n", c.name.c_str(), fresh_accuracy);
  EXPECT_THAT(fresh_accuracy, Ge(0.95));
  ASSERT_OK_AND_ASSIGN(rk::SessionInfo cleared, s.clear_session());
  EXPECT_EQ(cleared.stats.bytes_held, 0);
  EXPECT_EQ(cleared.stats.nodes, 0);
  ASSERT_OK_AND_ASSIGN(rk::SessionStats stats, s.stats());
  EXPECT_EQ(stats.bytes_held, 0);
  EXPECT_EQ(stats.nodes, 0);
  EXPECT_EQ(stats.variables, 0);
  EXPECT_EQ(stats.functions, 0);
}

INSTANTIATE_TEST_SUITE_P(
    DataFormats, ClientCnnTrainingTest,
    ::testing::Values(
        // The session's image_data_format alone decides the layout.
        CnnCase{"channels_last_eigen", false, "", "eigen"},
        // data_format also passed explicitly on conv2d, bias_add and pool2d.
        CnnCase{"channels_first_eigen", true, "channels_first", "eigen"},
        // The same on the reference backend (direct-loop kernels).
        CnnCase{"channels_last_reference", false, "", "reference"},
        CnnCase{"channels_first_reference", true, "channels_first",
                "reference"}),
    [](const ::testing::TestParamInfo<CnnCase>& info) {
      return info.param.name;
    });

TEST_F(ClientTrainingTest, CnnDataFormatsGiveTheSameLossUpToTheTranspose) {
  // The same weights (the dense rows permuted to match batch_flatten's order)
  // and the same images, transposed: the first-step loss and the first
  // gradients agree whichever way the layout is chosen: the session default
  // (channels_last / channels_first) or an explicit data_format overriding
  // a session of the other format; on both backends.
  struct Variant {
    std::string session_format, explicit_format;
    bool channels_first;
  };
  const std::vector<Variant> variants = {
      {"channels_last", "", false},
      {"channels_first", "", true},
      {"channels_last", "channels_first", true},
      {"channels_first", "channels_last", false},
  };
  std::vector<float> losses, kernel_grads_first;
  for (const std::string backend : {"eigen", "reference"})
    for (const Variant& v : variants) {
      SCOPED_TRACE(backend + ": " + v.session_format +
                   " session, data_format '" + v.explicit_format + "'");
      ASSERT_OK_AND_ASSIGN(
          rk::Session s,
          client_->create_session(
              {.backend = backend, .image_data_format = v.session_format}));
      ASSERT_OK_AND_ASSIGN(Cnn m,
                           BuildCnn(s, v.channels_first, v.explicit_format,
                                    MakeCnnWeights(5, v.channels_first)));
      ASSERT_OK_AND_ASSIGN(auto grads, s.gradients(m.loss, {m.params[0]}));
      ASSERT_TRUE(grads[0].has_value());
      ASSERT_OK_AND_ASSIGN(rk::Function f,
                           s.function({m.x, m.y}, {m.loss, *grads[0]}));
      const Bars data = MakeBars(32, 21, v.channels_first);
      ASSERT_OK_AND_ASSIGN(std::vector<rk::HostTensor> out,
                           f({data.x, data.y}));
      losses.push_back(out[0].values<float>()[0]);
      // The conv kernel is (3, 3, 1, 4) in every data format.
      const std::vector<float> g = out[1].values<float>();
      if (kernel_grads_first.empty()) {
        kernel_grads_first = g;
      } else {
        EXPECT_THAT(g, Pointwise(FloatNear(1e-5), kernel_grads_first));
      }
      std::printf("[%s: %s session, data_format '%s'] first loss %.7f\n",
                  backend.c_str(), v.session_format.c_str(),
                  v.explicit_format.c_str(), losses.back());
    }
  for (size_t i = 1; i < losses.size(); ++i)
    EXPECT_NEAR(losses[i], losses[0], 1e-5) << "variant " << i;
}

// -------------------------------------------------------- worked example

TEST_F(ClientTrainingTest, TrainMlpExamplePrintsAFallingLoss) {
  for (const char* optimizer : {"adam", "sgd"}) {
    SCOPED_TRACE(optimizer);
    const std::string command = std::string(REMOTEK_TRAIN_MLP_PATH) +
                                " --address=" + server_->address() +
                                " --optimizer=" + optimizer + " 2>&1";
    FILE* pipe = popen(command.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    std::string output;
    char buf[512];
    while (size_t n = fread(buf, 1, sizeof(buf), pipe)) output.append(buf, n);
    ASSERT_EQ(pclose(pipe), 0) << output;
    std::vector<double> losses;
    const std::regex line(R"(step +\d+ +loss ([0-9.]+))");
    for (auto it = std::sregex_iterator(output.begin(), output.end(), line);
         it != std::sregex_iterator(); ++it) {
      losses.push_back(std::stod((*it)[1]));
    }
    ASSERT_THAT(losses, SizeIs(60)) << output;
    EXPECT_LT(losses.back(), 0.5 * losses.front()) << output;
    EXPECT_THAT(output, ::testing::HasSubstr(
                            "after clear_session: bytes_held 0  nodes 0"))
        << output;
    const std::regex acc(R"(final accuracy ([0-9.]+))");
    std::smatch match;
    ASSERT_TRUE(std::regex_search(output, match, acc)) << output;
    EXPECT_GE(std::stod(match[1]), 0.95) << output;
  }
}

}  // namespace
}  // namespace remotek::testing
