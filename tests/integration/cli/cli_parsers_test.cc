// Unit tests of the CLI's parsers and printers, in-process: the flag parser
// (tools/cli/arg_parser.h), --attr / --axes values (attr_parser.h), tensor
// text and JSON output (tensor_format.h, json_writer.h).
#include <cmath>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"
#include "tools/cli/arg_parser.h"
#include "tools/cli/attr_parser.h"
#include "tools/cli/json_writer.h"
#include "tools/cli/tensor_format.h"

namespace remotek::cli {
namespace {

using client::AttrValue;
using client::HostTensor;
using ::remotek::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// ------------------------------------------------------------- ParseArgs

const std::vector<FlagSpec>& Specs() {
  static const auto* specs = new std::vector<FlagSpec>{
      {.name = "json"},
      {.name = "address", .takes_value = true, .value_name = "HOST:PORT"},
      {.name = "input", .takes_value = true, .repeated = true},
      {.name = "output", .short_name = 'o', .takes_value = true},
  };
  return *specs;
}

TEST(ArgParser, AcceptsEveryFlagForm) {
  ASSERT_OK_AND_ASSIGN(
      ParsedArgs args,
      ParseArgs({"op", "--address=h:1", "--input", "a", "-o", "out", "--json",
                 "--input=b", "--", "--not-a-flag"},
                Specs(), "remotek eval"));
  EXPECT_EQ(args.Value("address"), "h:1");
  EXPECT_EQ(args.Value("output"), "out");
  EXPECT_TRUE(args.Has("json"));
  EXPECT_FALSE(args.Has("nothing"));
  EXPECT_EQ(args.Value("nothing"), std::nullopt);
  EXPECT_THAT(args.Values("input"), ElementsAre("a", "b"));
  EXPECT_THAT(args.positionals(), ElementsAre("op", "--not-a-flag"));
}

TEST(ArgParser, StopsAtTheFirstPositionalForSubcommands) {
  ASSERT_OK_AND_ASSIGN(ParsedArgs args,
                       ParseArgs({"--json", "eval", "--bogus", "x"}, Specs(),
                                 "remotek", /*stop_at_first_positional=*/true));
  EXPECT_TRUE(args.Has("json"));
  EXPECT_TRUE(args.positionals().empty());
  EXPECT_THAT(args.rest(), ElementsAre("eval", "--bogus", "x"));
}

TEST(ArgParser, ErrorsNameTheFlagAndCommand) {
  EXPECT_THAT(ParseArgs({"--bogus=1"}, Specs(), "remotek info"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "unknown flag '--bogus' for 'remotek info'"));
  EXPECT_THAT(ParseArgs({"-x"}, Specs(), "remotek"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "unknown flag '-x' for 'remotek'"));
  EXPECT_THAT(ParseArgs({"--address"}, Specs(), "remotek"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "flag '--address' needs a value (HOST:PORT)"));
  EXPECT_THAT(ParseArgs({"--json=1"}, Specs(), "remotek"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "flag '--json' takes no value (got '1')"));
  EXPECT_THAT(ParseArgs({"-o", "a", "--output", "b"}, Specs(), "remotek"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "flag '--output' given more than once ('a' and 'b')"));
}

TEST(ArgParser, HelpListsFlagsAligned) {
  EXPECT_EQ(FormatFlagHelp({{.name = "json", .help = "JSON"},
                            {.name = "output",
                             .short_name = 'o',
                             .takes_value = true,
                             .value_name = "FILE",
                             .help = "out"}}),
            "      --json          JSON\n"
            "  -o, --output FILE   out\n");
}

// --------------------------------------------------------- attrs and axes

TEST(AttrParser, PicksTheNarrowestType) {
  struct Case {
    std::string text;
    AttrValue::Value want;
  };
  const std::vector<Case> cases = {
      {"true", true},
      {"False", false},
      {"3", int64_t{3}},
      {"-1", int64_t{-1}},
      {"0.5", 0.5},
      {"1e-3", 1e-3},
      {"1,2", std::vector<int64_t>{1, 2}},
      {"[1, 2]", std::vector<int64_t>{1, 2}},
      {"(1,)", std::vector<int64_t>{1}},
      {"[]", std::vector<int64_t>{}},
      {"0.5,1", std::vector<double>{0.5, 1.0}},
      {"float32", std::string("float32")},
      {"channels_last", std::string("channels_last")},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    ASSERT_OK_AND_ASSIGN(AttrValue value, ParseAttrValue("a", c.text));
    EXPECT_EQ(value.value(), c.want);
  }
}

TEST(AttrParser, RejectsBadValuesNamingAttrAndText) {
  EXPECT_THAT(ParseAttrValue("axis", " "),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "attr 'axis' has an empty value"));
  EXPECT_THAT(
      ParseAttrValue("axes", "1,,2"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               "attr 'axes': list element '' of '1,,2' is not a number"));
  EXPECT_THAT(
      ParseAttrAssignment("keepdims"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("--attr 'keepdims' must look like NAME=VALUE")));
  EXPECT_THAT(ParseAttrAssignment("=3"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'=3'")));
  ASSERT_OK_AND_ASSIGN(auto assignment, ParseAttrAssignment("axis = 1"));
  EXPECT_EQ(assignment.first, "axis");
  EXPECT_EQ(assignment.second.value(), AttrValue::Value(int64_t{1}));
}

TEST(AttrParser, AxesAreIntegers) {
  ASSERT_OK_AND_ASSIGN(AttrValue one, ParseAxes("2"));
  EXPECT_EQ(one.value(), AttrValue::Value(int64_t{2}));
  ASSERT_OK_AND_ASSIGN(AttrValue pair, ParseAxes("1,2"));
  EXPECT_EQ(pair.value(), AttrValue::Value(std::vector<int64_t>{1, 2}));
  EXPECT_THAT(ParseAxes("0.5"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "--axes '0.5' must be an integer or integers like 1,2"));
  EXPECT_THAT(ParseAxes("rows"), StatusIs(absl::StatusCode::kInvalidArgument,
                                          HasSubstr("'rows'")));
}

// ---------------------------------------------------------------- output

TEST(TensorFormat, PrintsNestedLikeNumpy) {
  EXPECT_EQ(FormatTensorText(HostTensor::Scalar<double>(0.1)),
            "float64[]\n0.1\n");
  EXPECT_EQ(
      FormatTensorText(HostTensor::FromVector<bool>({3}, {true, false, true})),
      "bool[3]\n[true, false, true]\n");
  EXPECT_EQ(FormatTensorText(
                HostTensor::FromVector<int32_t>({2, 1, 2}, {1, -2, 3, 4})),
            "int32[2,1,2]\n[[[1, -2]],\n\n [[3, 4]]]\n");
  EXPECT_EQ(FormatTensorText(HostTensor::FromVector<float>({0}, {})),
            "float32[0]\n[]\n");
  // float16 1.0 and -2.0; float32 prints its shortest round-trip form.
  EXPECT_EQ(
      FormatTensorText(HostTensor::FromFloat16Bits({2}, {0x3c00, 0xc000})),
      "float16[2]\n[1, -2]\n");
  EXPECT_EQ(FormatElement(HostTensor::Scalar<float>(0.1f), 0), "0.1");
  EXPECT_EQ(FormatElement(HostTensor::Scalar<float>(NAN), 0), "nan");
}

TEST(TensorFormat, JsonNestsValuesAndQuotesNonFinite) {
  JsonWriter json;
  WriteTensorJson(
      HostTensor::FromVector<float>({2, 2}, {1, INFINITY, NAN, -0.5}), &json);
  EXPECT_EQ(
      json.str(),
      "{\"dtype\":\"float32\",\"shape\":[2,2],\"values\":[[1,\"Infinity\"],"
      "[\"NaN\",-0.5]]}");
  JsonWriter ints;
  WriteTensorJson(HostTensor::FromVector<int64_t>({2}, {-7, int64_t{1} << 40}),
                  &ints);
  EXPECT_EQ(
      ints.str(),
      "{\"dtype\":\"int64\",\"shape\":[2],\"values\":[-7,1099511627776]}");
}

TEST(JsonWriter, EscapesStrings) {
  JsonWriter json;
  json.BeginObject().Key("m").String("a\"b\\c\n\x01").Key("ok").Bool(true);
  json.Key("l").BeginArray().Int(1).Null().EndArray().EndObject();
  EXPECT_EQ(json.str(),
            "{\"m\":\"a\\\"b\\\\c\\n\\u0001\",\"ok\":true,\"l\":[1,null]}");
}

}  // namespace
}  // namespace remotek::cli
