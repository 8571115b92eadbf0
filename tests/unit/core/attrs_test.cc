#include "backend/core/attrs.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace remotek {
namespace {

using ::remotek::testing::StatusIs;
using ::testing::HasSubstr;

TEST(AttrReader, ReadsTypedValuesWithDefaults) {
  AttrMap attrs{{"axis", int64_t{2}}, {"alpha", 0.5}, {"keepdims", true},
                {"axes", std::vector<int64_t>{1, 2}}};
  const std::string op = "op";
  AttrReader r(op, attrs);
  EXPECT_EQ(*r.Int("axis", 0), 2);
  EXPECT_EQ(*r.Int("missing", 7), 7);
  EXPECT_EQ(*r.Float("alpha", 0), 0.5);
  EXPECT_EQ(*r.Float("axis", 0), 2.0);  // ints read as floats
  EXPECT_TRUE(*r.Bool("keepdims", false));
  EXPECT_EQ(**r.OptionalInts("axes"), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(**r.OptionalInts("axis"), (std::vector<int64_t>{2}));
  EXPECT_FALSE(r.OptionalInts("nothing")->has_value());
}

TEST(AttrReader, WrongTypeAndUnknownNamesAreErrors) {
  AttrMap attrs{{"axis", std::string("x")}, {"kepdims", true}};
  const std::string op = "sum";
  AttrReader r(op, attrs);
  EXPECT_THAT(r.Int("axis", 0), StatusIs(absl::StatusCode::kInvalidArgument,
                                         HasSubstr("sum: axis must be an int, got \"x\"")));
  EXPECT_THAT(r.OnlyKnown({"axis", "keepdims"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unknown attribute(s) kepdims")));
  EXPECT_THAT(r.RequiredInt("n"), StatusIs(absl::StatusCode::kInvalidArgument,
                                           HasSubstr("sum: attribute n is required")));
}

}  // namespace
}  // namespace remotek
