#include "backend/core/shape.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace remotek {
namespace {

using ::remotek::testing::StatusIs;
using ::testing::HasSubstr;

TEST(Shape, KerasStyleText) {
  EXPECT_EQ(Shape({kUnknownDim, 4, 5}).ToString(), "(None, 4, 5)");
  EXPECT_EQ(Shape({3}).ToString(), "(3,)");
  EXPECT_EQ(Shape().ToString(), "()");
}

TEST(Shape, UnknownDimsAcceptAnySize) {
  Shape placeholder({kUnknownDim, 4});
  EXPECT_TRUE(placeholder.Accepts(Shape({7, 4})));
  EXPECT_FALSE(placeholder.Accepts(Shape({7, 5})));
  EXPECT_FALSE(placeholder.Accepts(Shape({7, 4, 1})));
  EXPECT_FALSE(placeholder.IsFullyDefined());
  EXPECT_TRUE(Shape::Unknown(3).IsCompatibleWith(Shape({1, 2, 3})));
}

TEST(Shape, NumElementsIsOverflowChecked) {
  EXPECT_EQ(*Shape({2, 3, 4}).NumElements(), 24);
  EXPECT_EQ(*Shape().NumElements(), 1);
  EXPECT_EQ(*Shape({0, 5}).NumElements(), 0);
  EXPECT_THAT(Shape({1LL << 40, 1LL << 40}).NumElements(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("int64")));
}

TEST(Shape, ValidateDimsNamesFieldAndValue) {
  EXPECT_OK(ValidateDims({kUnknownDim, 3}, true, "shape"));
  EXPECT_THAT(ValidateDims({2, -3}, true, "shape"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("shape[1]=-3")));
  EXPECT_THAT(ValidateDims({kUnknownDim}, false, "value.shape"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("value.shape[0]=-1 is negative")));
  EXPECT_THAT(ValidateDims(std::vector<int64_t>(33, 1), false, "shape"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("rank 33")));
}

TEST(Shape, NormalizeAxis) {
  EXPECT_EQ(*NormalizeAxis(-1, 3, "sum", "axis"), 2);
  EXPECT_THAT(NormalizeAxis(3, 3, "sum", "axis"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("sum: axis=3 is out of range for rank 3")));
}

}  // namespace
}  // namespace remotek
