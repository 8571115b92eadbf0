// Unit tests of remotek-load's RunStats bookkeeping and its reports: errors
// by gRPC code name, merge, the JSON / CSV / text renderings and the sweep
// SVG, on hand-made results (no server).
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tools/load/report.h"
#include "tools/load/run_stats.h"
#include "tools/load/svg_chart.h"

namespace remotek::load {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

RequestOutcome Ok(ScenarioKind kind, int64_t sent, int64_t received) {
  RequestOutcome o;
  o.scenario = kind;
  o.bytes_sent = sent;
  o.bytes_received = received;
  return o;
}

RequestOutcome Failed(grpc::StatusCode code, const std::string& message) {
  RequestOutcome o;
  o.status = grpc::Status(code, message);
  o.bytes_sent = 10;
  return o;
}

// 3 ok small_op requests (1, 2, 3 ms), one mlp (4 ms), two UNAVAILABLE and
// one DEADLINE_EXCEEDED; over 0.5 s.
RunStats SampleStats() {
  RunStats s;
  s.concurrency = 4;
  for (int ms = 1; ms <= 3; ++ms) {
    s.Record(Ok(ScenarioKind::kSmallOp, 100, 40), ms * 1'000'000);
  }
  s.Record(Ok(ScenarioKind::kMlp, 1000, 400), 4'000'000);
  s.Record(Failed(grpc::StatusCode::UNAVAILABLE, "connection \"reset\""), 1);
  s.Record(Failed(grpc::StatusCode::UNAVAILABLE, "second"), 1);
  s.Record(Failed(grpc::StatusCode::DEADLINE_EXCEEDED, "too slow"), 1);
  s.elapsed_seconds = 0.5;
  return s;
}

TEST(RunStats, CountsErrorsByCodeNameAndKeepsFailuresOutOfLatency) {
  RunStats s = SampleStats();
  EXPECT_EQ(s.requests, 7);
  EXPECT_EQ(s.ok, 4);
  EXPECT_EQ(s.errors, 3);
  ASSERT_EQ(s.errors_by_code.size(), 2u);
  EXPECT_EQ(s.errors_by_code["UNAVAILABLE"].count, 2);
  EXPECT_EQ(s.errors_by_code["UNAVAILABLE"].example, "connection \"reset\"");
  EXPECT_EQ(s.errors_by_code["DEADLINE_EXCEEDED"].count, 1);
  EXPECT_EQ(s.latency.count(), 4);
  EXPECT_EQ(s.latency.min(), 1'000'000);
  EXPECT_EQ(s.latency.max(), 4'000'000);
  EXPECT_EQ(s.bytes_sent, 3 * 100 + 1000 + 3 * 10);
  EXPECT_EQ(s.bytes_received, 3 * 40 + 400);
  EXPECT_EQ(s.requests_by_scenario["small_op"], 3 + 3);  // failures default
  EXPECT_EQ(s.requests_by_scenario["mlp"], 1);
  EXPECT_DOUBLE_EQ(s.qps(), 14.0);
}

TEST(RunStats, SendLagCountsLateOnlyAboveTheThreshold) {
  RunStats s;
  s.RecordSendLag(kLateThresholdNs);  // exactly on the threshold: on time
  s.RecordSendLag(kLateThresholdNs + 1);
  s.RecordSendLag(5'000'000);
  EXPECT_EQ(s.late, 2);
  EXPECT_EQ(s.max_send_lag_ns, 5'000'000);
}

TEST(RunStats, MergeAddsCountsAndKeepsTheFirstExample) {
  RunStats a = SampleStats();
  RunStats b;
  b.Record(Failed(grpc::StatusCode::UNAVAILABLE, "from b"), 1);
  b.Record(Failed(grpc::StatusCode::INTERNAL, "boom"), 1);
  b.RecordSendLag(7'000'000);
  b.elapsed_seconds = 0.75;
  a.Merge(b);
  EXPECT_EQ(a.requests, 9);
  EXPECT_EQ(a.errors, 5);
  EXPECT_EQ(a.errors_by_code["UNAVAILABLE"].count, 3);
  EXPECT_EQ(a.errors_by_code["UNAVAILABLE"].example, "connection \"reset\"");
  EXPECT_EQ(a.errors_by_code["INTERNAL"].example, "boom");
  EXPECT_EQ(a.late, 1);
  EXPECT_DOUBLE_EQ(a.elapsed_seconds, 0.75);  // the workers ran in parallel
}

RunReport SweepReport() {
  RunReport r;
  r.scenario = "small_op:5,mlp:1";
  r.mode = LoadMode::kSweep;
  r.address = "127.0.0.1:1";
  r.duration_seconds = 2;
  for (int c : {1, 2, 4}) {
    RunStats s = SampleStats();
    s.concurrency = c;
    s.elapsed_seconds = 1.0 / c;
    r.steps.push_back(s);
  }
  return r;
}

TEST(Report, JsonParsesAndCarriesEveryFigure) {
  const std::string json = FormatReport(SweepReport(), ReportFormat::kJson);
  google::protobuf::Struct report;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &report).ok())
      << json;
  const auto& f = report.fields();
  EXPECT_EQ(f.at("scenario").string_value(), "small_op:5,mlp:1");
  EXPECT_EQ(f.at("mode").string_value(), "sweep");
  EXPECT_EQ(f.at("duration_s").number_value(), 2);
  const auto& steps = f.at("steps").list_value();
  ASSERT_EQ(steps.values_size(), 3);
  const auto& step = steps.values(2).struct_value().fields();
  EXPECT_EQ(step.at("concurrency").number_value(), 4);
  EXPECT_EQ(step.at("requests").number_value(), 7);
  EXPECT_EQ(step.at("errors").number_value(), 3);
  EXPECT_DOUBLE_EQ(step.at("qps").number_value(), 28);
  const auto& errors = step.at("errors_by_code").struct_value().fields();
  EXPECT_EQ(errors.at("UNAVAILABLE")
                .struct_value()
                .fields()
                .at("count")
                .number_value(),
            2);
  // The quotes in the message survive JSON escaping.
  EXPECT_EQ(errors.at("UNAVAILABLE")
                .struct_value()
                .fields()
                .at("example")
                .string_value(),
            "connection \"reset\"");
  const auto& latency = step.at("latency_us").struct_value().fields();
  EXPECT_EQ(latency.at("min").number_value(), 1000);
  EXPECT_EQ(latency.at("max").number_value(), 4000);
  EXPECT_NEAR(latency.at("p50").number_value(), 2000, 20);
  EXPECT_NEAR(latency.at("mean").number_value(), 2500, 1e-6);
}

TEST(Report, CsvHasTheHeaderAndOneQuotedRowPerStep) {
  const std::string csv = FormatReport(SweepReport(), ReportFormat::kCsv);
  std::vector<std::string> lines = absl::StrSplit(csv, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], CsvHeader());
  EXPECT_THAT(lines[1], StartsWith("\"small_op:5,mlp:1\",sweep,1,"));
  EXPECT_THAT(lines[3],
              StartsWith("\"small_op:5,mlp:1\",sweep,4,0.000,7,4,3,"));
}

TEST(Report, TextNamesErrorsByCode) {
  RunReport r = SweepReport();
  r.mode = LoadMode::kClosedLoop;
  r.steps.resize(1);
  const std::string text = FormatReport(r, ReportFormat::kText);
  EXPECT_THAT(text, AllOf(HasSubstr("requests    7 (4 ok, 3 errors)"),
                          HasSubstr("DEADLINE_EXCEEDED 1 (e.g. \"too slow\")"),
                          HasSubstr("UNAVAILABLE 2"),
                          HasSubstr("mix         mlp 1, "
                                    "small_op 6")));
  const std::string sweep = FormatReport(SweepReport(), ReportFormat::kText);
  EXPECT_THAT(sweep, HasSubstr("errors at concurrency 4: "));
}

TEST(SvgChart, TwoLabelledPanelsWithOnePointPerStep) {
  const std::string svg = RenderSweepSvg(SweepReport());
  EXPECT_THAT(svg, StartsWith("<svg xmlns=\"http://www.w3.org/2000/svg\""));
  EXPECT_THAT(
      svg, AllOf(HasSubstr("<g id=\"throughput\">"),
                 HasSubstr("<g id=\"p99\">"), HasSubstr("throughput (req/s)"),
                 HasSubstr("p99 latency (ms)"), HasSubstr("</svg>\n")));
  // 3 steps x 2 series.
  int circles = 0;
  for (size_t at = svg.find("<circle"); at != std::string::npos;
       at = svg.find("<circle", at + 1)) {
    ++circles;
  }
  EXPECT_EQ(circles, 6);
  EXPECT_THAT(svg, Not(HasSubstr("nan")));
  EXPECT_THAT(svg, Not(HasSubstr("inf")));
  // The mix label's characters are escaped where they need to be.
  RunReport odd = SweepReport();
  odd.scenario = "a<b&c";
  EXPECT_THAT(RenderSweepSvg(odd), HasSubstr("a&lt;b&amp;c"));
}

TEST(SvgChart, AllZeroResultsStillDrawFiniteCoordinates) {
  RunReport r;
  r.mode = LoadMode::kSweep;
  r.steps.resize(1);  // one step, nothing measured
  const std::string svg = RenderSweepSvg(r);
  EXPECT_THAT(svg, StartsWith("<svg"));
  EXPECT_THAT(svg, Not(HasSubstr("nan")));
  EXPECT_THAT(svg, Not(HasSubstr("inf")));
}

}  // namespace
}  // namespace remotek::load
