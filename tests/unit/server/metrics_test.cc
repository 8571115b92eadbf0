// server/metrics: histogram buckets, label escaping, the exposition text for
// RPCs, sessions and ops, and the bound on op label cardinality.
#include "server/metrics.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace remotek::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(LatencyHistogram, BucketsAreCumulativeAndInclusive) {
  LatencyHistogram h;
  h.Observe(0.00002);  // <= 0.000025
  h.Observe(0.001);    // exactly a bound: counted in it
  h.Observe(20);       // above every bound
  h.Observe(-1);       // clock step: counted as 0
  const LatencyHistogram::Snapshot s = h.Read();
  EXPECT_EQ(s.cumulative[0], 1u);  // le=0.00001: the -1
  EXPECT_EQ(s.cumulative[1], 2u);  // le=0.000025
  EXPECT_EQ(s.cumulative[5], 2u);  // le=0.0005
  EXPECT_EQ(s.cumulative[6], 3u);  // le=0.001
  EXPECT_EQ(s.cumulative[LatencyHistogram::kBuckets - 1], 3u);  // le=10
  EXPECT_EQ(s.count, 4u);
  EXPECT_NEAR(s.sum_seconds, 20.00102, 1e-6);
}

TEST(LatencyHistogram, BoundsAndLabelsAgree) {
  for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
    EXPECT_DOUBLE_EQ(std::stod(std::string(kLatencyBucketLabels[i])),
                     kLatencyBuckets[i]);
    if (i > 0) EXPECT_LT(kLatencyBuckets[i - 1], kLatencyBuckets[i]);
  }
}

TEST(Metrics, EscapesLabelValues) {
  EXPECT_EQ(EscapeLabelValue("plain"), "plain");
  EXPECT_EQ(EscapeLabelValue("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
}

TEST(Metrics, RendersRpcCountsByMethodAndCode) {
  Metrics m({"/remotek.v1.RemoteK/Call", "/remotek.v1.RemoteK/CreateSession",
             "/grpc.health.v1.Health/Check"});
  Metrics::RpcStats* call = m.FindRpc("/remotek.v1.RemoteK/Call");
  EXPECT_EQ(call->label, "Call");
  EXPECT_EQ(m.FindRpc("/grpc.health.v1.Health/Check")->label,
            "grpc.health.v1.Health/Check");
  EXPECT_EQ(m.FindRpc("/no.Such/Method")->label, "other");
  EXPECT_EQ(m.FindRpc(nullptr)->label, "other");
  Metrics::ObserveRpc(call, 0, 0.002);
  Metrics::ObserveRpc(call, 5, 0.003);  // NOT_FOUND
  Metrics::ObserveRpc(call, 5, 0.004);
  Metrics::ObserveRpc(m.FindRpc("/x/y"), 99, 0.001);  // out of range: UNKNOWN
  const std::string text = m.Render({});
  EXPECT_THAT(
      text,
      HasSubstr("remotek_rpc_requests_total{method=\"Call\",code=\"OK\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("remotek_rpc_requests_total{method=\"Call\",code="
                              "\"NOT_FOUND\"} 2\n"));
  EXPECT_THAT(
      text,
      HasSubstr(
          "remotek_rpc_requests_total{method=\"other\",code=\"UNKNOWN\"} 1\n"));
  EXPECT_THAT(text,
              HasSubstr("remotek_rpc_errors_total{code=\"NOT_FOUND\"} 2\n"));
  EXPECT_THAT(text,
              HasSubstr("remotek_rpc_errors_total{code=\"UNKNOWN\"} 1\n"));
  EXPECT_THAT(text, Not(HasSubstr("remotek_rpc_errors_total{code=\"OK\"}")));
  EXPECT_THAT(text,
              Not(HasSubstr("method=\"CreateSession\"")));  // never observed
  EXPECT_THAT(text, HasSubstr("remotek_rpc_latency_seconds_bucket{method="
                              "\"Call\",le=\"0.001\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("remotek_rpc_latency_seconds_bucket{method="
                              "\"Call\",le=\"0.0025\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("remotek_rpc_latency_seconds_bucket{method="
                              "\"Call\",le=\"0.005\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("remotek_rpc_latency_seconds_bucket{method="
                              "\"Call\",le=\"+Inf\"} 3\n"));
  EXPECT_THAT(
      text,
      HasSubstr("remotek_rpc_latency_seconds_sum{method=\"Call\"} 0.009\n"));
  EXPECT_THAT(
      text,
      HasSubstr("remotek_rpc_latency_seconds_count{method=\"Call\"} 3\n"));
  EXPECT_THAT(text,
              HasSubstr("# TYPE remotek_rpc_latency_seconds histogram\n"));
}

TEST(Metrics, RendersSessionGaugesAndCounters) {
  Metrics m({});
  m.ObserveSessionEvent(SessionEvent::kCreated);
  m.ObserveSessionEvent(SessionEvent::kCreated);
  m.ObserveSessionEvent(SessionEvent::kExpired);
  const std::string text =
      m.Render({{"alice", 2, 4096}, {"we\"ird\\ten\nant", 1, 7}});
  EXPECT_THAT(text, HasSubstr("\nremotek_sessions_open 3\n"));
  EXPECT_THAT(text,
              HasSubstr("remotek_tenant_sessions_open{tenant=\"alice\"} 2\n"));
  EXPECT_THAT(text,
              HasSubstr("remotek_tenant_bytes_held{tenant=\"alice\"} 4096\n"));
  EXPECT_THAT(
      text,
      HasSubstr(
          "remotek_tenant_bytes_held{tenant=\"we\\\"ird\\\\ten\\nant\"} 7\n"));
  EXPECT_THAT(text, HasSubstr("\nremotek_sessions_created_total 2\n"));
  EXPECT_THAT(text, HasSubstr("\nremotek_sessions_expired_total 1\n"));
  EXPECT_THAT(text, HasSubstr("\nremotek_sessions_closed_total 0\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE remotek_tenant_bytes_held gauge\n"));
}

TEST(Metrics, RendersOpsByBackendAndOp) {
  Metrics m({});
  m.RegisterOps("eigen", {"add", "dot"});
  m.ObserveOp("eigen", "add", 0.00003, true);
  m.ObserveOp("eigen", "add", 0.2, false);
  m.ObserveOp("reference", "add", 0.00003, true);  // not registered: kept too
  const std::string text = m.Render({});
  EXPECT_THAT(
      text,
      HasSubstr("remotek_op_runs_total{backend=\"eigen\",op=\"add\"} 2\n"));
  EXPECT_THAT(
      text,
      HasSubstr("remotek_op_errors_total{backend=\"eigen\",op=\"add\"} 1\n"));
  EXPECT_THAT(
      text,
      HasSubstr("remotek_op_runs_total{backend=\"reference\",op=\"add\"} 1\n"));
  EXPECT_THAT(text, Not(HasSubstr("op=\"dot\"")));
  // One histogram per op across backends.
  EXPECT_THAT(
      text,
      HasSubstr(
          "remotek_op_latency_seconds_bucket{op=\"add\",le=\"0.00005\"} 2\n"));
  EXPECT_THAT(text,
              HasSubstr("remotek_op_latency_seconds_count{op=\"add\"} 3\n"));
}

TEST(Metrics, UnregisteredOpSeriesAreBounded) {
  Metrics m({});
  const size_t cap = Metrics::kMaxExtraOpSeries;
  for (size_t i = 0; i < cap + 10; ++i)
    m.ObserveOp("b", absl::StrCat("op", i), 0.001, true);
  const std::string text = m.Render({});
  EXPECT_THAT(text, HasSubstr(absl::StrCat("op=\"op", cap - 1, "\"} 1\n")));
  EXPECT_THAT(text, Not(HasSubstr(absl::StrCat("op=\"op", cap, "\""))));
  EXPECT_THAT(
      text,
      HasSubstr("remotek_op_runs_total{backend=\"other\",op=\"other\"} 10\n"));
}

}  // namespace
}  // namespace remotek::server
