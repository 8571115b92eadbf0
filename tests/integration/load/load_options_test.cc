// Unit tests of remotek-load's value parsers and flag parser: durations, byte
// sizes, concurrency ranges, modes and the precise errors for bad values.
#include "tools/load/load_options.h"

#include <chrono>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace remotek::load {
namespace {

using std::chrono::nanoseconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ParseDuration, UnitsAndBareSeconds) {
  EXPECT_EQ(ParseDuration("5s").value(), std::chrono::seconds(5));
  EXPECT_EQ(ParseDuration("250ms").value(), std::chrono::milliseconds(250));
  EXPECT_EQ(ParseDuration("100us").value(), std::chrono::microseconds(100));
  EXPECT_EQ(ParseDuration("1.5m").value(), std::chrono::seconds(90));
  EXPECT_EQ(ParseDuration("2").value(), std::chrono::seconds(2));
  EXPECT_EQ(ParseDuration("0s").value(), nanoseconds(0));
  for (const char* bad : {"", "s", "abc", "-1s", "5parsecs", "1.2.3s"}) {
    EXPECT_FALSE(ParseDuration(bad).ok()) << bad;
  }
}

TEST(ParseByteSize, BinaryAndDecimalUnits) {
  EXPECT_EQ(ParseByteSize("1MiB").value(), 1 << 20);
  EXPECT_EQ(ParseByteSize("64KiB").value(), 64 << 10);
  EXPECT_EQ(ParseByteSize("1MB").value(), 1000000);
  EXPECT_EQ(ParseByteSize("4096").value(), 4096);
  EXPECT_EQ(ParseByteSize("0.5KiB").value(), 512);
  for (const char* bad : {"", "MiB", "0", "-4", "1XB", "2e12"}) {
    EXPECT_FALSE(ParseByteSize(bad).ok()) << bad;
  }
}

TEST(ParseConcurrencyRange, MultiplyAndAddSteps) {
  EXPECT_THAT(ParseConcurrencyRange("1:64:x2").value(),
              ElementsAre(1, 2, 4, 8, 16, 32, 64));
  EXPECT_THAT(ParseConcurrencyRange("1:16:+5").value(),
              ElementsAre(1, 6, 11, 16));
  EXPECT_THAT(ParseConcurrencyRange("3:10:x3").value(), ElementsAre(3, 9));
  EXPECT_THAT(ParseConcurrencyRange("4:4:+1").value(), ElementsAre(4));
  EXPECT_THAT(ParseConcurrencyRange("1:64:y2").status().message(),
              HasSubstr("step 'y2'"));
  EXPECT_THAT(ParseConcurrencyRange("0:4:x2").status().message(),
              HasSubstr("start '0'"));
  EXPECT_THAT(ParseConcurrencyRange("8:4:x2").status().message(),
              HasSubstr("end '4'"));
  EXPECT_THAT(ParseConcurrencyRange("1:8:x1").status().message(),
              HasSubstr("step 'x1'"));
  EXPECT_THAT(ParseConcurrencyRange("1:8").status().message(),
              HasSubstr("start:end:step"));
}

TEST(ParseLoadOptions, DefaultsAreAOneWorkerClosedLoopOfSmallOps) {
  LoadOptions o = ParseLoadOptions({}).value();
  EXPECT_EQ(o.mode, LoadMode::kClosedLoop);
  EXPECT_EQ(o.concurrency, 1);
  ASSERT_EQ(o.scenarios.size(), 1u);
  EXPECT_EQ(o.scenarios[0].kind, ScenarioKind::kSmallOp);
  EXPECT_EQ(o.duration, std::chrono::seconds(5));
  EXPECT_EQ(o.requests, 0);
  EXPECT_EQ(o.format, ReportFormat::kText);
}

TEST(ParseLoadOptions, ModesScenarioParametersAndOutput) {
  LoadOptions open =
      ParseLoadOptions({"--rate", "250.5", "--requests=10", "--warmup=1s",
                        "--max-in-flight=8", "--json", "--output=r.json"})
          .value();
  EXPECT_EQ(open.mode, LoadMode::kOpenLoop);
  EXPECT_DOUBLE_EQ(open.rate, 250.5);
  EXPECT_EQ(open.requests, 10);
  EXPECT_EQ(open.warmup, std::chrono::seconds(1));
  EXPECT_EQ(open.max_in_flight, 8);
  EXPECT_EQ(open.format, ReportFormat::kJson);
  EXPECT_EQ(open.output_path, "r.json");

  LoadOptions sweep =
      ParseLoadOptions({"--concurrency-range=1:8:x2", "--scenario=batch_dot",
                        "--x-shape=4,5,1", "--y-shape=4,6,5", "--axes=1,2",
                        "--csv", "--svg=c.svg"})
          .value();
  EXPECT_EQ(sweep.mode, LoadMode::kSweep);
  EXPECT_THAT(sweep.concurrency_steps, ElementsAre(1, 2, 4, 8));
  EXPECT_EQ(sweep.scenarios[0].kind, ScenarioKind::kBatchDot);
  EXPECT_THAT(sweep.x_shape, ElementsAre(4, 5, 1));
  EXPECT_THAT(sweep.y_shape, ElementsAre(4, 6, 5));
  EXPECT_THAT(sweep.axes, ElementsAre(1, 2));
  EXPECT_EQ(sweep.format, ReportFormat::kCsv);
  EXPECT_EQ(sweep.svg_path, "c.svg");

  LoadOptions mix =
      ParseLoadOptions({"--mix=small_op:5,mlp:1", "--layers=8,16,4",
                        "--batch=2", "--bytes=64KiB", "--transfer=unary"})
          .value();
  ASSERT_EQ(mix.scenarios.size(), 2u);
  EXPECT_EQ(mix.scenarios[0].kind, ScenarioKind::kSmallOp);
  EXPECT_EQ(mix.scenarios[0].weight, 5);
  EXPECT_EQ(mix.scenarios[1].kind, ScenarioKind::kMlp);
  EXPECT_EQ(mix.scenarios[1].weight, 1);
  EXPECT_THAT(mix.layers, ElementsAre(8, 16, 4));
  EXPECT_EQ(mix.batch, 2);
  EXPECT_EQ(mix.bytes, 64 << 10);
  EXPECT_FALSE(mix.transfer_streaming);
}

TEST(ParseLoadOptions, ErrorsNameTheFlagAndValue) {
  auto message = [](std::vector<std::string> args) {
    return std::string(ParseLoadOptions(args).status().message());
  };
  EXPECT_EQ(message({"--rate=0"}),
            "--rate=0: must be a number of requests/s in (0, 1e7]");
  EXPECT_EQ(message({"--concurrency=-3"}), "--concurrency=-3: must be > 0");
  EXPECT_EQ(message({"--requests=ten"}), "--requests=ten: not an integer");
  EXPECT_EQ(message({"--layers=64"}),
            "--layers=64: needs at least an input and an output width");
  EXPECT_EQ(message({"--mix=small_op:1,small_op:2"}),
            "--mix=small_op:1,small_op:2: scenario small_op is listed twice");
  EXPECT_EQ(message({"--mix=small_op"}),
            "--mix=small_op: 'small_op' is not scenario:weight");
  EXPECT_EQ(message({"--scenario=mlp", "--mix=mlp:1"}),
            "--scenario and --mix cannot be combined");
  EXPECT_EQ(message({"--requests=5", "--duration=1s"}),
            "--requests and --duration cannot be combined");
  EXPECT_EQ(message({"--max-in-flight=4"}),
            "--max-in-flight applies only to --rate (open loop)");
  EXPECT_EQ(message({"stray"}),
            "unexpected argument 'stray' (flags start with --)");
  EXPECT_EQ(message({"--duration=0s"}), "--duration=0s: must be > 0");
}

}  // namespace
}  // namespace remotek::load
