// conv2d, pool2d and bias_add on both built-in backends: hand-computed values,
// a naive convolution / pooling written here from TensorFlow's padding rule
// (independent of both kernels), data-format symmetry, static inference with
// unknown dims, and every validation error with its code and message.
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "backend/core/op_registry.h"
#include "backend/eigen/eigen_backend.h"
#include "backend/reference/reference_kernels.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"
#include "tests/support/tensor_testing.h"

namespace remotek {
namespace {

using ::remotek::testing::Infer;
using ::remotek::testing::MakeTensor;
using ::remotek::testing::MakeTensorAs;
using ::remotek::testing::StatusIs;
using ::remotek::testing::Values;
using ::remotek::testing::ValuesAsDouble;
using ::testing::DoubleNear;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pointwise;

constexpr auto kInvalid = absl::StatusCode::kInvalidArgument;
constexpr int64_t kU = kUnknownDim;

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

// NHWC <-> NCHW of a rank-4 value list.
std::vector<double> ToChannelsFirst(const std::vector<double>& v, int64_t n, int64_t h,
                                    int64_t w, int64_t c) {
  std::vector<double> out(v.size());
  for (int64_t a = 0; a < n; ++a)
    for (int64_t y = 0; y < h; ++y)
      for (int64_t x = 0; x < w; ++x)
        for (int64_t k = 0; k < c; ++k)
          out[((a * c + k) * h + y) * w + x] = v[((a * h + y) * w + x) * c + k];
  return out;
}

// TensorFlow's rule, written out independently of conv_geometry.cc.
struct Axis {
  int64_t out, pad;
};
Axis TfAxis(int64_t in, int64_t k, int64_t s, int64_t d, bool same) {
  const int64_t eff = (k - 1) * d + 1;
  if (!same) return {(in - eff + s) / s, 0};
  const int64_t out = (in + s - 1) / s;
  const int64_t total = std::max<int64_t>((out - 1) * s + eff - in, 0);
  return {out, total / 2};
}

struct ConvCase {
  int64_t n, h, w, c, kh, kw, o, sh, sw, dh, dw;
  bool same;
};

// Naive NHWC conv2d in double.
std::vector<double> NaiveConv(const ConvCase& p, const std::vector<double>& x,
                              const std::vector<double>& k, int64_t* oh_out,
                              int64_t* ow_out) {
  const Axis ah = TfAxis(p.h, p.kh, p.sh, p.dh, p.same);
  const Axis aw = TfAxis(p.w, p.kw, p.sw, p.dw, p.same);
  *oh_out = ah.out;
  *ow_out = aw.out;
  std::vector<double> out(p.n * ah.out * aw.out * p.o, 0.0);
  for (int64_t b = 0; b < p.n; ++b)
    for (int64_t y = 0; y < ah.out; ++y)
      for (int64_t z = 0; z < aw.out; ++z)
        for (int64_t f = 0; f < p.o; ++f) {
          double acc = 0;
          for (int64_t i = 0; i < p.kh; ++i)
            for (int64_t j = 0; j < p.kw; ++j)
              for (int64_t c = 0; c < p.c; ++c) {
                const int64_t yy = y * p.sh + i * p.dh - ah.pad;
                const int64_t zz = z * p.sw + j * p.dw - aw.pad;
                if (yy < 0 || yy >= p.h || zz < 0 || zz >= p.w) continue;
                acc += x[((b * p.h + yy) * p.w + zz) * p.c + c] *
                       k[((i * p.kw + j) * p.c + c) * p.o + f];
              }
          out[((b * ah.out + y) * aw.out + z) * p.o + f] = acc;
        }
  return out;
}

// Naive NHWC pooling in double: padded cells excluded.
std::vector<double> NaivePool(const ConvCase& p, bool max, const std::vector<double>& x) {
  const Axis ah = TfAxis(p.h, p.kh, p.sh, 1, p.same);
  const Axis aw = TfAxis(p.w, p.kw, p.sw, 1, p.same);
  std::vector<double> out;
  for (int64_t b = 0; b < p.n; ++b)
    for (int64_t y = 0; y < ah.out; ++y)
      for (int64_t z = 0; z < aw.out; ++z)
        for (int64_t c = 0; c < p.c; ++c) {
          double best = -INFINITY, sum = 0;
          int count = 0;
          for (int64_t i = 0; i < p.kh; ++i)
            for (int64_t j = 0; j < p.kw; ++j) {
              const int64_t yy = y * p.sh + i - ah.pad, zz = z * p.sw + j - aw.pad;
              if (yy < 0 || yy >= p.h || zz < 0 || zz >= p.w) continue;
              const double v = x[((b * p.h + yy) * p.w + zz) * p.c + c];
              best = std::max(best, v);
              sum += v;
              ++count;
            }
          out.push_back(max ? best : sum / count);
        }
  return out;
}

AttrMap ConvAttrs(const ConvCase& p, const char* format) {
  return {{"strides", std::vector<int64_t>{p.sh, p.sw}},
          {"dilation_rate", std::vector<int64_t>{p.dh, p.dw}},
          {"padding", std::string(p.same ? "same" : "valid")},
          {"data_format", std::string(format)}};
}

std::string Describe(const ConvCase& p) {
  return absl::StrCat("x (", p.n, ",", p.h, ",", p.w, ",", p.c, ") kernel (", p.kh, ",",
                      p.kw, ",", p.c, ",", p.o, ") strides (", p.sh, ",", p.sw,
                      ") dilation (", p.dh, ",", p.dw, ") ", p.same ? "same" : "valid");
}

class ConvOpsTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    backend_ = GetParam() == "eigen" ? CreateEigenBackend() : CreateReferenceBackend();
  }

  absl::StatusOr<Tensor> RunOp(const std::string& op, std::vector<Tensor> inputs,
                               const AttrMap& attrs = {}, const OpConfig& config = {}) {
    return ::remotek::testing::Run(*backend_, op, std::move(inputs), attrs, config);
  }

 public:
  absl::StatusOr<Tensor> RunOpForTest(const std::string& op, std::vector<Tensor> inputs,
                                      const AttrMap& attrs) {
    return RunOp(op, std::move(inputs), attrs);
  }

 protected:

  // conv2d of case `p` in both data formats and float32/float64 against
  // NaiveConv.
  void ExpectConvMatchesNaive(const ConvCase& p) {
    const std::vector<double> x = RandomValues(p.n * p.h * p.w * p.c, 7);
    const std::vector<double> k = RandomValues(p.kh * p.kw * p.c * p.o, 8);
    int64_t oh, ow;
    const std::vector<double> want = NaiveConv(p, x, k, &oh, &ow);
    for (DType dtype : {DType::kFloat32, DType::kFloat64}) {
      const double tol = dtype == DType::kFloat32 ? 1e-4 : 1e-12;
      const Tensor kernel = MakeTensorAs(dtype, {p.kh, p.kw, p.c, p.o}, k);
      ASSERT_OK_AND_ASSIGN(
          Tensor last, RunOp("conv2d", {MakeTensorAs(dtype, {p.n, p.h, p.w, p.c}, x), kernel},
                             ConvAttrs(p, "channels_last")));
      EXPECT_EQ(last.shape(), Shape({p.n, oh, ow, p.o})) << Describe(p);
      EXPECT_THAT(ValuesAsDouble(last), Pointwise(DoubleNear(tol), want)) << Describe(p);
      ASSERT_OK_AND_ASSIGN(
          Tensor first,
          RunOp("conv2d",
                {MakeTensorAs(dtype, {p.n, p.c, p.h, p.w}, ToChannelsFirst(x, p.n, p.h, p.w, p.c)),
                 kernel},
                ConvAttrs(p, "channels_first")));
      EXPECT_EQ(first.shape(), Shape({p.n, p.o, oh, ow})) << Describe(p);
      EXPECT_THAT(ValuesAsDouble(first),
                  Pointwise(DoubleNear(tol), ToChannelsFirst(want, p.n, oh, ow, p.o)))
          << Describe(p) << " channels_first";
    }
  }

  void ExpectPoolMatchesNaive(const ConvCase& p, bool max) {
    const std::vector<double> x = RandomValues(p.n * p.h * p.w * p.c, 9);
    const std::vector<double> want = NaivePool(p, max, x);
    const Axis ah = TfAxis(p.h, p.kh, p.sh, 1, p.same);
    const Axis aw = TfAxis(p.w, p.kw, p.sw, 1, p.same);
    AttrMap attrs = {{"pool_size", std::vector<int64_t>{p.kh, p.kw}},
                     {"strides", std::vector<int64_t>{p.sh, p.sw}},
                     {"padding", std::string(p.same ? "same" : "valid")},
                     {"pool_mode", std::string(max ? "max" : "avg")}};
    ASSERT_OK_AND_ASSIGN(Tensor last,
                         RunOp("pool2d", {MakeTensor<double>({p.n, p.h, p.w, p.c}, x)}, attrs));
    EXPECT_EQ(last.shape(), Shape({p.n, ah.out, aw.out, p.c})) << Describe(p);
    EXPECT_THAT(Values<double>(last), Pointwise(DoubleNear(1e-12), want)) << Describe(p);
    attrs["data_format"] = std::string("channels_first");
    ASSERT_OK_AND_ASSIGN(
        Tensor first,
        RunOp("pool2d",
              {MakeTensor<double>({p.n, p.c, p.h, p.w}, ToChannelsFirst(x, p.n, p.h, p.w, p.c))},
              attrs));
    EXPECT_THAT(Values<double>(first),
                Pointwise(DoubleNear(1e-12), ToChannelsFirst(want, p.n, ah.out, aw.out, p.c)))
        << Describe(p) << " channels_first";
  }

 private:
  std::unique_ptr<Backend> backend_;
};

INSTANTIATE_TEST_SUITE_P(Backends, ConvOpsTest, ::testing::Values("reference", "eigen"),
                         [](const auto& info) { return info.param; });

std::vector<double> Iota(int64_t n, double start = 1) {
  std::vector<double> v(n);
  for (int64_t i = 0; i < n; ++i) v[i] = start + static_cast<double>(i);
  return v;
}

// ---- conv2d ----------------------------------------------------------------

TEST(ConvOpsInfer, IssueExampleShapes) {
  // batch 32, 32x32x16 -> 32 filters 3x3.
  ASSERT_OK_AND_ASSIGN(TensorSpec same, Infer("conv2d", {{DType::kFloat32, {32, 32, 32, 16}},
                                                         {DType::kFloat32, {3, 3, 16, 32}}},
                                               {{"padding", std::string("same")}}));
  EXPECT_EQ(same.shape, Shape({32, 32, 32, 32}));
  EXPECT_EQ(same.dtype, DType::kFloat32);
  ASSERT_OK_AND_ASSIGN(TensorSpec valid, Infer("conv2d", {{DType::kFloat32, {32, 32, 32, 16}},
                                                          {DType::kFloat32, {3, 3, 16, 32}}}));
  EXPECT_EQ(valid.shape, Shape({32, 30, 30, 32}));
  ASSERT_OK_AND_ASSIGN(
      TensorSpec first,
      Infer("conv2d", {{DType::kFloat32, {32, 16, 32, 32}}, {DType::kFloat32, {3, 3, 16, 32}}},
            {{"padding", std::string("same")}, {"data_format", std::string("channels_first")}}));
  EXPECT_EQ(first.shape, Shape({32, 32, 32, 32}));
  ASSERT_OK_AND_ASSIGN(
      TensorSpec strided,
      Infer("conv2d", {{DType::kFloat16, {32, 32, 32, 16}}, {DType::kFloat16, {3, 3, 16, 32}}},
            {{"padding", std::string("same")}, {"strides", std::vector<int64_t>{2, 2}}}));
  EXPECT_EQ(strided.shape, Shape({32, 16, 16, 32}));
  EXPECT_EQ(strided.dtype, DType::kFloat16);
}

TEST(ConvOpsInfer, UnknownDimsPropagate) {
  const AttrMap same = {{"padding", std::string("same")}};
  const AttrMap valid = {};
  auto conv = [](Shape x, Shape k, const AttrMap& attrs) {
    return Infer("conv2d", {{DType::kFloat32, x}, {DType::kFloat32, k}}, attrs).value().shape;
  };
  EXPECT_EQ(conv({kU, kU, kU, 16}, {3, 3, 16, 32}, same), Shape({kU, kU, kU, 32}));
  EXPECT_EQ(conv({kU, 32, 32, 16}, {3, 3, 16, 32}, valid), Shape({kU, 30, 30, 32}));
  EXPECT_EQ(conv({kU, 32, 32, 16}, {kU, 3, 16, 32}, valid), Shape({kU, kU, 30, 32}));
  EXPECT_EQ(conv({kU, 32, 31, 16}, {kU, kU, 16, kU}, same), Shape({kU, 32, 31, kU}));
  EXPECT_EQ(conv({2, 8, 8, kU}, {3, 3, 4, 5}, valid), Shape({2, 6, 6, 5}));
  EXPECT_EQ(conv({2, 8, kU, 9}, {3, 3, kU, 5},
                 {{"strides", int64_t{2}}, {"padding", std::string("same")},
                  {"data_format", std::string("channels_first")}}),
            Shape({2, 5, kU, 5}));
  EXPECT_EQ(Infer("pool2d", {{DType::kFloat32, {kU, 7, kU, 3}}},
                  {{"pool_size", int64_t{2}}, {"strides", int64_t{2}}})
                .value()
                .shape,
            Shape({kU, 3, kU, 3}));
  EXPECT_EQ(Infer("bias_add", {{DType::kFloat32, {kU, 4, kU}}, {DType::kFloat32, {kU}}})
                .value()
                .shape,
            Shape({kU, 4, kU}));
  // A (L=4, C=1) bias is reshaped to (C=1, L=4): the 1 broadcasts, the 4 fills in.
  EXPECT_EQ(Infer("bias_add", {{DType::kFloat32, {kU, kU, kU}}, {DType::kFloat32, {4, 1}}},
                  {{"data_format", std::string("channels_first")}})
                .value()
                .shape,
            Shape({kU, kU, 4}));
}

TEST_P(ConvOpsTest, HandComputedValidAndSame) {
  const Tensor x = MakeTensor<float>({1, 3, 3, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  const Tensor k = MakeTensor<float>({2, 2, 1, 1}, {1, 2, 3, 4});
  ASSERT_OK_AND_ASSIGN(Tensor valid, RunOp("conv2d", {x, k}));
  EXPECT_EQ(valid.shape(), Shape({1, 2, 2, 1}));
  EXPECT_THAT(Values<float>(valid), ElementsAre(37, 47, 67, 77));
  // 'same' with an even kernel: the single padded row/col goes after.
  ASSERT_OK_AND_ASSIGN(Tensor same, RunOp("conv2d", {x, k}, {{"padding", std::string("same")}}));
  EXPECT_EQ(same.shape(), Shape({1, 3, 3, 1}));
  EXPECT_THAT(Values<float>(same), ElementsAre(37, 47, 21, 67, 77, 33, 23, 26, 9));
}

TEST_P(ConvOpsTest, HandComputedChannelsAndFilters) {
  const Tensor x = MakeTensor<double>({1, 1, 2, 2}, {1, 2, -1, 3});
  const Tensor k = MakeTensor<double>({1, 1, 2, 3}, {1, 2, 3, 4, 5, 6});
  ASSERT_OK_AND_ASSIGN(Tensor out, RunOp("conv2d", {x, k}));
  EXPECT_EQ(out.shape(), Shape({1, 1, 2, 3}));
  EXPECT_THAT(Values<double>(out), ElementsAre(9, 12, 15, 11, 13, 15));
}

TEST_P(ConvOpsTest, HandComputedStridesAndDilation) {
  const Tensor x = MakeTensor<float>({1, 4, 4, 1}, std::vector<float>(
      {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}));
  const Tensor one = MakeTensor<float>({1, 1, 1, 1}, {1});
  ASSERT_OK_AND_ASSIGN(Tensor s2, RunOp("conv2d", {x, one}, {{"strides", std::vector<int64_t>{2, 2}}}));
  EXPECT_THAT(Values<float>(s2), ElementsAre(1, 3, 9, 11));
  ASSERT_OK_AND_ASSIGN(Tensor s21, RunOp("conv2d", {x, one}, {{"strides", std::vector<int64_t>{2, 1}}}));
  EXPECT_EQ(s21.shape(), Shape({1, 2, 4, 1}));
  EXPECT_THAT(Values<float>(s21), ElementsAre(1, 2, 3, 4, 9, 10, 11, 12));
  // 2x2 ones dilated by 2 over 0..24 (5x5): x[i][j] + x[i][j+2] + x[i+2][j] + x[i+2][j+2].
  std::vector<double> v(25);
  for (int i = 0; i < 25; ++i) v[i] = i;
  ASSERT_OK_AND_ASSIGN(
      Tensor dil, RunOp("conv2d", {MakeTensorAs(DType::kFloat32, {1, 5, 5, 1}, v),
                                   MakeTensor<float>({2, 2, 1, 1}, {1, 1, 1, 1})},
                        {{"dilation_rate", std::vector<int64_t>{2, 2}}}));
  EXPECT_EQ(dil.shape(), Shape({1, 3, 3, 1}));
  EXPECT_THAT(Values<float>(dil), ElementsAre(24, 28, 32, 44, 48, 52, 64, 68, 72));
}

TEST_P(ConvOpsTest, MatchesNaiveConvolution) {
  const std::vector<ConvCase> cases = {
      {1, 5, 5, 1, 3, 3, 1, 1, 1, 1, 1, false},  {2, 5, 6, 3, 3, 3, 4, 1, 1, 1, 1, true},
      {2, 7, 6, 3, 3, 2, 5, 2, 2, 1, 1, true},   {2, 7, 6, 3, 3, 2, 5, 2, 3, 1, 1, false},
      {1, 8, 8, 2, 4, 4, 3, 1, 1, 1, 1, true},   {1, 5, 5, 2, 3, 3, 2, 2, 2, 1, 1, true},
      {2, 9, 8, 2, 3, 3, 3, 1, 1, 2, 2, true},   {2, 9, 8, 2, 3, 2, 3, 1, 1, 3, 2, false},
      {1, 4, 4, 3, 1, 1, 5, 1, 1, 1, 1, false},  {3, 4, 5, 3, 1, 1, 2, 2, 2, 1, 1, true},
      {2, 6, 6, 4, 5, 5, 3, 3, 3, 1, 1, true},   {1, 3, 3, 2, 5, 5, 2, 1, 1, 1, 1, true},
      {3, 17, 19, 5, 3, 3, 7, 1, 1, 1, 1, true}, {2, 11, 13, 6, 2, 3, 9, 1, 2, 1, 1, false},
      {4, 10, 10, 3, 7, 1, 2, 1, 1, 1, 1, true}, {1, 2, 9, 1, 1, 4, 1, 1, 1, 1, 3, true}};
  for (const ConvCase& p : cases) ExpectConvMatchesNaive(p);
}

TEST_P(ConvOpsTest, DefaultDataFormatIsTheSessions) {
  OpConfig first;
  first.image_data_format = ImageDataFormat::kChannelsFirst;
  const std::vector<double> x = RandomValues(2 * 3 * 4 * 5, 3);
  const std::vector<double> k = RandomValues(2 * 2 * 3 * 4, 4);
  ASSERT_OK_AND_ASSIGN(Tensor by_config,
                       RunOp("conv2d", {MakeTensor<double>({2, 3, 4, 5}, x),
                                        MakeTensor<double>({2, 2, 3, 4}, k)},
                             {}, first));
  EXPECT_EQ(by_config.shape(), Shape({2, 4, 3, 4}));
  ASSERT_OK_AND_ASSIGN(Tensor explicit_first,
                       RunOp("conv2d", {MakeTensor<double>({2, 3, 4, 5}, x),
                                        MakeTensor<double>({2, 2, 3, 4}, k)},
                             {{"data_format", std::string("Channels_First")}}));
  EXPECT_EQ(Values<double>(by_config), Values<double>(explicit_first));
  // An explicit data_format wins over the session's.
  ASSERT_OK_AND_ASSIGN(Tensor last, RunOp("pool2d", {MakeTensor<double>({2, 3, 4, 5}, x)},
                                          {{"pool_size", int64_t{2}},
                                           {"data_format", std::string("channels_last")}},
                                          first));
  EXPECT_EQ(last.shape(), Shape({2, 2, 3, 5}));
}

TEST_P(ConvOpsTest, Float16IsWidened) {
  const Tensor x = MakeTensorAs(DType::kFloat16, {1, 3, 3, 1}, Iota(9));
  const Tensor k = MakeTensorAs(DType::kFloat16, {2, 2, 1, 1}, {1, 2, 3, 4});
  ASSERT_OK_AND_ASSIGN(Tensor out, RunOp("conv2d", {x, k}, {{"padding", std::string("same")}}));
  EXPECT_EQ(out.dtype(), DType::kFloat16);
  EXPECT_THAT(ValuesAsDouble(out), ElementsAre(37, 47, 21, 67, 77, 33, 23, 26, 9));
  ASSERT_OK_AND_ASSIGN(Tensor pooled, RunOp("pool2d", {x}, {{"pool_size", int64_t{3}}}));
  EXPECT_EQ(pooled.dtype(), DType::kFloat16);
  EXPECT_THAT(ValuesAsDouble(pooled), ElementsAre(9));
  ASSERT_OK_AND_ASSIGN(Tensor biased,
                       RunOp("bias_add", {x, MakeTensorAs(DType::kFloat16, {1}, {0.5})}));
  EXPECT_EQ(biased.dtype(), DType::kFloat16);
  EXPECT_THAT(ValuesAsDouble(biased), ElementsAre(1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5));
}

TEST_P(ConvOpsTest, EmptyDims) {
  ASSERT_OK_AND_ASSIGN(Tensor no_batch,
                       RunOp("conv2d", {MakeTensor<float>({0, 4, 4, 2}, {}),
                                        MakeTensorAs(DType::kFloat32, {3, 3, 2, 3}, RandomValues(54, 1))},
                             {{"padding", std::string("same")}}));
  EXPECT_EQ(no_batch.shape(), Shape({0, 4, 4, 3}));
  ASSERT_OK_AND_ASSIGN(Tensor no_filters,
                       RunOp("conv2d", {MakeTensor<float>({1, 4, 4, 2}, std::vector<float>(32, 1)),
                                        MakeTensor<float>({3, 3, 2, 0}, {})}));
  EXPECT_EQ(no_filters.shape(), Shape({1, 2, 2, 0}));
  ASSERT_OK_AND_ASSIGN(Tensor no_channels,
                       RunOp("conv2d", {MakeTensor<float>({1, 4, 4, 0}, {}),
                                        MakeTensor<float>({3, 3, 0, 2}, {})}));
  EXPECT_EQ(no_channels.shape(), Shape({1, 2, 2, 2}));
  EXPECT_THAT(Values<float>(no_channels), ::testing::Each(0.0f));
  ASSERT_OK_AND_ASSIGN(Tensor empty_rows,
                       RunOp("conv2d", {MakeTensor<float>({1, 0, 4, 1}, {}),
                                        MakeTensor<float>({3, 3, 1, 2}, std::vector<float>(18, 1))},
                             {{"padding", std::string("same")}}));
  EXPECT_EQ(empty_rows.shape(), Shape({1, 0, 4, 2}));
  ASSERT_OK_AND_ASSIGN(Tensor pool, RunOp("pool2d", {MakeTensor<float>({2, 3, 3, 0}, {})},
                                          {{"pool_size", int64_t{2}}, {"padding", std::string("same")}}));
  EXPECT_EQ(pool.shape(), Shape({2, 3, 3, 0}));
}

// ---- pool2d ----------------------------------------------------------------

TEST_P(ConvOpsTest, PoolHandComputed) {
  const Tensor x = MakeTensor<float>({1, 3, 3, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  const AttrMap same = {{"pool_size", int64_t{2}}, {"padding", std::string("same")}};
  // Keras's backend default stride is (1, 1).
  ASSERT_OK_AND_ASSIGN(Tensor max_valid, RunOp("pool2d", {x}, {{"pool_size", int64_t{2}}}));
  EXPECT_EQ(max_valid.shape(), Shape({1, 2, 2, 1}));
  EXPECT_THAT(Values<float>(max_valid), ElementsAre(5, 6, 8, 9));
  ASSERT_OK_AND_ASSIGN(Tensor max_same, RunOp("pool2d", {x}, same));
  EXPECT_THAT(Values<float>(max_same), ElementsAre(5, 6, 6, 8, 9, 9, 8, 9, 9));
  AttrMap avg_same = same;
  avg_same["pool_mode"] = std::string("avg");
  // Averages over the cells inside x only: (3+6)/2, 9/1, ...
  ASSERT_OK_AND_ASSIGN(Tensor avg, RunOp("pool2d", {x}, avg_same));
  EXPECT_THAT(Values<float>(avg), ElementsAre(3, 4, 4.5, 6, 7, 7.5, 7.5, 8.5, 9));
  ASSERT_OK_AND_ASSIGN(Tensor strided,
                       RunOp("pool2d", {x}, {{"pool_size", int64_t{2}},
                                             {"strides", int64_t{2}},
                                             {"padding", std::string("same")},
                                             {"pool_mode", std::string("avg")}}));
  EXPECT_EQ(strided.shape(), Shape({1, 2, 2, 1}));
  EXPECT_THAT(Values<float>(strided), ElementsAre(3, 4.5, 7.5, 9));
}

TEST_P(ConvOpsTest, MaxPoolIgnoresPaddingAndPropagatesNaN) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const Tensor neg = MakeTensor<float>({1, 2, 2, 1}, {-4, -3, -2, -1});
  ASSERT_OK_AND_ASSIGN(Tensor out, RunOp("pool2d", {neg}, {{"pool_size", int64_t{3}},
                                                            {"padding", std::string("same")}}));
  EXPECT_THAT(Values<float>(out), ElementsAre(-1, -1, -1, -1));  // never a padded 0
  const Tensor with_nan = MakeTensor<float>({1, 1, 3, 1}, {1, nan, 3});
  ASSERT_OK_AND_ASSIGN(Tensor max, RunOp("pool2d", {with_nan}, {{"pool_size", std::vector<int64_t>{1, 2}}}));
  std::vector<float> got = Values<float>(max);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_TRUE(std::isnan(got[0]) && std::isnan(got[1]));
}

TEST_P(ConvOpsTest, PoolMatchesNaive) {
  const std::vector<ConvCase> cases = {
      {2, 5, 5, 3, 2, 2, 0, 1, 1, 1, 1, false}, {2, 5, 5, 3, 2, 2, 0, 2, 2, 1, 1, true},
      {1, 7, 6, 2, 3, 3, 0, 2, 2, 1, 1, true},  {1, 7, 6, 2, 3, 2, 0, 3, 1, 1, 1, false},
      {3, 4, 9, 4, 4, 4, 0, 1, 1, 1, 1, true},  {1, 6, 6, 1, 1, 1, 0, 3, 3, 1, 1, true},
      {2, 8, 7, 5, 3, 3, 0, 1, 2, 1, 1, true},  {1, 2, 2, 3, 5, 5, 0, 1, 1, 1, 1, true}};
  for (const ConvCase& p : cases) {
    ExpectPoolMatchesNaive(p, true);
    ExpectPoolMatchesNaive(p, false);
  }
}

// ---- bias_add ----------------------------------------------------------------

TEST_P(ConvOpsTest, BiasAddRank1AlongTheChannelAxis) {
  const Tensor b = MakeTensor<float>({2}, {10, 20});
  ASSERT_OK_AND_ASSIGN(Tensor r2, RunOp("bias_add", {MakeTensor<float>({2, 2}, {1, 2, 3, 4}), b}));
  EXPECT_THAT(Values<float>(r2), ElementsAre(11, 22, 13, 24));
  // Rank 2 always uses the last axis, whatever data_format says (tf.nn.bias_add).
  ASSERT_OK_AND_ASSIGN(Tensor r2f, RunOp("bias_add", {MakeTensor<float>({2, 2}, {1, 2, 3, 4}), b},
                                         {{"data_format", std::string("channels_first")}}));
  EXPECT_THAT(Values<float>(r2f), ElementsAre(11, 22, 13, 24));
  const Tensor x3 = MakeTensor<float>({1, 2, 3}, {1, 2, 3, 4, 5, 6});
  ASSERT_OK_AND_ASSIGN(Tensor r3f, RunOp("bias_add", {x3, b},
                                         {{"data_format", std::string("channels_first")}}));
  EXPECT_THAT(Values<float>(r3f), ElementsAre(11, 12, 13, 24, 25, 26));
  ASSERT_OK_AND_ASSIGN(Tensor r3l, RunOp("bias_add", {MakeTensor<float>({1, 3, 2}, {1, 2, 3, 4, 5, 6}), b}));
  EXPECT_THAT(Values<float>(r3l), ElementsAre(11, 22, 13, 24, 15, 26));
  // Rank 4 and 5, both formats, against x + bias computed here.
  for (const std::vector<int64_t>& dims : {std::vector<int64_t>{2, 3, 4, 5},
                                           std::vector<int64_t>{2, 3, 2, 4, 5},
                                           std::vector<int64_t>{1, 2, 1, 2, 1, 3}}) {
    const int64_t n = NumElements(dims);
    const std::vector<double> xv = RandomValues(n, 5);
    for (bool first : {false, true}) {
      const int rank = static_cast<int>(dims.size());
      const int axis = first && rank <= 5 ? 1 : rank - 1;
      int64_t post = 1;
      for (int i = axis + 1; i < rank; ++i) post *= dims[i];
      const std::vector<double> bv = RandomValues(dims[axis], 6);
      std::vector<double> want(n);
      for (int64_t e = 0; e < n; ++e) want[e] = xv[e] + bv[(e / post) % dims[axis]];
      ASSERT_OK_AND_ASSIGN(
          Tensor out, RunOp("bias_add", {MakeTensor<double>(Shape(dims), xv),
                                         MakeTensor<double>({dims[axis]}, bv)},
                            {{"data_format", std::string(first ? "channels_first" : "channels_last")}}));
      EXPECT_EQ(Values<double>(out), want) << Shape(dims).ToString() << " first=" << first;
    }
  }
}

TEST_P(ConvOpsTest, BiasAddFullRankIsReshapedNotTransposed) {
  const Tensor x = MakeTensor<float>({1, 2, 3}, {0, 0, 0, 0, 0, 0});
  const Tensor b = MakeTensor<float>({3, 2}, {1, 2, 3, 4, 5, 6});
  // x (N=1, C=2, L=3) channels_first: Keras reshapes the (L=3, C=2) bias to
  // (C=2, L=3) without transposing, so its buffer is added in order.
  ASSERT_OK_AND_ASSIGN(Tensor first, RunOp("bias_add", {x, b},
                                           {{"data_format", std::string("channels_first")}}));
  EXPECT_THAT(Values<float>(first), ElementsAre(1, 2, 3, 4, 5, 6));
  ASSERT_OK_AND_ASSIGN(
      Tensor last, RunOp("bias_add", {MakeTensor<float>({2, 2, 3}, std::vector<float>(12, 1)),
                                      MakeTensor<float>({2, 3}, {1, 2, 3, 4, 5, 6})}));
  EXPECT_THAT(Values<float>(last), ElementsAre(2, 3, 4, 5, 6, 7, 2, 3, 4, 5, 6, 7));
  // Size-1 dims of the bias broadcast.
  ASSERT_OK_AND_ASSIGN(
      Tensor bcast, RunOp("bias_add", {MakeTensor<float>({1, 2, 2, 2}, std::vector<float>(8, 0)),
                                       MakeTensor<float>({1, 2, 2}, {1, 2, 3, 4})}));
  EXPECT_THAT(Values<float>(bcast), ElementsAre(1, 2, 3, 4, 1, 2, 3, 4));
  ASSERT_OK_AND_ASSIGN(
      Tensor bcast_first,
      RunOp("bias_add", {MakeTensor<float>({1, 2, 2, 2}, std::vector<float>(8, 0)),
                         MakeTensor<float>({2, 1, 2}, {1, 2, 3, 4})},
            {{"data_format", std::string("channels_first")}}));
  // (H=2, W=1, C=2) reshaped to (C=2, H=2, W=1): bias[c][h] = {{1, 2}, {3, 4}}.
  EXPECT_THAT(Values<float>(bcast_first), ElementsAre(1, 1, 2, 2, 3, 3, 4, 4));
}

TEST_P(ConvOpsTest, DataFormatsAgreeUpToTranspose) {
  const std::vector<double> x = RandomValues(2 * 6 * 5 * 3, 11);
  const std::vector<double> b = RandomValues(3, 12);
  ASSERT_OK_AND_ASSIGN(Tensor last, RunOp("bias_add", {MakeTensor<double>({2, 6, 5, 3}, x),
                                                       MakeTensor<double>({3}, b)}));
  ASSERT_OK_AND_ASSIGN(Tensor first,
                       RunOp("bias_add", {MakeTensor<double>({2, 3, 6, 5}, ToChannelsFirst(x, 2, 6, 5, 3)),
                                          MakeTensor<double>({3}, b)},
                             {{"data_format", std::string("channels_first")}}));
  EXPECT_EQ(Values<double>(first), ToChannelsFirst(Values<double>(last), 2, 6, 5, 3));
}

// ---- backward ops: central finite differences in float64 ---------------------

// Runs `op` and returns sum(out * w): a scalar loss whose gradient w.r.t. the
// op's inputs is what the backward ops compute with grad = w.
class LossProbe {
 public:
  LossProbe(ConvOpsTest* test, std::string op, AttrMap attrs, std::vector<double> w)
      : test_(test), op_(std::move(op)), attrs_(std::move(attrs)), w_(std::move(w)) {}
  double operator()(const std::vector<Tensor>& inputs) const {
    absl::StatusOr<Tensor> out = test_->RunOpForTest(op_, inputs, attrs_);
    EXPECT_TRUE(out.ok()) << out.status();
    if (!out.ok()) return 0;
    const std::vector<double> y = Values<double>(*out);
    double loss = 0;
    for (size_t i = 0; i < y.size(); ++i) loss += y[i] * w_[i];
    return loss;
  }

 private:
  ConvOpsTest* test_;
  std::string op_;
  AttrMap attrs_;
  std::vector<double> w_;
};

// d loss / d inputs[which], element by element, by central differences.
std::vector<double> NumericGradient(const LossProbe& loss, std::vector<Tensor> inputs,
                                    int which, double h) {
  std::vector<double> grad(inputs[which].num_elements());
  for (int64_t e = 0; e < inputs[which].num_elements(); ++e) {
    double* v = inputs[which].data<double>() + e;
    const double saved = *v;
    *v = saved + h;
    const double up = loss(inputs);
    *v = saved - h;
    const double down = loss(inputs);
    *v = saved;
    grad[e] = (up - down) / (2 * h);
  }
  return grad;
}

Tensor Copy(const Tensor& t) {
  return MakeTensor<double>(t.shape(), Values<double>(t));
}

TEST_P(ConvOpsTest, Conv2DBackpropMatchesFiniteDifferences) {
  const std::vector<ConvCase> cases = {
      {2, 5, 4, 3, 3, 2, 2, 1, 1, 1, 1, true},  {1, 6, 5, 2, 3, 3, 3, 2, 2, 1, 1, true},
      {1, 7, 6, 2, 2, 3, 2, 1, 1, 2, 1, false}, {2, 4, 4, 1, 1, 1, 2, 2, 1, 1, 1, false},
      {1, 5, 5, 2, 4, 4, 2, 3, 3, 1, 1, true}};
  for (const ConvCase& p : cases) {
    for (bool first : {false, true}) {
      const Shape xs = first ? Shape{p.n, p.c, p.h, p.w} : Shape{p.n, p.h, p.w, p.c};
      const Tensor x = MakeTensor<double>(xs, RandomValues(NumElements(xs.dims()), 21));
      const Tensor k = MakeTensor<double>({p.kh, p.kw, p.c, p.o},
                                          RandomValues(p.kh * p.kw * p.c * p.o, 22));
      const AttrMap attrs = ConvAttrs(p, first ? "channels_first" : "channels_last");
      ASSERT_OK_AND_ASSIGN(Tensor y, RunOp("conv2d", {x, k}, attrs));
      const std::vector<double> w = RandomValues(y.num_elements(), 23);
      const Tensor grad = MakeTensor<double>(y.shape(), w);
      const LossProbe loss(this, "conv2d", attrs, w);
      ASSERT_OK_AND_ASSIGN(Tensor dx, RunOp("conv2d_backprop_input", {grad, k, x}, attrs));
      EXPECT_EQ(dx.shape(), xs);
      EXPECT_THAT(Values<double>(dx),
                  Pointwise(DoubleNear(1e-7), NumericGradient(loss, {Copy(x), k}, 0, 1e-3)))
          << Describe(p) << " first=" << first;
      ASSERT_OK_AND_ASSIGN(Tensor dk, RunOp("conv2d_backprop_filter", {grad, x, k}, attrs));
      EXPECT_EQ(dk.shape(), k.shape());
      EXPECT_THAT(Values<double>(dk),
                  Pointwise(DoubleNear(1e-7), NumericGradient(loss, {x, Copy(k)}, 1, 1e-3)))
          << Describe(p) << " first=" << first;
    }
  }
}

TEST_P(ConvOpsTest, Pool2DGradMatchesFiniteDifferences) {
  const std::vector<ConvCase> cases = {
      {2, 5, 5, 2, 2, 2, 0, 1, 1, 1, 1, false}, {1, 5, 6, 2, 3, 3, 0, 2, 2, 1, 1, true},
      {1, 4, 4, 3, 2, 3, 0, 2, 1, 1, 1, true},  {1, 2, 3, 1, 5, 5, 0, 1, 1, 1, 1, true}};
  for (const ConvCase& p : cases) {
    for (bool first : {false, true}) {
      for (const char* mode : {"max", "avg"}) {
        const Shape xs = first ? Shape{p.n, p.c, p.h, p.w} : Shape{p.n, p.h, p.w, p.c};
        const Tensor x = MakeTensor<double>(xs, RandomValues(NumElements(xs.dims()), 31));
        const AttrMap attrs = {{"pool_size", std::vector<int64_t>{p.kh, p.kw}},
                               {"strides", std::vector<int64_t>{p.sh, p.sw}},
                               {"padding", std::string(p.same ? "same" : "valid")},
                               {"data_format", std::string(first ? "channels_first" : "channels_last")},
                               {"pool_mode", std::string(mode)}};
        ASSERT_OK_AND_ASSIGN(Tensor y, RunOp("pool2d", {x}, attrs));
        const std::vector<double> w = RandomValues(y.num_elements(), 32);
        const LossProbe loss(this, "pool2d", attrs, w);
        ASSERT_OK_AND_ASSIGN(Tensor dx, RunOp("pool2d_grad", {MakeTensor<double>(y.shape(), w), x}, attrs));
        EXPECT_EQ(dx.shape(), xs);
        // Random values have no ties, so max pooling is linear near x.
        EXPECT_THAT(Values<double>(dx),
                    Pointwise(DoubleNear(1e-7), NumericGradient(loss, {Copy(x)}, 0, 1e-6)))
            << Describe(p) << " " << mode << " first=" << first;
      }
    }
  }
}

TEST_P(ConvOpsTest, MaxPoolGradGoesToTheFirstMaximum) {
  const Tensor x = MakeTensor<float>({1, 2, 2, 1}, {3, 5, 5, 1});
  const AttrMap attrs = {{"pool_size", int64_t{2}}};
  ASSERT_OK_AND_ASSIGN(Tensor dx, RunOp("pool2d_grad", {MakeTensor<float>({1, 1, 1, 1}, {2}), x}, attrs));
  EXPECT_THAT(Values<float>(dx), ElementsAre(0, 2, 0, 0));
  ASSERT_OK_AND_ASSIGN(
      Tensor avg, RunOp("pool2d_grad", {MakeTensor<float>({1, 2, 2, 1}, {4, 4, 4, 4}), x},
                        {{"pool_size", int64_t{2}}, {"padding", std::string("same")},
                         {"pool_mode", std::string("avg")}}));
  // Cell (0,0) is in one window of 4 cells; (1,1) in four windows of 4, 2, 2, 1.
  EXPECT_THAT(Values<float>(avg), ElementsAre(1, 3, 3, 9));
}

// ---- validation --------------------------------------------------------------

struct BadCase {
  std::string op;
  std::vector<TensorSpec> inputs;
  AttrMap attrs;
  std::string message;
};

TEST(ConvOpsValidation, EveryErrorNamesOpArgumentAndValue) {
  const DType f = DType::kFloat32;
  const TensorSpec x{f, {1, 4, 4, 3}};
  const TensorSpec k{f, {3, 3, 3, 8}};
  const std::vector<BadCase> cases = {
      {"conv2d", {x, k}, {{"padding", std::string("full")}},
       "conv2d: padding must be \"valid\" or \"same\", got \"full\""},
      {"conv2d", {x, k}, {{"padding", std::string("SAME")}},
       "conv2d: padding must be \"valid\" or \"same\", got \"SAME\""},
      {"conv2d", {x, k}, {{"padding", int64_t{1}}}, "conv2d: padding must be"},
      {"conv2d", {x, k}, {{"data_format", std::string("NHWC")}},
       "conv2d: data_format must be \"channels_last\" or \"channels_first\", got \"NHWC\""},
      {"conv2d", {x, k}, {{"strides", std::vector<int64_t>{0, 1}}},
       "conv2d: strides[0]=0 must be in [1, 2147483647]"},
      {"conv2d", {x, k}, {{"strides", std::vector<int64_t>{1, -2}}},
       "conv2d: strides[1]=-2 must be in [1, 2147483647]"},
      {"conv2d", {x, k}, {{"strides", std::vector<int64_t>{1, 1, 1}}},
       "conv2d: strides must be an int or a pair of ints, got [1, 1, 1]"},
      {"conv2d", {x, k}, {{"dilation_rate", std::vector<int64_t>{1, 0}}},
       "conv2d: dilation_rate[1]=0 must be in [1, 2147483647]"},
      {"conv2d", {x, k}, {{"dilation_rate", int64_t{1} << 40}},
       "conv2d: dilation_rate[0]=1099511627776 must be in [1, 2147483647]"},
      {"conv2d", {x, k},
       {{"strides", std::vector<int64_t>{2, 1}}, {"dilation_rate", std::vector<int64_t>{1, 2}},
        {"padding", std::string("same")}},
       "conv2d: strides (2, 1) with dilation_rate (1, 2) is not supported: TensorFlow "
       "refuses strides > 1 together with dilation_rate > 1"},
      {"conv2d", {{f, {4, 4, 3}}, k}, {},
       "conv2d: x must have rank 4 (batch, rows, cols, channels) for channels_last, got "
       "shape (4, 4, 3)"},
      {"conv2d", {{f, {4, 4, 3}}, k}, {{"data_format", std::string("channels_first")}},
       "conv2d: x must have rank 4 (batch, channels, rows, cols) for channels_first"},
      {"conv2d", {x, {f, {3, 3, 3}}}, {},
       "conv2d: kernel must have rank 4 (rows, cols, in_channels, out_channels), got "
       "shape (3, 3, 3)"},
      {"conv2d", {x, {f, {3, 3, 4, 8}}}, {},
       "conv2d: x of shape (1, 4, 4, 3) has 3 channels (axis 3, channels_last) but kernel "
       "of shape (3, 3, 4, 8) expects 4 (kernel.shape[2])"},
      {"conv2d", {x, k}, {{"data_format", std::string("channels_first")}},
       "conv2d: x of shape (1, 4, 4, 3) has 4 channels (axis 1, channels_first) but kernel "
       "of shape (3, 3, 3, 8) expects 3 (kernel.shape[2])"},
      {"conv2d", {x, {f, {5, 3, 3, 8}}}, {},
       "conv2d: with padding \"valid\", the window of kernel of shape (5, 3, 3, 8) with "
       "dilation_rate (1, 1) spans 5 rows but x of shape (1, 4, 4, 3) has 4 rows"},
      {"conv2d", {x, k}, {{"dilation_rate", std::vector<int64_t>{1, 2}}},
       "conv2d: with padding \"valid\", the window of kernel of shape (3, 3, 3, 8) with "
       "dilation_rate (1, 2) spans 5 cols but x of shape (1, 4, 4, 3) has 4 cols"},
      {"conv2d", {{f, {kU, 2, kU, 3}}, k}, {}, "spans 3 rows but x of shape (None, 2, None, 3) has 2 rows"},
      {"conv2d", {x, {f, {0, 3, 3, 8}}}, {{"padding", std::string("same")}},
       "conv2d: kernel of shape (0, 3, 3, 8) has an empty window"},
      {"conv2d", {{DType::kInt32, {1, 4, 4, 3}}, {DType::kInt32, {3, 3, 3, 8}}}, {},
       "conv2d: x has dtype int32, expected float16, float32 or float64"},
      {"conv2d", {x, {DType::kFloat64, {3, 3, 3, 8}}}, {},
       "conv2d: kernel has dtype float64 but x has float32"},
      {"conv2d", {x, k}, {{"stride", int64_t{2}}}, "stride"},
      {"pool2d", {x}, {}, "pool2d: attribute pool_size is required"},
      {"pool2d", {x}, {{"pool_size", std::vector<int64_t>{2, 0}}},
       "pool2d: pool_size[1]=0 must be in [1, 2147483647]"},
      {"pool2d", {x}, {{"pool_size", int64_t{2}}, {"pool_mode", std::string("min")}},
       "pool2d: pool_mode must be \"max\" or \"avg\", got \"min\""},
      {"pool2d", {x}, {{"pool_size", int64_t{5}}},
       "pool2d: with padding \"valid\", the pool window (5, 5) spans 5 rows but x of shape "
       "(1, 4, 4, 3) has 4 rows"},
      {"pool2d", {x}, {{"pool_size", int64_t{2}}, {"strides", std::vector<int64_t>{}}},
       "pool2d: strides must be an int or a pair of ints, got []"},
      {"pool2d", {x}, {{"pool_size", int64_t{2}}, {"padding", std::string("causal")}},
       "pool2d: padding must be \"valid\" or \"same\", got \"causal\""},
      {"pool2d", {x}, {{"pool_size", int64_t{2}}, {"data_format", std::string("channels")}},
       "pool2d: data_format must be \"channels_last\" or \"channels_first\", got \"channels\""},
      {"pool2d", {{f, {4, 4}}}, {{"pool_size", int64_t{2}}},
       "pool2d: x must have rank 4 (batch, rows, cols, channels) for channels_last, got shape (4, 4)"},
      {"pool2d", {{DType::kInt64, {1, 4, 4, 3}}}, {{"pool_size", int64_t{2}}},
       "pool2d: x has dtype int64, expected float16, float32 or float64"},
      {"bias_add", {x, {f, {4}}}, {},
       "bias_add: bias of shape (4,) for x of shape (1, 4, 4, 3): bias length 4 != "
       "x.shape[3]=3 (the channel axis)"},
      {"bias_add", {x, {f, {3}}}, {{"data_format", std::string("channels_first")}},
       "bias_add: bias of shape (3,) for x of shape (1, 4, 4, 3): bias length 3 != "
       "x.shape[1]=4 (the channel axis)"},
      {"bias_add", {x, {f, {4, 3}}}, {},
       "bias_add: bias must have rank 1 or 3 (x's rank - 1), got bias of shape (4, 3) for "
       "x of shape (1, 4, 4, 3)"},
      {"bias_add", {{f, {2, 3, 4, 5, 6, 7}}, {f, {3, 4, 5, 6, 7}}}, {},
       "bias_add: bias must have rank 1, got bias of shape (3, 4, 5, 6, 7)"},
      {"bias_add", {{f, {3}}, {f, {3}}}, {},
       "bias_add: x must have rank >= 2, got bias of shape (3,) for x of shape (3,)"},
      {"bias_add", {x, {f, {4, 2, 3}}}, {},
       "bias_add: bias of shape (4, 2, 3) for x of shape (1, 4, 4, 3) (channels_last): "
       "bias reshaped to (4, 2, 3) does not match x's non-batch axes"},
      {"bias_add", {{f, {2, 1, 3}}, {f, {5, 3}}}, {},
       "bias reshaped to (5, 3) does not match x's non-batch axes"},
      {"bias_add", {x, {DType::kFloat64, {3}}}, {},
       "bias_add: bias has dtype float64 but x has float32"},
      {"bias_add", {x, {f, {3}}}, {{"data_format", std::string("nchw")}},
       "bias_add: data_format must be"},
      {"conv2d_backprop_input", {{f, {1, 3, 2, 8}}, k, x}, {},
       "conv2d_backprop_input: grad of shape (1, 3, 2, 8) does not match the forward "
       "output shape (1, 2, 2, 8)"},
      {"conv2d_backprop_input", {{DType::kFloat64, {1, 2, 2, 8}}, k, x}, {},
       "conv2d_backprop_input: grad has dtype float64 but x has float32"},
      {"conv2d_backprop_filter", {{f, {1, 4, 4, 8}}, x, k}, {},
       "conv2d_backprop_filter: grad of shape (1, 4, 4, 8) does not match the forward "
       "output shape (1, 2, 2, 8)"},
      {"conv2d_backprop_filter", {{f, {1, 2, 2, 8}}, x, {f, {3, 3, 2, 8}}}, {},
       "conv2d_backprop_filter: x of shape (1, 4, 4, 3) has 3 channels"},
      {"pool2d_grad", {{f, {1, 4, 4, 3}}, x}, {{"pool_size", int64_t{2}}},
       "pool2d_grad: grad of shape (1, 4, 4, 3) does not match the forward output shape "
       "(1, 3, 3, 3)"},
      {"pool2d_grad", {{f, {1, 3, 3, 3}}, x}, {{"pool_size", int64_t{2}}, {"pool_mode", std::string("sum")}},
       "pool2d_grad: pool_mode must be \"max\" or \"avg\", got \"sum\""},
  };
  for (const BadCase& c : cases) {
    EXPECT_THAT(Infer(c.op, c.inputs, c.attrs), StatusIs(kInvalid, HasSubstr(c.message)))
        << c.op << " expecting: " << c.message;
  }
}

TEST_P(ConvOpsTest, ErrorsAlsoComeFromRunningOps) {
  EXPECT_THAT(RunOp("conv2d", {MakeTensor<float>({1, 2, 2, 1}, {1, 2, 3, 4}),
                               MakeTensor<float>({3, 3, 1, 1}, std::vector<float>(9, 1))}),
              StatusIs(kInvalid, HasSubstr("spans 3 rows but x of shape (1, 2, 2, 1) has 2 rows")));
  EXPECT_THAT(RunOp("pool2d", {MakeTensor<float>({1, 2, 2, 1}, {1, 2, 3, 4})},
                    {{"pool_size", int64_t{2}}, {"pool_mode", std::string("sum")}}),
              StatusIs(kInvalid, HasSubstr("pool2d: pool_mode must be \"max\" or \"avg\"")));
}

}  // namespace
}  // namespace remotek
