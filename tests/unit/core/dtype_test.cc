#include "backend/core/dtype.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace remotek {
namespace {

using ::remotek::testing::StatusIs;
using ::testing::HasSubstr;

TEST(DType, NamesRoundTrip) {
  for (DType dtype : kAllDTypes) {
    auto parsed = ParseDType(DTypeName(dtype));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, dtype);
  }
  EXPECT_EQ(DTypeName(DType::kFloat32), "float32");
  EXPECT_EQ(DTypeName(DType::kUInt8), "uint8");
}

TEST(DType, UnknownNameIsInvalidArgument) {
  EXPECT_THAT(ParseDType("float8"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("\"float8\"")));
}

TEST(DType, SizesAndClasses) {
  EXPECT_EQ(DTypeSize(DType::kFloat16), 2u);
  EXPECT_EQ(DTypeSize(DType::kFloat64), 8u);
  EXPECT_EQ(DTypeSize(DType::kBool), 1u);
  EXPECT_TRUE(IsFloating(DType::kFloat16));
  EXPECT_FALSE(IsFloating(DType::kInt32));
  EXPECT_TRUE(IsInteger(DType::kUInt8));
  EXPECT_FALSE(IsInteger(DType::kBool));
  EXPECT_FALSE(IsValidDType(0));
  EXPECT_FALSE(IsValidDType(10));
}

TEST(Half, ConvertsExactlyAndRoundsToNearestEven) {
  EXPECT_EQ(FloatToHalf(1.0f).bits, 0x3c00);
  EXPECT_EQ(FloatToHalf(-2.0f).bits, 0xc000);
  EXPECT_EQ(FloatToHalf(65504.0f).bits, 0x7bff);
  EXPECT_EQ(FloatToHalf(70000.0f).bits, 0x7c00);            // overflow -> inf
  EXPECT_EQ(FloatToHalf(5.9604645e-08f).bits, 0x0001);      // smallest subnormal
  EXPECT_EQ(FloatToHalf(1.0f + 1.0f / 2048).bits, 0x3c00);  // tie -> even
  EXPECT_EQ(FloatToHalf(1.0f + 3.0f / 2048).bits, 0x3c02);  // tie -> even (up)
  EXPECT_FLOAT_EQ(HalfToFloat(Half{0x3555}), 0.33325195f);
  EXPECT_FLOAT_EQ(HalfToFloat(Half{0x0001}), 5.9604645e-08f);
  EXPECT_TRUE(std::isnan(HalfToFloat(FloatToHalf(std::nanf("")))));
  for (uint32_t bits = 0; bits < 0x7c00; ++bits) {  // every finite positive half
    Half h{static_cast<uint16_t>(bits)};
    ASSERT_EQ(FloatToHalf(HalfToFloat(h)).bits, h.bits) << bits;
  }
}

}  // namespace
}  // namespace remotek
