// dot, batch_dot and transpose on both built-in backends, checked against a
// naive multi-index tensordot written here (independent of both kernels).
#include <atomic>
#include <cmath>
#include <cstring>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "backend/core/op_registry.h"
#include "backend/eigen/eigen_backend.h"
#include "backend/eigen/gemm.h"
#include "backend/eigen/intra_op_pool.h"
#include "backend/reference/reference_kernels.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"
#include "tests/support/tensor_testing.h"

namespace remotek {
namespace {

using ::remotek::testing::Infer;
using ::remotek::testing::IsOk;
using ::remotek::testing::MakeTensor;
using ::remotek::testing::MakeTensorAs;
using ::remotek::testing::StatusIs;
using ::remotek::testing::Values;
using ::remotek::testing::ValuesAsDouble;
using ::testing::DoubleNear;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::Pointwise;

constexpr auto kInvalid = absl::StatusCode::kInvalidArgument;

// testing::Run under another name: inside a gtest fixture `Run` is Test::Run.
absl::StatusOr<Tensor> RunOn(const Backend& backend, const std::string& op,
                             std::vector<Tensor> inputs, const AttrMap& attrs = {}) {
  return ::remotek::testing::Run(backend, op, std::move(inputs), attrs);
}

std::vector<double> Iota(int64_t n, double scale = 1.0, double offset = 0.0) {
  std::vector<double> v(n);
  for (int64_t i = 0; i < n; ++i) v[i] = offset + scale * static_cast<double>(i % 13 - 6);
  return v;
}

std::vector<double> RandomValues(int64_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  std::vector<double> v(n);
  for (double& e : v) e = dist(gen);
  return v;
}

int64_t NumElements(const std::vector<int64_t>& dims) {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

int64_t FlatIndex(const std::vector<int64_t>& dims, const std::vector<int64_t>& idx) {
  int64_t f = 0;
  for (size_t i = 0; i < dims.size(); ++i) f = f * dims[i] + idx[i];
  return f;
}

// Naive tensordot of x's axis `ax` with y's axis `ay`; when `batched`, axis 0
// of both is a shared batch axis. The output enumerates (batch,) + x's free
// axes + y's free axes in order, which is exactly Keras's output layout.
std::vector<double> NaiveContract(const std::vector<int64_t>& xs,
                                  const std::vector<double>& x,
                                  const std::vector<int64_t>& ys,
                                  const std::vector<double>& y, int ax, int ay,
                                  bool batched) {
  const int first = batched ? 1 : 0;
  std::vector<int> x_free, y_free;
  for (int i = first; i < static_cast<int>(xs.size()); ++i) if (i != ax) x_free.push_back(i);
  for (int i = first; i < static_cast<int>(ys.size()); ++i) if (i != ay) y_free.push_back(i);
  std::vector<int64_t> out_dims;
  if (batched) out_dims.push_back(xs[0]);
  for (int i : x_free) out_dims.push_back(xs[i]);
  for (int i : y_free) out_dims.push_back(ys[i]);
  std::vector<double> out(NumElements(out_dims), 0.0);
  std::vector<int64_t> oi(out_dims.size(), 0);
  for (int64_t o = 0; o < static_cast<int64_t>(out.size()); ++o) {
    std::vector<int64_t> xi(xs.size()), yi(ys.size());
    size_t pos = 0;
    if (batched) xi[0] = yi[0] = oi[pos++];
    for (int i : x_free) xi[i] = oi[pos++];
    for (int i : y_free) yi[i] = oi[pos++];
    double acc = 0;
    for (int64_t k = 0; k < xs[ax]; ++k) {
      xi[ax] = yi[ay] = k;
      acc += x[FlatIndex(xs, xi)] * y[FlatIndex(ys, yi)];
    }
    out[o] = acc;
    for (int d = static_cast<int>(oi.size()) - 1; d >= 0; --d) {
      if (++oi[d] < out_dims[d]) break;
      oi[d] = 0;
    }
  }
  return out;
}

class LinalgOpsTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    backend_ = GetParam() == "eigen" ? CreateEigenBackend() : CreateReferenceBackend();
  }
  const Backend& backend() const { return *backend_; }

  // Runs dot / batch_dot on float64 data and compares with NaiveContract.
  void ExpectContraction(const std::string& op, const std::vector<int64_t>& xs,
                         const std::vector<int64_t>& ys, const AttrMap& attrs,
                         int ax, int ay, const std::vector<int64_t>& want_shape) {
    const std::vector<double> xv = Iota(NumElements(xs), 0.5, 0.25);
    const std::vector<double> yv = Iota(NumElements(ys) + 5, 0.25, -0.5);
    const std::vector<double> y_used(yv.begin() + 5, yv.end());
    const std::vector<double> want =
        NaiveContract(xs, xv, ys, y_used, ax, ay, op == "batch_dot");
    for (DType dtype : {DType::kFloat32, DType::kFloat64}) {
      ASSERT_OK_AND_ASSIGN(
          Tensor out, RunOn(backend(), op,
                          {MakeTensorAs(dtype, Shape(xs), xv),
                           MakeTensorAs(dtype, Shape(ys), y_used)},
                          attrs));
      EXPECT_EQ(out.dtype(), dtype);
      EXPECT_EQ(out.shape(), Shape(want_shape));
      EXPECT_THAT(ValuesAsDouble(out), Pointwise(DoubleNear(1e-3), want))
          << op << " " << DTypeName(dtype);
    }
  }

 private:
  std::unique_ptr<Backend> backend_;
};

// ---- dot ------------------------------------------------------------------

TEST_P(LinalgOpsTest, DotMatmulValues) {
  Tensor x = MakeTensor<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor y = MakeTensor<float>({3, 2}, {7, 8, 9, 10, 11, 12});
  ASSERT_OK_AND_ASSIGN(Tensor out, RunOn(backend(), "dot", {x, y}));
  EXPECT_EQ(out.dtype(), DType::kFloat32);
  EXPECT_EQ(out.shape(), Shape({2, 2}));
  EXPECT_THAT(Values<float>(out), ElementsAre(58, 64, 139, 154));
}

TEST_P(LinalgOpsTest, DotFloat64AndInt32) {
  ASSERT_OK_AND_ASSIGN(
      Tensor d, RunOn(backend(), "dot",
                    {MakeTensor<double>({1, 2}, {1.5, -2}),
                     MakeTensor<double>({2, 3}, {1, 2, 3, 4, 5, 6})}));
  EXPECT_EQ(d.dtype(), DType::kFloat64);
  EXPECT_THAT(Values<double>(d), ElementsAre(-6.5, -7, -7.5));
  ASSERT_OK_AND_ASSIGN(
      Tensor i, RunOn(backend(), "dot",
                    {MakeTensor<int32_t>({2, 2}, {1, 2, 3, 4}),
                     MakeTensor<int32_t>({2, 2}, {5, 6, 7, 8})}));
  EXPECT_EQ(i.dtype(), DType::kInt32);
  EXPECT_THAT(Values<int32_t>(i), ElementsAre(19, 22, 43, 50));
}

TEST_P(LinalgOpsTest, DotNdKerasExample) {
  ExpectContraction("dot", {2, 3}, {4, 3, 5}, {}, 1, 1, {2, 4, 5});
}

TEST_P(LinalgOpsTest, DotNdShapes) {
  ExpectContraction("dot", {2, 4, 3}, {3, 5}, {}, 2, 0, {2, 4, 5});
  ExpectContraction("dot", {3}, {4, 3, 5}, {}, 0, 1, {4, 5});
  ExpectContraction("dot", {2, 2, 3}, {2, 3, 3, 1}, {}, 2, 2, {2, 2, 2, 3, 1});
  ExpectContraction("dot", {5, 3}, {2, 3, 1}, {}, 1, 1, {5, 2, 1});
}

TEST_P(LinalgOpsTest, DotIntegersWrapAround) {
  ASSERT_OK_AND_ASSIGN(
      Tensor i8, RunOn(backend(), "dot",
                     {MakeTensor<int8_t>({1, 2}, {100, -100}),
                      MakeTensor<int8_t>({2, 1}, {100, 27})}));
  // 10000 - 2700 = 7300 = 28 * 256 + 132 -> int8 -124.
  EXPECT_THAT(Values<int8_t>(i8), ElementsAre(-124));
  ASSERT_OK_AND_ASSIGN(
      Tensor i32, RunOn(backend(), "dot",
                      {MakeTensor<int32_t>({1, 2}, {1 << 30, 1 << 30}),
                       MakeTensor<int32_t>({2, 1}, {2, 2})}));
  EXPECT_THAT(Values<int32_t>(i32), ElementsAre(0));
  ASSERT_OK_AND_ASSIGN(
      Tensor u8, RunOn(backend(), "dot",
                     {MakeTensor<uint8_t>({1, 1}, {200}),
                      MakeTensor<uint8_t>({1, 1}, {3})}));
  EXPECT_THAT(Values<uint8_t>(u8), ElementsAre(600 % 256));
  ASSERT_OK_AND_ASSIGN(
      Tensor i16, RunOn(backend(), "dot",
                      {MakeTensor<int16_t>({1, 1}, {-32768}),
                       MakeTensor<int16_t>({1, 1}, {-1})}));
  EXPECT_THAT(Values<int16_t>(i16), ElementsAre(-32768));
  ASSERT_OK_AND_ASSIGN(
      Tensor i64, RunOn(backend(), "dot",
                      {MakeTensor<int64_t>({1, 1}, {INT64_MIN}),
                       MakeTensor<int64_t>({1, 1}, {-1})}));
  EXPECT_THAT(Values<int64_t>(i64), ElementsAre(INT64_MIN));
}

TEST_P(LinalgOpsTest, DotFloat16IsWidenedAndNarrowed) {
  Tensor x = MakeTensorAs(DType::kFloat16, {2, 2}, {1, 2, 3, 4});
  Tensor y = MakeTensorAs(DType::kFloat16, {2, 1}, {0.5, 0.25});
  ASSERT_OK_AND_ASSIGN(Tensor out, RunOn(backend(), "dot", {x, y}));
  EXPECT_EQ(out.dtype(), DType::kFloat16);
  EXPECT_THAT(ValuesAsDouble(out), ElementsAre(1, 2.5));
}

TEST_P(LinalgOpsTest, DotEmptyContractionGivesZeros) {
  ASSERT_OK_AND_ASSIGN(
      Tensor out, RunOn(backend(), "dot",
                      {MakeTensor<float>({2, 0}, {}), MakeTensor<float>({0, 3}, {})}));
  EXPECT_EQ(out.shape(), Shape({2, 3}));
  EXPECT_THAT(Values<float>(out), ElementsAre(0, 0, 0, 0, 0, 0));
  ASSERT_OK_AND_ASSIGN(
      Tensor empty, RunOn(backend(), "dot",
                        {MakeTensor<double>({0, 2}, {}),
                         MakeTensor<double>({2, 3}, {1, 2, 3, 4, 5, 6})}));
  EXPECT_EQ(empty.shape(), Shape({0, 3}));
}

TEST_P(LinalgOpsTest, DotErrors) {
  Tensor m23 = MakeTensor<float>({2, 3}, std::vector<float>(6, 1));
  Tensor v3 = MakeTensor<float>({3}, {1, 2, 3});
  Tensor s = MakeTensor<float>({}, {1});
  Tensor t435 = MakeTensor<float>({4, 3, 5}, std::vector<float>(60, 1));
  EXPECT_THAT(RunOn(backend(), "dot", {v3, m23}),
              StatusIs(kInvalid, HasSubstr("dot: when neither input has rank > 2 both "
                                           "must have rank 2, got x of shape (3,)")));
  EXPECT_THAT(RunOn(backend(), "dot", {s, t435}),
              StatusIs(kInvalid, HasSubstr("dot: x needs rank >= 1 and y rank >= 2, "
                                           "got x of shape ()")));
  EXPECT_THAT(RunOn(backend(), "dot", {t435, v3}),
              StatusIs(kInvalid, HasSubstr("y of shape (3,)")));
  EXPECT_THAT(
      RunOn(backend(), "dot", {m23, m23}),
      StatusIs(kInvalid,
               HasSubstr("dot: cannot contract x of shape (2, 3) and y of shape "
                         "(2, 3): x.shape[-1]=3 != y.shape[-2]=2")));
  EXPECT_THAT(RunOn(backend(), "dot",
                  {MakeTensor<float>({2, 4}, std::vector<float>(8, 1)), t435}),
              StatusIs(kInvalid, HasSubstr("x of shape (2, 4) and y of shape (4, 3, 5)")));
  EXPECT_THAT(RunOn(backend(), "dot",
                  {m23, MakeTensor<double>({3, 1}, {1, 2, 3})}),
              StatusIs(kInvalid, HasSubstr("dot: x and y must have the same dtype, "
                                           "got float32 and float64")));
  Tensor b = MakeTensor<bool>({1, 1}, {true});
  EXPECT_THAT(RunOn(backend(), "dot", {b, b}),
              StatusIs(kInvalid, HasSubstr("dot: x has dtype bool, which is not numeric")));
  EXPECT_THAT(RunOn(backend(), "dot", {m23, MakeTensor<float>({3, 1}, {1, 2, 3})},
                  {{"axes", int64_t{1}}}),
              StatusIs(kInvalid, HasSubstr("dot: unknown attribute(s) axes")));
  EXPECT_THAT(RunOn(backend(), "dot", {m23}),
              StatusIs(kInvalid, HasSubstr("dot: takes 2 input(s), got 1")));
}

// ---- batch_dot --------------------------------------------------------------

TEST_P(LinalgOpsTest, BatchDotKerasDocExample) {
  // x (32, 20, 1) . y (32, 30, 20), axes=(1, 2) -> (32, 1, 30).
  ExpectContraction("batch_dot", {32, 20, 1}, {32, 30, 20},
                    {{"axes", std::vector<int64_t>{1, 2}}}, 1, 2, {32, 1, 30});
}

TEST_P(LinalgOpsTest, BatchDotDefaultAxes) {
  ExpectContraction("batch_dot", {3, 2, 4}, {3, 4, 5}, {}, 2, 1, {3, 2, 5});
  // y of rank 2: default (rank(x)-1, rank(y)-1).
  ExpectContraction("batch_dot", {2, 3, 4}, {2, 4}, {}, 2, 1, {2, 3});
  ExpectContraction("batch_dot", {2, 4}, {2, 4, 3}, {}, 1, 1, {2, 3});
}

TEST_P(LinalgOpsTest, BatchDotIntAndNegativeAxes) {
  ExpectContraction("batch_dot", {2, 4, 3}, {2, 4, 5}, {{"axes", int64_t{1}}}, 1, 1,
                    {2, 3, 5});
  ExpectContraction("batch_dot", {2, 3, 4}, {2, 4, 5},
                    {{"axes", std::vector<int64_t>{-1, -2}}}, 2, 1, {2, 3, 5});
  ExpectContraction("batch_dot", {2, 3, 4}, {2, 5, 4},
                    {{"axes", std::vector<int64_t>{2, -1}}}, 2, 2, {2, 3, 5});
  ExpectContraction("batch_dot", {2, 4, 3}, {2, 5, 4},
                    {{"axes", std::vector<int64_t>{-2, 2}}}, 1, 2, {2, 3, 5});
}

TEST_P(LinalgOpsTest, BatchDotRank2GivesColumn) {
  Tensor x = MakeTensor<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor y = MakeTensor<float>({2, 3}, {1, 1, 1, 2, 0, -1});
  ASSERT_OK_AND_ASSIGN(Tensor out, RunOn(backend(), "batch_dot", {x, y}));
  EXPECT_EQ(out.shape(), Shape({2, 1}));
  EXPECT_THAT(Values<float>(out), ElementsAre(6, 2));
  ExpectContraction("batch_dot", {4, 3}, {4, 3}, {{"axes", int64_t{1}}}, 1, 1, {4, 1});
}

TEST_P(LinalgOpsTest, BatchDotRank4MiddleAxes) {
  ExpectContraction("batch_dot", {2, 3, 4, 5}, {2, 4, 6},
                    {{"axes", std::vector<int64_t>{2, 1}}}, 2, 1, {2, 3, 5, 6});
  ExpectContraction("batch_dot", {2, 3, 4, 5}, {2, 6, 4, 7},
                    {{"axes", std::vector<int64_t>{2, 2}}}, 2, 2, {2, 3, 5, 6, 7});
  ExpectContraction("batch_dot", {2, 3, 5, 4}, {2, 6, 4, 1},
                    {{"axes", std::vector<int64_t>{3, 2}}}, 3, 2, {2, 3, 5, 6, 1});
  ExpectContraction("batch_dot", {3, 4, 2}, {3, 2, 4, 5},
                    {{"axes", std::vector<int64_t>{1, 2}}}, 1, 2, {3, 2, 2, 5});
}

TEST_P(LinalgOpsTest, BatchDotIntegers) {
  Tensor x = MakeTensor<int64_t>({2, 1, 2}, {1, 2, 3, 4});
  Tensor y = MakeTensor<int64_t>({2, 2, 1}, {5, 6, 7, 8});
  ASSERT_OK_AND_ASSIGN(Tensor out, RunOn(backend(), "batch_dot", {x, y}));
  EXPECT_EQ(out.dtype(), DType::kInt64);
  EXPECT_EQ(out.shape(), Shape({2, 1, 1}));
  EXPECT_THAT(Values<int64_t>(out), ElementsAre(17, 53));
}

TEST_P(LinalgOpsTest, BatchDotErrors) {
  Tensor x = MakeTensor<float>({2, 3, 4}, std::vector<float>(24, 1));
  Tensor y = MakeTensor<float>({2, 4, 5}, std::vector<float>(40, 1));
  Tensor v = MakeTensor<float>({2}, {1, 2});
  auto with_axes = [&](AttrValue axes) { return AttrMap{{"axes", axes}}; };
  EXPECT_THAT(RunOn(backend(), "batch_dot", {v, y}),
              StatusIs(kInvalid, HasSubstr("batch_dot: inputs need rank >= 2, got x of "
                                           "shape (2,) and y of shape (2, 4, 5)")));
  EXPECT_THAT(RunOn(backend(), "batch_dot",
                  {MakeTensor<float>({3, 3, 4}, std::vector<float>(36, 1)), y}),
              StatusIs(kInvalid, HasSubstr("batch_dot: batch sizes differ: 3 vs 2")));
  EXPECT_THAT(RunOn(backend(), "batch_dot", {x, y}, with_axes(std::vector<int64_t>{2, 3})),
              StatusIs(kInvalid, HasSubstr("batch_dot: axes[1]=3 is out of range for "
                                           "y of rank 3")));
  EXPECT_THAT(RunOn(backend(), "batch_dot", {x, y}, with_axes(std::vector<int64_t>{-4, 1})),
              StatusIs(kInvalid, HasSubstr("batch_dot: axes[0]=-4 is out of range for "
                                           "x of rank 3")));
  EXPECT_THAT(RunOn(backend(), "batch_dot", {x, y}, with_axes(int64_t{0})),
              StatusIs(kInvalid, HasSubstr("batch_dot: axes[0]=0 is the batch axis of x; "
                                           "cannot contract over axis 0")));
  EXPECT_THAT(RunOn(backend(), "batch_dot", {x, y}, with_axes(std::vector<int64_t>{2, -3})),
              StatusIs(kInvalid, HasSubstr("batch_dot: axes[1]=-3 is the batch axis of y")));
  EXPECT_THAT(RunOn(backend(), "batch_dot", {x, y}, with_axes(std::vector<int64_t>{1, 1, 1})),
              StatusIs(kInvalid, HasSubstr("batch_dot: axes must be an int or a pair of "
                                           "ints, got [1, 1, 1]")));
  EXPECT_THAT(RunOn(backend(), "batch_dot", {x, y}, with_axes(std::vector<int64_t>{})),
              StatusIs(kInvalid, HasSubstr("got []")));
  EXPECT_THAT(RunOn(backend(), "batch_dot", {x, y}, with_axes(std::string("1"))),
              StatusIs(kInvalid, HasSubstr("batch_dot: axes must be an int or a list of "
                                           "ints")));
  EXPECT_THAT(RunOn(backend(), "batch_dot", {x, y}, with_axes(std::vector<int64_t>{1, 1})),
              StatusIs(kInvalid,
                       HasSubstr("batch_dot: cannot contract x of shape (2, 3, 4) and y "
                                 "of shape (2, 4, 5) over axes [1, 1]: x.shape[1]=3 != "
                                 "y.shape[1]=4")));
  EXPECT_THAT(RunOn(backend(), "batch_dot",
                  {x, MakeTensor<int32_t>({2, 4, 1}, std::vector<int32_t>(8, 1))}),
              StatusIs(kInvalid, HasSubstr("batch_dot: x and y must have the same dtype, "
                                           "got float32 and int32")));
  Tensor b = MakeTensor<bool>({1, 1}, {true});
  EXPECT_THAT(RunOn(backend(), "batch_dot", {b, b}),
              StatusIs(kInvalid, HasSubstr("batch_dot: x has dtype bool")));
  EXPECT_THAT(RunOn(backend(), "batch_dot", {x, y}, {{"axis", int64_t{1}}}),
              StatusIs(kInvalid, HasSubstr("batch_dot: unknown attribute(s) axis")));
}

// ---- transpose --------------------------------------------------------------

TEST_P(LinalgOpsTest, TransposeValues) {
  ASSERT_OK_AND_ASSIGN(
      Tensor t2, RunOn(backend(), "transpose",
                     {MakeTensor<float>({2, 3}, {1, 2, 3, 4, 5, 6})}));
  EXPECT_EQ(t2.shape(), Shape({3, 2}));
  EXPECT_THAT(Values<float>(t2), ElementsAre(1, 4, 2, 5, 3, 6));
  ASSERT_OK_AND_ASSIGN(
      Tensor t3, RunOn(backend(), "transpose",
                     {MakeTensor<int32_t>({2, 3, 2}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})}));
  EXPECT_EQ(t3.shape(), Shape({2, 3, 2}));
  // out[i, j, k] = in[k, j, i]
  EXPECT_THAT(Values<int32_t>(t3), ElementsAre(0, 6, 2, 8, 4, 10, 1, 7, 3, 9, 5, 11));
  ASSERT_OK_AND_ASSIGN(Tensor t0, RunOn(backend(), "transpose", {MakeTensor<double>({}, {7})}));
  EXPECT_EQ(t0.shape(), Shape({}));
  EXPECT_THAT(Values<double>(t0), ElementsAre(7));
  ASSERT_OK_AND_ASSIGN(Tensor t1,
                       RunOn(backend(), "transpose", {MakeTensor<int8_t>({3}, {1, 2, 3})}));
  EXPECT_THAT(Values<int8_t>(t1), ElementsAre(1, 2, 3));
  ASSERT_OK_AND_ASSIGN(
      Tensor tb, RunOn(backend(), "transpose",
                     {MakeTensor<bool>({1, 2, 1, 3}, {true, false, false, true, true, false})}));
  EXPECT_EQ(tb.shape(), Shape({3, 1, 2, 1}));
  EXPECT_THAT(Values<bool>(tb), ElementsAre(true, true, false, true, false, false));
  ASSERT_OK_AND_ASSIGN(
      Tensor empty, RunOn(backend(), "transpose", {MakeTensor<float>({0, 3}, {})}));
  EXPECT_EQ(empty.shape(), Shape({3, 0}));
}

TEST_P(LinalgOpsTest, TransposeKeepsFloat16) {
  Tensor x = MakeTensorAs(DType::kFloat16, {2, 2}, {1, 2, 3, 4.5});
  ASSERT_OK_AND_ASSIGN(Tensor out, RunOn(backend(), "transpose", {x}));
  EXPECT_EQ(out.dtype(), DType::kFloat16);
  EXPECT_THAT(ValuesAsDouble(out), ElementsAre(1, 3, 2, 4.5));
}

TEST_P(LinalgOpsTest, TransposeErrors) {
  Tensor x = MakeTensor<float>({1}, {1});
  EXPECT_THAT(RunOn(backend(), "transpose", {x}, {{"axes", int64_t{0}}}),
              StatusIs(kInvalid, HasSubstr("transpose: unknown attribute(s) axes")));
  EXPECT_THAT(RunOn(backend(), "transpose", {x, x}),
              StatusIs(kInvalid, HasSubstr("transpose: takes 1 input(s), got 2")));
}

INSTANTIATE_TEST_SUITE_P(Backends, LinalgOpsTest,
                         ::testing::Values("reference", "eigen"),
                         [](const auto& info) { return info.param; });

// ---- static inference -------------------------------------------------------

constexpr int64_t kNone = kUnknownDim;

TEST(LinalgInfer, UnknownDimsAreCarried) {
  const DType f = DType::kFloat32;
  ASSERT_OK_AND_ASSIGN(TensorSpec d, Infer("dot", {{f, {kNone, 3}}, {f, {3, kNone}}}));
  EXPECT_EQ(d.shape, Shape({kNone, kNone}));
  EXPECT_EQ(d.dtype, f);
  ASSERT_OK_AND_ASSIGN(TensorSpec dn,
                       Infer("dot", {{f, {kNone, kNone}}, {f, {4, 3, kNone}}}));
  EXPECT_EQ(dn.shape, Shape({kNone, 4, kNone}));
  ASSERT_OK_AND_ASSIGN(
      TensorSpec b, Infer("batch_dot", {{f, {kNone, 20, 1}}, {f, {kNone, 30, 20}}},
                          {{"axes", std::vector<int64_t>{1, 2}}}));
  EXPECT_EQ(b.shape, Shape({kNone, 1, 30}));
  ASSERT_OK_AND_ASSIGN(TensorSpec bb,
                       Infer("batch_dot", {{f, {kNone, kNone}}, {f, {32, 7}}}));
  EXPECT_EQ(bb.shape, Shape({32, 1}));
  ASSERT_OK_AND_ASSIGN(TensorSpec bx,
                       Infer("batch_dot", {{f, {8, 3, kNone}}, {f, {kNone, 5, kNone}}}));
  EXPECT_EQ(bx.shape, Shape({8, 3, kNone}));
  ASSERT_OK_AND_ASSIGN(TensorSpec t, Infer("transpose", {{f, {kNone, 3, 4}}}));
  EXPECT_EQ(t.shape, Shape({4, 3, kNone}));
}

TEST(LinalgInfer, KnownMismatchesStillFailWithUnknownDims) {
  const DType f = DType::kFloat32;
  EXPECT_THAT(Infer("dot", {{f, {kNone, 3}}, {f, {4, kNone}}}),
              StatusIs(kInvalid, HasSubstr("x of shape (None, 3) and y of shape (4, None)")));
  EXPECT_THAT(Infer("batch_dot", {{f, {2, kNone, 3}}, {f, {4, 3, kNone}}}),
              StatusIs(kInvalid, HasSubstr("batch sizes differ: 2 vs 4")));
  EXPECT_THAT(Infer("batch_dot", {{f, {kNone, 5, 3}}, {f, {kNone, 4, kNone}}}),
              StatusIs(kInvalid, HasSubstr("x.shape[2]=3 != y.shape[1]=4")));
}

TEST(LinalgInfer, BatchDotCanonicalAxes) {
  ASSERT_OK_AND_ASSIGN(const OpDef* def, OpRegistry::Global().Find("batch_dot"));
  const std::vector<TensorSpec> specs = {{DType::kFloat64, {4, 3, 5}},
                                         {DType::kFloat64, {4, 6, 5}}};
  ASSERT_OK_AND_ASSIGN(InferResult r, InferOp(*def, specs,
                                              {{"axes", std::vector<int64_t>{-1, -1}}}, {}));
  EXPECT_EQ(r.output.shape, Shape({4, 3, 6}));
  EXPECT_EQ(std::get<std::vector<int64_t>>(r.attrs.at("axes")),
            (std::vector<int64_t>{2, 2}));
  ASSERT_OK_AND_ASSIGN(InferResult d, InferOp(*def, {{DType::kFloat64, {4, 5}},
                                                     {DType::kFloat64, {4, 5}}},
                                              {}, {}));
  EXPECT_EQ(std::get<std::vector<int64_t>>(d.attrs.at("axes")),
            (std::vector<int64_t>{1, 1}));
  ASSERT_OK_AND_ASSIGN(const OpDef* dot, OpRegistry::Global().Find("dot"));
  ASSERT_OK_AND_ASSIGN(InferResult dr, InferOp(*dot, {{DType::kInt8, {2, 3}},
                                                      {DType::kInt8, {3, 1}}},
                                               {}, {}));
  EXPECT_TRUE(dr.attrs.empty());
}

// ---- eigen against reference -------------------------------------------------

struct ProductCase {
  std::string op;
  std::vector<int64_t> x, y;
  AttrMap attrs;
};

// Shapes chosen to take every GemmBatch layout (transposed or not on each
// side, per-p / per-r products) and every route of RunGemm.
std::vector<ProductCase> ProductCases() {
  using V = std::vector<int64_t>;
  return {
      {"dot", {3, 5}, {5, 4}, {}},                        // inline
      {"dot", {70, 90}, {90, 60}, {}},                    // one product: BLAS
      {"dot", {2, 3, 40}, {5, 40, 33}, {}},               // shared A, per-r
      {"dot", {64, 48}, {3, 48, 1}, {}},                  // y folded, trans_b
      {"batch_dot", {24, 30, 20}, {24, 20, 28}, {}},      // batch parallel
      {"batch_dot", {24, 20, 30}, {24, 28, 20}, {{"axes", V{1, 2}}}},
      {"batch_dot", {9, 40, 3, 20}, {9, 5, 40, 7}, {{"axes", V{1, 2}}}},
      {"batch_dot", {5, 6, 30, 7}, {5, 4, 30, 8}, {{"axes", V{2, 2}}}},
      {"batch_dot", {33, 50}, {33, 50}, {}},
      {"batch_dot", {2, 330, 325}, {2, 325, 322}, {}},    // large batch: BLAS
  };
}

template <typename T>
void ExpectEigenMatchesReference(DType dtype, double tol) {
  auto eigen = CreateEigenBackend();
  auto reference = CreateReferenceBackend();
  uint32_t seed = 1;
  for (const ProductCase& c : ProductCases()) {
    Tensor x = MakeTensorAs(dtype, Shape(c.x), RandomValues(NumElements(c.x), seed++));
    Tensor y = MakeTensorAs(dtype, Shape(c.y), RandomValues(NumElements(c.y), seed++));
    ASSERT_OK_AND_ASSIGN(Tensor want, RunOn(*reference, c.op, {x, y}, c.attrs));
    ASSERT_OK_AND_ASSIGN(Tensor got, RunOn(*eigen, c.op, {x, y}, c.attrs));
    EXPECT_EQ(got.shape(), want.shape());
    EXPECT_EQ(got.dtype(), dtype);
    EXPECT_THAT(Values<T>(got), Pointwise(DoubleNear(tol), Values<T>(want)))
        << c.op << " " << Shape(c.x).ToString() << " " << Shape(c.y).ToString();
  }
}

TEST(LinalgEigenVsReference, Float32) { ExpectEigenMatchesReference<float>(DType::kFloat32, 2e-3); }
TEST(LinalgEigenVsReference, Float64) { ExpectEigenMatchesReference<double>(DType::kFloat64, 1e-10); }

TEST(LinalgEigenVsReference, Transpose) {
  auto eigen = CreateEigenBackend();
  auto reference = CreateReferenceBackend();
  const std::vector<std::vector<int64_t>> shapes = {
      {300, 257}, {3, 70, 1, 45, 2}, {2, 3, 4, 5, 6}, {1, 500, 1, 130}, {129, 1, 1}};
  uint32_t seed = 100;
  for (const auto& dims : shapes) {
    for (DType dtype : {DType::kFloat32, DType::kFloat64, DType::kInt8, DType::kFloat16}) {
      Tensor x = MakeTensorAs(dtype, Shape(dims), RandomValues(NumElements(dims), seed++));
      ASSERT_OK_AND_ASSIGN(Tensor want, RunOn(*reference, "transpose", {x}));
      ASSERT_OK_AND_ASSIGN(Tensor got, RunOn(*eigen, "transpose", {x}));
      EXPECT_EQ(got.shape(), want.shape());
      EXPECT_EQ(std::memcmp(got.raw_data(), want.raw_data(), want.byte_size()), 0)
          << Shape(dims).ToString() << " " << DTypeName(dtype);
    }
  }
}

TEST(LinalgEigenGemm, RoutesBySize) {
  GemmBatch<float> tiny;
  tiny.m = tiny.n = tiny.k = 8;
  EXPECT_EQ(RouteGemm(tiny), GemmPath::kEigenInline);
  GemmBatch<float> batch = tiny;
  batch.m = batch.n = batch.k = 64;
  batch.batch[0] = 32;
  EXPECT_EQ(RouteGemm(batch), GemmPath::kEigenBatchParallel);
  GemmBatch<double> big;
  big.m = big.n = big.k = 1024;
  EXPECT_EQ(RouteGemm(big), GemmPath::kBlas);
  GemmBatch<double> medium;
  medium.m = medium.n = medium.k = 256;
  EXPECT_EQ(RouteGemm(medium), IntraOpPool::Global().num_threads() > 1
                                   ? GemmPath::kEigenSplit
                                   : GemmPath::kEigenBatchParallel);
}

// Products big enough for OpenBLAS are too slow for the naive oracle, so
// sampled entries are checked instead; the cases cover every transpose flag.
TEST(LinalgEigenGemm, BlasRouteMatchesSampledNaiveEntries) {
  auto eigen = CreateEigenBackend();
  struct BigCase {
    std::string op;
    std::vector<int64_t> x, y;
    AttrMap attrs;
    int ax, ay;
    DType dtype;
  };
  using V = std::vector<int64_t>;
  const std::vector<BigCase> cases = {
      {"dot", {770, 800}, {800, 780}, {}, 1, 0, DType::kFloat32},
      {"batch_dot", {1, 800, 770}, {1, 780, 800}, {{"axes", V{1, 2}}}, 1, 2,
       DType::kFloat64},
      {"batch_dot", {1, 770, 800}, {1, 780, 800}, {{"axes", V{2, 2}}}, 2, 2,
       DType::kFloat32},
      {"batch_dot", {1, 800, 770}, {1, 800, 780}, {{"axes", V{1, 1}}}, 1, 1,
       DType::kFloat64},
  };
  uint32_t seed = 7;
  for (const BigCase& c : cases) {
    const std::vector<double> xv = RandomValues(NumElements(c.x), seed++);
    const std::vector<double> yv = RandomValues(NumElements(c.y), seed++);
    ASSERT_OK_AND_ASSIGN(Tensor out,
                         RunOn(*eigen, c.op,
                               {MakeTensorAs(c.dtype, Shape(c.x), xv),
                                MakeTensorAs(c.dtype, Shape(c.y), yv)},
                               c.attrs));
    const std::vector<double> got = ValuesAsDouble(out);
    const bool batched = c.op == "batch_dot";
    const int first = batched ? 1 : 0;
    const int64_t m = c.x[first + (c.ax == first ? 1 : 0)];
    const int64_t n = c.y[first + (c.ay == first ? 1 : 0)];
    const int64_t k = c.x[c.ax];
    ASSERT_EQ(static_cast<int64_t>(got.size()), m * n);
    std::mt19937 gen(seed);
    for (int sample = 0; sample < 200; ++sample) {
      const int64_t i = gen() % m, j = gen() % n;
      double want = 0;
      for (int64_t kk = 0; kk < k; ++kk) {
        // x viewed as (m, k) or (k, m), y as (k, n) or (n, k).
        const double a = c.ax == first ? xv[kk * m + i] : xv[i * k + kk];
        const double b = c.ay == first ? yv[kk * n + j] : yv[j * k + kk];
        want += a * b;
      }
      ASSERT_NEAR(got[i * n + j], want, 1e-3) << c.op << " (" << i << ", " << j << ")";
    }
  }
}

TEST(IntraOpPool, CoversEveryIndexOnceFromConcurrentCallers) {
  IntraOpPool& pool = IntraOpPool::Global();
  EXPECT_GE(pool.num_threads(), 1);
  std::vector<std::thread> callers;
  std::vector<std::vector<std::atomic<int>>> hits(4);
  for (auto& h : hits) h = std::vector<std::atomic<int>>(1000);
  for (int t = 0; t < 4; ++t) {
    callers.emplace_back([&, t] {
      for (int round = 0; round < 20; ++round) {
        pool.ParallelFor(1000, 7, [&](int64_t begin, int64_t end) {
          EXPECT_LE(end - begin, 7);
          for (int64_t i = begin; i < end; ++i) hits[t][i]++;
        });
      }
    });
  }
  for (auto& c : callers) c.join();
  for (const auto& h : hits) {
    for (const auto& count : h) EXPECT_EQ(count.load(), 20);
  }
}

TEST(IntraOpPool, NestedCallsRunInlineAndEmptyRangesDoNothing) {
  IntraOpPool& pool = IntraOpPool::Global();
  std::atomic<int64_t> total{0};
  pool.ParallelFor(8, 1, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      pool.ParallelFor(100, 10, [&](int64_t b, int64_t e) { total += e - b; });
    }
  });
  EXPECT_EQ(total.load(), 800);
  pool.ParallelFor(0, 1, [&](int64_t, int64_t) { ADD_FAILURE(); });
}

}  // namespace
}  // namespace remotek
