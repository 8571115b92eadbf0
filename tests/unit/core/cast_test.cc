#include "backend/core/cast.h"

#include <cmath>
#include <limits>

#include "gtest/gtest.h"
#include "tests/support/tensor_testing.h"

namespace remotek {
namespace {

using ::remotek::testing::MakeTensor;
using ::remotek::testing::Values;

TEST(Cast, FloatToIntTruncatesTowardZeroAndSaturates) {
  Tensor in = MakeTensor<float>(Shape({6}), {1.7f, -1.7f, 3e9f, -3e9f, NAN, 0.5f});
  Tensor out = CastTensor(in, DType::kInt32, nullptr).value();
  EXPECT_EQ(Values<int32_t>(out),
            (std::vector<int32_t>{1, -1, std::numeric_limits<int32_t>::max(),
                                  std::numeric_limits<int32_t>::min(), 0, 0}));
  Tensor u8 = CastTensor(MakeTensor<double>(Shape({3}), {-5.0, 300.0, 7.9}),
                         DType::kUInt8, nullptr).value();
  EXPECT_EQ(Values<uint8_t>(u8), (std::vector<uint8_t>{0, 255, 7}));
}

TEST(Cast, IntegersWrapAndBoolIsNonZero) {
  Tensor in = MakeTensor<int32_t>(Shape({3}), {300, -1, 0});
  EXPECT_EQ(Values<uint8_t>(CastTensor(in, DType::kUInt8, nullptr).value()),
            (std::vector<uint8_t>{44, 255, 0}));
  EXPECT_EQ(Values<bool>(CastTensor(in, DType::kBool, nullptr).value()),
            (std::vector<bool>{true, true, false}));
  Tensor b = MakeTensor<bool>(Shape({2}), {true, false});
  EXPECT_EQ(Values<float>(CastTensor(b, DType::kFloat32, nullptr).value()),
            (std::vector<float>{1.0f, 0.0f}));
  Tensor big = MakeTensor<int64_t>(Shape({1}), {(1LL << 53) + 1});
  EXPECT_EQ(Values<int64_t>(CastTensor(big, DType::kInt64, nullptr).value())[0],
            (1LL << 53) + 1);
}

TEST(Cast, HalfRoundTrip) {
  Tensor in = MakeTensor<float>(Shape({3}), {1.0f, 0.1f, -65504.0f});
  Tensor h = CastTensor(in, DType::kFloat16, nullptr).value();
  Tensor back = CastTensor(h, DType::kFloat32, nullptr).value();
  EXPECT_EQ(Values<float>(back), (std::vector<float>{1.0f, 0.0999755859375f, -65504.0f}));
}

TEST(Cast, SameDTypeSharesBuffer) {
  Tensor in = MakeTensor<float>(Shape({2}), {1, 2});
  EXPECT_TRUE(CastTensor(in, DType::kFloat32, nullptr).value().SharesBufferWith(in));
}

}  // namespace
}  // namespace remotek
