// Graph mode, variables and eager ops through the C++ client against a real
// server: placeholders, variables and seeded initializers (bitwise identical
// across sessions and backends), whole-graph BuildGraph, functions with
// batch_dot / dot / prod / cast and an update, get/batch_get/set_value,
// eager ops, clear_session and session isolation.
#include <cmath>
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

using ::testing::AllOf;
using ::testing::Each;
using ::testing::Ge;
using ::testing::HasSubstr;
using ::testing::Lt;
using ::testing::SizeIs;

class ClientGraphTest : public ::testing::Test {
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
ServerProcess* ClientGraphTest::server_ = nullptr;
absl::Status* ClientGraphTest::start_status_ = nullptr;

// Deterministic test data in [lo, hi).
std::vector<float> Pattern(size_t n, uint32_t seed, float lo, float hi) {
  std::vector<float> v(n);
  uint32_t s = seed * 2654435761u + 1;
  for (float& x : v) {
    s = s * 1664525u + 1013904223u;
    x = lo +
        (hi - lo) * static_cast<float>(s >> 8) / static_cast<float>(1u << 24);
  }
  return v;
}

void ExpectNear(const std::vector<float>& got, const std::vector<double>& want,
                double rel) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_NEAR(got[i], want[i], rel * (1 + std::abs(want[i]))) << "at " << i;
  }
}

TEST_F(ClientGraphTest, PlaceholdersVariablesAndInitializers) {
  ASSERT_OK_AND_ASSIGN(rk::Session s, NewSession());
  ASSERT_OK_AND_ASSIGN(rk::Node x,
                       s.placeholder({-1, 20, 1}, rk::DType::kFloat32, "x"));
  EXPECT_EQ(x.handle, "x");
  EXPECT_EQ(x.kind, "placeholder");
  EXPECT_EQ(x.dtype, rk::DType::kFloat32);
  EXPECT_EQ(x.shape, (rk::Dims{-1, 20, 1}));
  ASSERT_OK_AND_ASSIGN(rk::Node x_again,
                       s.placeholder({3}, rk::DType::kInt32, "x"));
  EXPECT_EQ(x_again.handle, "x_1");  // names stay unique, like Keras's
  ASSERT_OK_AND_ASSIGN(rk::Node p, s.placeholder(rk::Ndim{3}));
  EXPECT_EQ(p.handle, "placeholder_1");
  EXPECT_EQ(p.shape, (rk::Dims{-1, -1, -1}));
  EXPECT_EQ(p.dtype, rk::DType::kFloat32);  // floatx

  const rk::HostTensor v64 =
      rk::HostTensor::FromVector<double>({2, 2}, {1, 2, 3, 4.25});
  ASSERT_OK_AND_ASSIGN(rk::Node v, s.variable(v64, "v"));
  EXPECT_EQ(v.kind, "variable");
  EXPECT_EQ(v.dtype, rk::DType::kFloat64);
  EXPECT_EQ(v.shape, (rk::Dims{2, 2}));
  ASSERT_OK_AND_ASSIGN(rk::HostTensor v_value, s.get_value(v));
  EXPECT_EQ(v_value, v64);  // dtype, shape and bytes
  ASSERT_OK_AND_ASSIGN(rk::Node v32,
                       s.variable(v64, "v32", rk::DType::kFloat32));
  EXPECT_EQ(v32.dtype, rk::DType::kFloat32);
  ASSERT_OK_AND_ASSIGN(rk::HostTensor v32_value, s.get_value(v32));
  EXPECT_EQ(v32_value.values<float>(), (std::vector<float>{1, 2, 3, 4.25f}));

  ASSERT_OK_AND_ASSIGN(rk::Node z, s.zeros({2, 3}));
  ASSERT_OK_AND_ASSIGN(rk::HostTensor z_value, s.get_value(z));
  EXPECT_EQ(z_value.dtype(), rk::DType::kFloat32);
  EXPECT_EQ(z_value.values<float>(), std::vector<float>(6, 0.0f));
  ASSERT_OK_AND_ASSIGN(rk::Node o, s.ones({3}, rk::DType::kInt32));
  ASSERT_OK_AND_ASSIGN(rk::HostTensor o_value, s.get_value(o));
  EXPECT_EQ(o_value.dtype(), rk::DType::kInt32);
  EXPECT_EQ(o_value.values<int32_t>(), (std::vector<int32_t>{1, 1, 1}));
  ASSERT_OK_AND_ASSIGN(rk::Node e, s.eye(3, rk::DType::kFloat64, "identity"));
  EXPECT_EQ(e.handle, "identity");
  ASSERT_OK_AND_ASSIGN(rk::HostTensor e_value, s.get_value(e));
  EXPECT_EQ(e_value.values<double>(),
            (std::vector<double>{1, 0, 0, 0, 1, 0, 0, 0, 1}));

  ASSERT_OK_AND_ASSIGN(rk::Node u, s.random_uniform_variable({4000}, -2, 3, 7));
  ASSERT_OK_AND_ASSIGN(rk::HostTensor u_value, s.get_value(u));
  const std::vector<double> uv = u_value.values<double>();
  EXPECT_THAT(uv, Each(AllOf(Ge(-2.0), Lt(3.0))));
  double mean = 0;
  for (double x : uv) mean += x / uv.size();
  EXPECT_NEAR(mean, 0.5, 0.1);

  ASSERT_OK_AND_ASSIGN(rk::Node n, s.random_normal_variable({4000}, 1, 2, 7));
  ASSERT_OK_AND_ASSIGN(rk::HostTensor n_value, s.get_value(n));
  const std::vector<double> nv = n_value.values<double>();
  double n_mean = 0, n_var = 0;
  for (double x : nv) n_mean += x / nv.size();
  for (double x : nv) n_var += (x - n_mean) * (x - n_mean) / nv.size();
  EXPECT_NEAR(n_mean, 1, 0.15);
  EXPECT_NEAR(std::sqrt(n_var), 2, 0.15);

  ASSERT_OK_AND_ASSIGN(
      rk::Node c, s.constant(rk::HostTensor::FromVector<int64_t>({2}, {7, 8})));
  EXPECT_EQ(c.kind, "constant");
  EXPECT_EQ(c.dtype, rk::DType::kInt64);

  EXPECT_THAT(s.placeholder({-2, 3}).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("-2")));
  EXPECT_THAT(s.random_uniform_variable({2, -1}, 0, 1, 1).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("initializer.shape")));
}

TEST_F(ClientGraphTest,
       SeededInitializersAreBitwiseIdenticalAcrossSessionsAndBackends) {
  std::vector<rk::Session> sessions;
  for (const char* backend : {"eigen", "eigen", "reference"}) {
    ASSERT_OK_AND_ASSIGN(rk::Session s, NewSession(backend));
    sessions.push_back(std::move(s));
  }
  std::vector<std::vector<rk::HostTensor>> values;
  for (rk::Session& s : sessions) {
    std::vector<rk::Node> nodes;
    for (auto made :
         {s.random_uniform_variable({64, 33}, -1, 1, 1234),
          s.random_normal_variable({17, 5}, 0.5, 2, 99),
          s.random_uniform_variable({100}, 0, 10, 1234, rk::DType::kFloat64),
          s.random_normal_variable({3, 3}, 0, 1, 5, rk::DType::kFloat16)}) {
      ASSERT_OK(made.status());
      nodes.push_back(*made);
    }
    ASSERT_OK_AND_ASSIGN(
        std::vector<rk::HostTensor> got,
        s.batch_get_value({nodes[0], nodes[1], nodes[2], nodes[3]}));
    values.push_back(std::move(got));
  }
  ASSERT_THAT(values[0], SizeIs(4));
  EXPECT_EQ(values[0][0].shape(), (rk::Dims{64, 33}));
  EXPECT_EQ(values[0][2].dtype(), rk::DType::kFloat64);
  EXPECT_EQ(values[0][3].dtype(), rk::DType::kFloat16);
  for (size_t i = 0; i < values[0].size(); ++i) {
    EXPECT_EQ(values[0][i], values[1][i]) << "eigen vs eigen, variable " << i;
    EXPECT_EQ(values[0][i], values[2][i])
        << "eigen vs reference, variable " << i;
  }
  // Another seed, or none, gives other values.
  ASSERT_OK_AND_ASSIGN(rk::Node other, sessions[0].random_uniform_variable(
                                           {64, 33}, -1, 1, 1235));
  ASSERT_OK_AND_ASSIGN(rk::HostTensor other_value,
                       sessions[0].get_value(other));
  EXPECT_NE(other_value, values[0][0]);
  ASSERT_OK_AND_ASSIGN(rk::Node fresh1,
                       sessions[0].random_uniform_variable({64, 33}, -1, 1));
  ASSERT_OK_AND_ASSIGN(rk::Node fresh2,
                       sessions[1].random_uniform_variable({64, 33}, -1, 1));
  ASSERT_OK_AND_ASSIGN(rk::HostTensor f1, sessions[0].get_value(fresh1));
  ASSERT_OK_AND_ASSIGN(rk::HostTensor f2, sessions[1].get_value(fresh2));
  EXPECT_NE(f1, f2);
}

// Checks one call of f(x) = [batch_dot(x, y, (1, 2)), dot(xy, w), prod(w, 0),
// cast(xy, float64)] against naive loops.
void CheckOutputs(const std::vector<float>& x, const std::vector<float>& y,
                  const std::vector<float>& w,
                  const std::vector<rk::HostTensor>& out) {
  ASSERT_THAT(out, SizeIs(4));
  // xy[b, 0, j] = sum_k x[b, k, 0] * y[b, j, k]
  ASSERT_EQ(out[0].dtype(), rk::DType::kFloat32);
  ASSERT_EQ(out[0].shape(), (rk::Dims{32, 1, 30}));
  std::vector<double> xy(32 * 30);
  for (int b = 0; b < 32; ++b) {
    for (int j = 0; j < 30; ++j) {
      double acc = 0;
      for (int k = 0; k < 20; ++k)
        acc += double{x[b * 20 + k]} * y[(b * 30 + j) * 20 + k];
      xy[b * 30 + j] = acc;
    }
  }
  const std::vector<float> got_xy = out[0].values<float>();
  ExpectNear(got_xy, xy, 1e-5);
  // z[b, 0, n] = sum_j xy[b, 0, j] * w[j, n]
  ASSERT_EQ(out[1].shape(), (rk::Dims{32, 1, 4}));
  std::vector<double> z(32 * 4);
  for (int b = 0; b < 32; ++b) {
    for (int n = 0; n < 4; ++n) {
      double acc = 0;
      for (int j = 0; j < 30; ++j)
        acc += double{got_xy[b * 30 + j]} * w[j * 4 + n];
      z[b * 4 + n] = acc;
    }
  }
  ExpectNear(out[1].values<float>(), z, 1e-5);
  // prod(w, axis=0)
  ASSERT_EQ(out[2].shape(), (rk::Dims{4}));
  std::vector<double> p(4, 1.0);
  for (int j = 0; j < 30; ++j) {
    for (int n = 0; n < 4; ++n) p[n] *= w[j * 4 + n];
  }
  ExpectNear(out[2].values<float>(), p, 1e-5);
  // cast(xy, float64) is exact.
  ASSERT_EQ(out[3].dtype(), rk::DType::kFloat64);
  ASSERT_EQ(out[3].shape(), (rk::Dims{32, 1, 30}));
  const std::vector<double> cast = out[3].values<double>();
  for (size_t i = 0; i < cast.size(); ++i)
    ASSERT_EQ(cast[i], double{got_xy[i]}) << i;
}

TEST_F(ClientGraphTest, FunctionWithBatchDotDotProdCastAndAnUpdate) {
  for (const char* backend : {"eigen", "reference"}) {
    SCOPED_TRACE(backend);
    ASSERT_OK_AND_ASSIGN(rk::Session s, NewSession(backend));
    ASSERT_OK_AND_ASSIGN(rk::Node x,
                         s.placeholder({-1, 20, 1}, rk::DType::kFloat32, "x"));
    ASSERT_OK_AND_ASSIGN(rk::Node y,
                         s.random_uniform_variable({32, 30, 20}, -1, 1, 11,
                                                   rk::DType::kInvalid, "y"));
    const std::vector<float> w_values = Pattern(30 * 4, 3, 0.7f, 1.3f);
    ASSERT_OK_AND_ASSIGN(
        rk::Node w,
        s.variable(rk::HostTensor::FromVector<float>({30, 4}, w_values), "w"));
    ASSERT_OK_AND_ASSIGN(rk::Node xy, s.batch_dot(x, y, {1, 2}));
    EXPECT_EQ(xy.shape, (rk::Dims{32, 1, 30}));
    ASSERT_OK_AND_ASSIGN(rk::Node z, s.dot(xy, w));
    EXPECT_EQ(z.shape, (rk::Dims{32, 1, 4}));
    ASSERT_OK_AND_ASSIGN(rk::Node p, s.prod(w, {0}));
    EXPECT_EQ(p.shape, (rk::Dims{4}));
    ASSERT_OK_AND_ASSIGN(rk::Node c, s.cast(xy, rk::DType::kFloat64));
    EXPECT_EQ(c.dtype, rk::DType::kFloat64);
    ASSERT_OK_AND_ASSIGN(rk::Node acc,
                         s.zeros({32, 1, 30}, rk::DType::kInvalid, "acc"));
    ASSERT_OK_AND_ASSIGN(rk::Node next, s.add(acc, xy));
    ASSERT_OK_AND_ASSIGN(rk::Function f,
                         s.function({x}, {xy, z, p, c}, {{acc, next}}));
    ASSERT_THAT(f.inputs(), SizeIs(1));
    EXPECT_EQ(f.inputs()[0].shape, (rk::Dims{-1, 20, 1}));
    ASSERT_THAT(f.outputs(), SizeIs(4));
    EXPECT_EQ(f.outputs()[3].dtype, rk::DType::kFloat64);

    ASSERT_OK_AND_ASSIGN(rk::HostTensor y_value, s.get_value(y));
    const std::vector<float> y_values = y_value.values<float>();
    std::vector<double> acc_want(32 * 30, 0.0);
    for (uint32_t call = 0; call < 3; ++call) {
      const std::vector<float> x_values = Pattern(32 * 20, 100 + call, -2, 2);
      ASSERT_OK_AND_ASSIGN(
          std::vector<rk::HostTensor> out,
          f({rk::HostTensor::FromVector<float>({32, 20, 1}, x_values)}));
      CheckOutputs(x_values, y_values, w_values, out);
      const std::vector<float> got_xy = out[0].values<float>();
      for (size_t i = 0; i < acc_want.size(); ++i) acc_want[i] += got_xy[i];
    }
    ASSERT_OK_AND_ASSIGN(rk::HostTensor acc_value, s.get_value(acc));
    ExpectNear(acc_value.values<float>(), acc_want, 1e-5);

    // Feeds are checked against the placeholders.
    EXPECT_THAT(f({rk::HostTensor::FromVector<float>(
                      {32, 21, 1}, Pattern(32 * 21, 1, 0, 1))})
                    .status(),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("21")));
    EXPECT_THAT(f({}).status(),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("1")));
    EXPECT_THAT(
        s.batch_dot(x, y, {1, 3}).status(),
        StatusIs(
            absl::StatusCode::kInvalidArgument,
            HasSubstr("batch_dot: axes[1]=3 is out of range for y of rank 3")));
    ASSERT_OK(f.release());
    EXPECT_THAT(f({rk::HostTensor::FromVector<float>({32, 20, 1},
                                                     Pattern(640, 1, 0, 1))})
                    .status(),
                StatusIs(absl::StatusCode::kNotFound, HasSubstr(f.handle())));
  }
}

TEST_F(ClientGraphTest, BuildGraphAddsAWholeGraphAllOrNothing) {
  ASSERT_OK_AND_ASSIGN(rk::Session s, NewSession());
  rk::GraphBuilder g;
  // Declared before its inputs: names resolve in any order.
  g.op("xy", "batch_dot", {"x", "y"}, {{"axes", {1, 2}}});
  g.placeholder("x", {-1, 20, 1}, rk::DType::kFloat32);
  g.random_uniform_variable("y", {32, 30, 20}, -1, 1, 11);
  g.variable("w", rk::HostTensor::FromVector<float>(
                      {30, 4}, Pattern(120, 3, 0.7f, 1.3f)));
  g.op("z", "dot", {"xy", "w"});
  g.op("p", "prod", {"w"}, {{"axis", 0}});
  g.op("c", "cast", {"xy"}, {{"dtype", "float64"}});
  ASSERT_EQ(g.size(), 7);
  ASSERT_OK_AND_ASSIGN(std::vector<rk::Node> nodes, s.build_graph(g));
  ASSERT_THAT(nodes, SizeIs(7));
  EXPECT_EQ(nodes[0].handle, "xy");
  EXPECT_EQ(nodes[0].kind, "op");
  EXPECT_EQ(nodes[0].shape, (rk::Dims{32, 1, 30}));
  EXPECT_EQ(nodes[1].kind, "placeholder");
  EXPECT_EQ(nodes[2].kind, "variable");
  EXPECT_EQ(nodes[4].shape, (rk::Dims{32, 1, 4}));
  EXPECT_EQ(nodes[6].dtype, rk::DType::kFloat64);

  // Same values as one node at a time (the seed fixes y).
  ASSERT_OK_AND_ASSIGN(rk::Function f,
                       s.function({"x"}, {"xy", "z", "p", "c"}));
  ASSERT_OK_AND_ASSIGN(rk::HostTensor y_value, s.get_value("y"));
  const std::vector<float> x_values = Pattern(640, 7, -1, 1);
  ASSERT_OK_AND_ASSIGN(
      std::vector<rk::HostTensor> out,
      f({rk::HostTensor::FromVector<float>({32, 20, 1}, x_values)}));
  CheckOutputs(x_values, y_value.values<float>(), Pattern(120, 3, 0.7f, 1.3f),
               out);

  ASSERT_OK_AND_ASSIGN(rk::SessionStats before, s.stats());
  rk::GraphBuilder bad;
  bad.placeholder("a", {2, 3});
  bad.zeros("b", {4, 5});
  bad.op("ab", "dot", {"a", "b"});  // 3 != 4
  EXPECT_THAT(s.build_graph(bad).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("dot")));
  rk::GraphBuilder missing;
  missing.op("q", "add", {"x", "nowhere"});
  EXPECT_THAT(s.build_graph(missing).status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("nowhere")));
  ASSERT_OK_AND_ASSIGN(rk::SessionStats after, s.stats());
  EXPECT_EQ(after.nodes, before.nodes);
  EXPECT_EQ(after.bytes_held, before.bytes_held);
  EXPECT_THAT(s.get_value("b").status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("b")));
}

TEST_F(ClientGraphTest, GetBatchGetAndSetValue) {
  ASSERT_OK_AND_ASSIGN(rk::Session s, NewSession());
  ASSERT_OK_AND_ASSIGN(rk::Node v, s.variable(rk::HostTensor::FromVector<float>(
                                                  {2, 3}, {1, 2, 3, 4, 5, 6}),
                                              "v"));
  ASSERT_OK_AND_ASSIGN(
      rk::Node c,
      s.constant(rk::HostTensor::FromVector<int8_t>({2}, {-3, 4}), "c"));
  ASSERT_OK_AND_ASSIGN(rk::Node e, s.eye(2, rk::DType::kFloat64));
  ASSERT_OK_AND_ASSIGN(rk::Node x, s.placeholder({2}));

  // set_value casts to the variable's dtype, as K.set_value does.
  ASSERT_OK(s.set_value(
      v, rk::HostTensor::FromVector<double>({2, 3}, {6, 5, 4, 3, 2, 1.5})));
  ASSERT_OK_AND_ASSIGN(std::vector<rk::HostTensor> got,
                       s.batch_get_value({v, c, e}));
  ASSERT_THAT(got, SizeIs(3));
  EXPECT_EQ(got[0],
            rk::HostTensor::FromVector<float>({2, 3}, {6, 5, 4, 3, 2, 1.5f}));
  EXPECT_EQ(got[1], rk::HostTensor::FromVector<int8_t>({2}, {-3, 4}));
  EXPECT_EQ(got[2], rk::HostTensor::FromVector<double>({2, 2}, {1, 0, 0, 1}));

  EXPECT_THAT(
      s.set_value(
          v, rk::HostTensor::FromVector<float>({3, 2}, {1, 2, 3, 4, 5, 6})),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("does not match variable \"v\" of shape (2, 3)")));
  EXPECT_THAT(s.get_value(x).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("placeholder")));
  EXPECT_THAT(s.get_value("nope").status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("\"nope\"")));
  EXPECT_THAT(s.batch_get_value({v, "nope"}).status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("handles[1]")));
  EXPECT_THAT(s.set_value("nope", got[0]),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("nope")));
  // The failed set_value left the old value.
  ASSERT_OK_AND_ASSIGN(rk::HostTensor v_value, s.get_value(v));
  EXPECT_EQ(v_value, got[0]);
}

TEST_F(ClientGraphTest, EagerOpsInlineAndKeptInTheSession) {
  ASSERT_OK_AND_ASSIGN(rk::Session s, NewSession());
  const rk::HostTensor a =
      rk::HostTensor::FromVector<float>({2, 2}, {1, 2, 3, 4});
  const rk::HostTensor b =
      rk::HostTensor::FromVector<float>({2, 2}, {10, 20, 30, 40});
  ASSERT_OK_AND_ASSIGN(rk::HostTensor sum, s.run_op("add", {a, b}));
  EXPECT_EQ(sum, rk::HostTensor::FromVector<float>({2, 2}, {11, 22, 33, 44}));
  ASSERT_OK_AND_ASSIGN(rk::HostTensor d, s.run_op("dot", {a, b}));
  EXPECT_EQ(d.values<float>(), (std::vector<float>{70, 100, 150, 220}));
  ASSERT_OK_AND_ASSIGN(rk::HostTensor total,
                       s.run_op("sum", {a}, {{"axis", 1}}));
  EXPECT_EQ(total, rk::HostTensor::FromVector<float>({2}, {3, 7}));
  ASSERT_OK_AND_ASSIGN(rk::HostTensor m, s.run_op("mean", {a}));
  EXPECT_EQ(m, rk::HostTensor::Scalar<float>(2.5f));
  ASSERT_OK_AND_ASSIGN(rk::HostTensor casted,
                       s.run_op("cast", {a}, {{"dtype", "int32"}}));
  EXPECT_EQ(casted, rk::HostTensor::FromVector<int32_t>({2, 2}, {1, 2, 3, 4}));

  // Session-held values as arguments, and results kept in the session.
  ASSERT_OK_AND_ASSIGN(rk::Node v, s.variable(b, "v"));
  ASSERT_OK_AND_ASSIGN(
      rk::EagerResult kept,
      s.run_op("multiply", {v, a}, {}, {.keep = true, .keep_name = "prod"}));
  EXPECT_EQ(kept.value.values<float>(), (std::vector<float>{10, 40, 90, 160}));
  ASSERT_TRUE(kept.kept.has_value());
  EXPECT_EQ(kept.kept->handle, "prod");
  EXPECT_EQ(kept.kept->kind, "constant");
  EXPECT_EQ(kept.kept->shape, (rk::Dims{2, 2}));
  ASSERT_OK_AND_ASSIGN(rk::EagerResult silent,
                       s.run_op("subtract", {"prod", v}, {},
                                {.keep = true, .skip_result = true}));
  EXPECT_EQ(silent.value.dtype(), rk::DType::kInvalid);
  EXPECT_EQ(silent.value.byte_size(), 0);
  ASSERT_TRUE(silent.kept.has_value());
  ASSERT_OK_AND_ASSIGN(rk::HostTensor silent_value, s.get_value(*silent.kept));
  EXPECT_EQ(silent_value.values<float>(), (std::vector<float>{0, 20, 60, 120}));
  // A kept value is a node like any other.
  ASSERT_OK_AND_ASSIGN(rk::Node twice, s.add(*kept.kept, *silent.kept));
  ASSERT_OK_AND_ASSIGN(rk::Function f, s.function({}, {twice}));
  ASSERT_OK_AND_ASSIGN(std::vector<rk::HostTensor> out, f({}));
  EXPECT_EQ(out[0].values<float>(), (std::vector<float>{10, 60, 150, 280}));

  EXPECT_THAT(
      s.run_op("add", {a}, {}, {.skip_result = true}).status(),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("skip_result")));
  EXPECT_THAT(s.run_op("nonsense", {a}).status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("nonsense")));
  EXPECT_THAT(
      s.run_op("add", {a, rk::HostTensor::FromVector<float>({3}, {1, 2, 3})})
          .status(),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("add")));
}

TEST_F(ClientGraphTest, ClearSessionFreesEverythingAndResetsNames) {
  ASSERT_OK_AND_ASSIGN(rk::Session s, NewSession());
  ASSERT_OK_AND_ASSIGN(rk::Node p, s.placeholder({-1, 8}));
  EXPECT_EQ(p.handle, "placeholder_1");
  ASSERT_OK_AND_ASSIGN(rk::Node w, s.random_normal_variable({8, 16}, 0, 1, 3));
  ASSERT_OK_AND_ASSIGN(rk::Node y, s.dot(p, w));
  ASSERT_OK_AND_ASSIGN(rk::Function f, s.function({p}, {y}));
  ASSERT_OK(s.run_op("square", {w}, {}, {.keep = true}).status());
  ASSERT_OK_AND_ASSIGN(rk::SessionStats before, s.stats());
  EXPECT_GE(before.bytes_held, 2 * 8 * 16 * 4);
  EXPECT_EQ(before.nodes, 4);
  EXPECT_EQ(before.variables, 1);
  EXPECT_EQ(before.functions, 1);

  ASSERT_OK_AND_ASSIGN(rk::SessionInfo cleared, s.clear_session());
  EXPECT_EQ(cleared.stats.bytes_held, 0);
  EXPECT_EQ(cleared.stats.nodes, 0);
  EXPECT_EQ(cleared.stats.variables, 0);
  EXPECT_EQ(cleared.stats.functions, 0);
  EXPECT_GE(cleared.stats.peak_bytes, before.bytes_held);
  ASSERT_OK_AND_ASSIGN(rk::SessionStats after, s.stats());
  EXPECT_EQ(after.bytes_held, 0);

  EXPECT_THAT(s.get_value(w).status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr(w.handle)));
  EXPECT_THAT(f({rk::HostTensor::Zeros(rk::DType::kFloat32, {1, 8})}).status(),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr(f.handle())));
  ASSERT_OK_AND_ASSIGN(rk::Node p_again, s.placeholder({-1, 8}));
  EXPECT_EQ(p_again.handle, "placeholder_1");  // name counters start over
  ASSERT_OK_AND_ASSIGN(rk::Node w_again,
                       s.random_normal_variable({8, 16}, 0, 1, 3));
  EXPECT_EQ(w_again.handle, w.handle);
}

TEST_F(ClientGraphTest, OneSessionsClearAndCloseLeaveOthersUntouched) {
  ASSERT_OK_AND_ASSIGN(rk::Session a, NewSession());
  ASSERT_OK_AND_ASSIGN(rk::Session b, NewSession("reference"));
  const rk::HostTensor value =
      rk::HostTensor::FromVector<float>({3}, {1, 2, 3});
  for (rk::Session* s : {&a, &b}) {
    ASSERT_OK(s->variable(value, "v").status());
    ASSERT_OK(s->placeholder({3}, rk::DType::kFloat32, "x").status());
    ASSERT_OK(s->add("x", "v").status());
  }
  ASSERT_OK_AND_ASSIGN(rk::Function fb, b.function({"x"}, {"add_1"}));
  ASSERT_OK_AND_ASSIGN(rk::SessionStats b_before, b.stats());

  ASSERT_OK_AND_ASSIGN(rk::SessionInfo a_cleared, a.clear_session());
  EXPECT_EQ(a_cleared.stats.bytes_held, 0);
  ASSERT_OK_AND_ASSIGN(rk::SessionStats b_after, b.stats());
  EXPECT_EQ(b_after.bytes_held, b_before.bytes_held);
  EXPECT_EQ(b_after.nodes, b_before.nodes);
  ASSERT_OK_AND_ASSIGN(rk::HostTensor bv, b.get_value("v"));
  EXPECT_EQ(bv, value);

  ASSERT_OK(a.close());
  ASSERT_OK_AND_ASSIGN(std::vector<rk::HostTensor> out, fb({value}));
  EXPECT_EQ(out[0].values<float>(), (std::vector<float>{2, 4, 6}));
  ASSERT_OK_AND_ASSIGN(b_after, b.stats());
  EXPECT_EQ(b_after.nodes, b_before.nodes);
}

}  // namespace
}  // namespace remotek::testing
