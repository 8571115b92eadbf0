#include "backend/core/initializers.h"

#include <cmath>

#include "backend/core/philox.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"
#include "tests/support/tensor_testing.h"

namespace remotek {
namespace {

using ::remotek::testing::StatusIs;
using ::remotek::testing::Values;
using ::testing::HasSubstr;
using Kind = InitializerSpec::Kind;

// Known-answer vectors published with Random123 (kat_vectors, philox4x32_10).
TEST(Philox, MatchesRandom123KnownAnswers) {
  EXPECT_EQ(Philox4x32({0, 0, 0, 0}, {0, 0}),
            (PhiloxCounter{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}));
  EXPECT_EQ(Philox4x32({0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
                       {0xffffffff, 0xffffffff}),
            (PhiloxCounter{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}));
  EXPECT_EQ(Philox4x32({0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
                       {0xa4093822, 0x299f31d0}),
            (PhiloxCounter{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}));
}

InitializerSpec Uniform(double low, double high, uint64_t seed) {
  InitializerSpec s;
  s.kind = Kind::kRandomUniform;
  s.low = low;
  s.high = high;
  s.seed = seed;
  return s;
}

TEST(Initializers, SeededUniformIsPinned) {
  ASSERT_OK_AND_ASSIGN(Tensor t, MakeInitialValue(Uniform(0, 1, 42), DType::kFloat64,
                                                  Shape({4}), nullptr));
  // Pinned from the documented mapping: any change to it must change this test.
  const std::vector<double> v = Values<double>(t);
  EXPECT_THAT(v, ::testing::ElementsAre(0.6129598811894158, 0.073231737441583844,
                                        0.9877186509145105, 0.51390614697111658));
  for (double x : v) {
    EXPECT_GE(x, 0.0);
    EXPECT_LT(x, 1.0);
  }
  ASSERT_OK_AND_ASSIGN(Tensor again, MakeInitialValue(Uniform(0, 1, 42), DType::kFloat64,
                                                      Shape({4}), nullptr));
  EXPECT_EQ(Values<double>(again), v);
  // Element j of a longer tensor is the same value: a counter-based stream.
  ASSERT_OK_AND_ASSIGN(Tensor longer, MakeInitialValue(Uniform(0, 1, 42), DType::kFloat64,
                                                       Shape({2, 5}), nullptr));
  for (int j = 0; j < 4; ++j) EXPECT_EQ(Values<double>(longer)[j], v[j]);
  // Recompute element 0 from the documented formula.
  const PhiloxCounter w = Philox4x32({0, 0, 0, 0}, {42, 0});
  const double u = static_cast<double>(((uint64_t{w[0]} << 32) | w[1]) >> 11) * 0x1.0p-53;
  EXPECT_EQ(v[0], u);
  ASSERT_OK_AND_ASSIGN(Tensor other, MakeInitialValue(Uniform(0, 1, 43), DType::kFloat64,
                                                      Shape({4}), nullptr));
  EXPECT_NE(Values<double>(other), v);
}

TEST(Initializers, UniformFloat32StaysInRangeAndMatchesFloat64Rounded) {
  ASSERT_OK_AND_ASSIGN(Tensor f, MakeInitialValue(Uniform(-2, 3, 7), DType::kFloat32,
                                                  Shape({1000}), nullptr));
  ASSERT_OK_AND_ASSIGN(Tensor d, MakeInitialValue(Uniform(-2, 3, 7), DType::kFloat64,
                                                  Shape({1000}), nullptr));
  double sum = 0;
  for (int i = 0; i < 1000; ++i) {
    const float x = f.data<float>()[i];
    EXPECT_GE(x, -2.0f);
    EXPECT_LT(x, 3.0f);
    EXPECT_EQ(x, static_cast<float>(d.data<double>()[i]));
    sum += x;
  }
  EXPECT_NEAR(sum / 1000, 0.5, 0.2);
}

TEST(Initializers, NormalAndTruncatedNormalMoments) {
  InitializerSpec n;
  n.kind = Kind::kRandomNormal;
  n.mean = 1.0;
  n.stddev = 2.0;
  n.seed = 5;
  InitializerSpec pinned;
  pinned.kind = Kind::kRandomNormal;
  pinned.seed = 7;
  ASSERT_OK_AND_ASSIGN(Tensor p, MakeInitialValue(pinned, DType::kFloat32, Shape({3}), nullptr));
  EXPECT_THAT(Values<float>(p), ::testing::ElementsAre(1.87387967f, 1.63491118f, 0.482316047f));
  ASSERT_OK_AND_ASSIGN(Tensor t, MakeInitialValue(n, DType::kFloat64, Shape({20000}), nullptr));
  double sum = 0, sq = 0;
  for (double x : Values<double>(t)) {
    sum += x;
    sq += x * x;
  }
  const double mean = sum / 20000, var = sq / 20000 - mean * mean;
  EXPECT_NEAR(mean, 1.0, 0.05);
  EXPECT_NEAR(std::sqrt(var), 2.0, 0.05);

  n.kind = Kind::kTruncatedNormal;
  ASSERT_OK_AND_ASSIGN(Tensor tr, MakeInitialValue(n, DType::kFloat32, Shape({5000}), nullptr));
  for (float x : Values<float>(tr)) {
    EXPECT_LE(std::fabs(x - 1.0f), 4.0f + 1e-5f);
  }
}

TEST(Initializers, DeterministicInitializers) {
  InitializerSpec eye;
  eye.kind = Kind::kEye;
  ASSERT_OK_AND_ASSIGN(Tensor e, MakeInitialValue(eye, DType::kInt32, Shape({2, 3}), nullptr));
  EXPECT_EQ(Values<int32_t>(e), (std::vector<int32_t>{1, 0, 0, 0, 1, 0}));
  InitializerSpec c;
  c.kind = Kind::kConstant;
  c.value = 2.5;
  ASSERT_OK_AND_ASSIGN(Tensor ct, MakeInitialValue(c, DType::kFloat16, Shape({2}), nullptr));
  EXPECT_EQ(ct.data<Half>()[0].bits, FloatToHalf(2.5f).bits);
  InitializerSpec ones;
  ones.kind = Kind::kOnes;
  ASSERT_OK_AND_ASSIGN(Tensor o, MakeInitialValue(ones, DType::kUInt8, Shape({3}), nullptr));
  EXPECT_EQ(Values<uint8_t>(o), (std::vector<uint8_t>{1, 1, 1}));
}

TEST(Initializers, BadArgumentsNameTheProblem) {
  EXPECT_THAT(MakeInitialValue(Uniform(1, 0, 1), DType::kFloat32, Shape({2}), nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("high=0 is below low=1")));
  EXPECT_THAT(MakeInitialValue(Uniform(0, 1, 1), DType::kInt32, Shape({2}), nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("int32 is not a float")));
  InitializerSpec eye;
  eye.kind = Kind::kEye;
  EXPECT_THAT(MakeInitialValue(eye, DType::kFloat32, Shape({3}), nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("rank 2")));
  auto account = std::make_shared<MemoryAccount>("session s", 1000);
  EXPECT_THAT(MakeInitialValue(Uniform(0, 1, 1), DType::kFloat32, Shape({1000}), account),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("requested 4000")));
  EXPECT_EQ(account->current(), 0);
}

// Found by graph_fuzzer: byte counts overflowed int64 (UBSan) and shapes past
// std::vector's max_size threw length_error, which ended the process.
TEST(Initializers, ShapesTooLargeToAllocateAreRefusedNotFatal) {
  auto unlimited = std::make_shared<MemoryAccount>("unlimited");
  for (int64_t n : {INT64_MAX, int64_t{1} << 60, int64_t{1} << 62}) {
    for (Kind kind : {Kind::kOnes, Kind::kRandomUniform, Kind::kZeros}) {
      InitializerSpec spec{kind};
      spec.seed = 1;
      EXPECT_THAT(MakeInitialValue(spec, DType::kFloat32, Shape({n}), unlimited).status(),
                  StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("too large")))
          << n;
    }
  }
  EXPECT_EQ(unlimited->current(), 0);
}

}  // namespace
}  // namespace remotek
