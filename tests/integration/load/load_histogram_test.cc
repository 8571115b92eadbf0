// Unit tests of remotek-load's LatencyHistogram: bucket geometry, percentiles
// of known distributions within the stated relative error, merge, and exact
// min / max / count / mean.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "tools/load/latency_histogram.h"

namespace remotek::load {
namespace {

// The sample at rank ceil(q/100 * n) (at least 1) of `sorted`: the
// definition Percentile() approximates.
int64_t ExactPercentile(const std::vector<int64_t>& sorted, double q) {
  const int64_t n = static_cast<int64_t>(sorted.size());
  const int64_t rank =
      std::max<int64_t>(1, static_cast<int64_t>(std::ceil(q / 100.0 * n)));
  return sorted[static_cast<size_t>(rank - 1)];
}

void ExpectWithinRelativeError(int64_t got, int64_t want, double bound,
                               double q) {
  const double error =
      std::fabs(static_cast<double>(got - want)) / static_cast<double>(want);
  EXPECT_LE(error, bound) << "q=" << q << " got " << got << " want " << want;
}

TEST(LatencyHistogram, EmptyReportsZeros) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.max(), 0);
  EXPECT_EQ(h.mean(), 0);
  EXPECT_EQ(h.Percentile(50), 0);
  EXPECT_EQ(h.Percentile(99.9), 0);
}

TEST(LatencyHistogram, BucketsTileTheRangeWithBoundedWidth) {
  // Every value from 1 µs to 60 s lands in a bucket that contains it, whose
  // width is at most 1/128 of its lower bound.
  for (int64_t v = 1000; v <= LatencyHistogram::kMaxTrackableNs;
       v = static_cast<int64_t>(static_cast<double>(v) * 1.07) + 1) {
    const int index = LatencyHistogram::BucketIndex(v);
    const int64_t low = LatencyHistogram::BucketLowest(index);
    const int64_t width = LatencyHistogram::BucketWidth(index);
    ASSERT_LE(low, v);
    ASSERT_LT(v, low + width);
    ASSERT_LE(static_cast<double>(width) / static_cast<double>(low),
              1.0 / 128 + 1e-12)
        << v;
  }
  // Adjacent buckets meet exactly.
  for (int i = 1;
       i < LatencyHistogram::BucketIndex(LatencyHistogram::kMaxTrackableNs);
       ++i) {
    ASSERT_EQ(LatencyHistogram::BucketLowest(i - 1) +
                  LatencyHistogram::BucketWidth(i - 1),
              LatencyHistogram::BucketLowest(i))
        << i;
  }
  // Small values are exact.
  EXPECT_EQ(LatencyHistogram::BucketIndex(0), 0);
  EXPECT_EQ(LatencyHistogram::BucketIndex(127), 127);
  EXPECT_EQ(LatencyHistogram::BucketLowest(127), 127);
  EXPECT_EQ(LatencyHistogram::BucketIndex(128), 128);
  EXPECT_EQ(LatencyHistogram::BucketWidth(128), 1);
  EXPECT_EQ(LatencyHistogram::BucketWidth(LatencyHistogram::BucketIndex(256)),
            2);
}

TEST(LatencyHistogram, SingleValueIsExactEverywhere) {
  LatencyHistogram h;
  h.Record(1'234'567);
  EXPECT_EQ(h.count(), 1);
  EXPECT_EQ(h.min(), 1'234'567);
  EXPECT_EQ(h.max(), 1'234'567);
  EXPECT_DOUBLE_EQ(h.mean(), 1'234'567.0);
  // Clamping to [min, max] makes every percentile the one value.
  EXPECT_EQ(h.Percentile(0), 1'234'567);
  EXPECT_EQ(h.Percentile(50), 1'234'567);
  EXPECT_EQ(h.Percentile(100), 1'234'567);
}

TEST(LatencyHistogram, UniformOneToHundredMillisecondsWithinOnePercent) {
  // 1, 2, ..., 100 ms: the q-th percentile is q ms exactly.
  LatencyHistogram h;
  std::vector<int64_t> values;
  for (int64_t ms = 1; ms <= 100; ++ms) values.push_back(ms * 1'000'000);
  for (int64_t v : values) h.Record(v);
  EXPECT_EQ(h.count(), 100);
  EXPECT_EQ(h.min(), 1'000'000);
  EXPECT_EQ(h.max(), 100'000'000);
  EXPECT_DOUBLE_EQ(h.mean(), 50.5e6);
  for (double q : {1.0, 10.0, 25.0, 50.0, 75.0, 90.0, 99.0}) {
    ExpectWithinRelativeError(h.Percentile(q),
                              static_cast<int64_t>(q) * 1'000'000, 0.01, q);
  }
  EXPECT_EQ(h.Percentile(100), 100'000'000);
}

TEST(LatencyHistogram, LogNormalPercentilesWithinStatedBound) {
  // A heavy-tailed latency distribution over 1 µs .. 60 s, compared with the
  // exact percentiles of the same samples. The stated bound is half a
  // bucket: 1/256 < 0.4%.
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> dist(std::log(2e6), 1.5);  // median 2 ms
  LatencyHistogram h;
  std::vector<int64_t> values;
  for (int i = 0; i < 200'000; ++i) {
    const int64_t v = std::clamp<int64_t>(static_cast<int64_t>(dist(rng)), 1000,
                                          LatencyHistogram::kMaxTrackableNs);
    values.push_back(v);
    h.Record(v);
  }
  std::sort(values.begin(), values.end());
  for (double q : {0.1, 1.0, 10.0, 50.0, 90.0, 99.0, 99.9, 99.99}) {
    ExpectWithinRelativeError(h.Percentile(q), ExactPercentile(values, q),
                              1.0 / 256, q);
  }
  EXPECT_EQ(h.min(), values.front());
  EXPECT_EQ(h.max(), values.back());
  EXPECT_EQ(h.count(), 200'000);
}

TEST(LatencyHistogram, MergeEqualsRecordingEverythingInOne) {
  std::mt19937_64 rng(7);
  std::exponential_distribution<double> dist(1.0 / 5e5);  // mean 0.5 ms
  LatencyHistogram all;
  std::vector<LatencyHistogram> parts(4);
  for (int i = 0; i < 40'000; ++i) {
    const int64_t v = 1000 + static_cast<int64_t>(dist(rng));
    all.Record(v);
    parts[static_cast<size_t>(i % 4)].Record(v);
  }
  LatencyHistogram merged;
  for (const LatencyHistogram& p : parts) merged.Merge(p);
  EXPECT_EQ(merged.count(), all.count());
  EXPECT_EQ(merged.min(), all.min());
  EXPECT_EQ(merged.max(), all.max());
  EXPECT_NEAR(merged.mean(), all.mean(), 1e-6 * all.mean());
  for (double q : {1.0, 50.0, 90.0, 99.0, 99.9, 100.0}) {
    EXPECT_EQ(merged.Percentile(q), all.Percentile(q)) << q;
  }
}

TEST(LatencyHistogram, MergeKeepsMinAndMaxFromEitherSide) {
  LatencyHistogram a;
  a.Record(5'000);
  a.Record(9'000);
  LatencyHistogram b;
  b.Record(3'001);
  b.Record(7'777'777);
  LatencyHistogram empty;
  a.Merge(empty);  // merging nothing changes nothing
  EXPECT_EQ(a.count(), 2);
  EXPECT_EQ(a.min(), 5'000);
  a.Merge(b);
  EXPECT_EQ(a.count(), 4);
  EXPECT_EQ(a.min(), 3'001);
  EXPECT_EQ(a.max(), 7'777'777);
  empty.Merge(a);  // into an empty one takes everything
  EXPECT_EQ(empty.min(), 3'001);
  EXPECT_EQ(empty.max(), 7'777'777);
  EXPECT_EQ(empty.Percentile(100), 7'777'777);
}

TEST(LatencyHistogram, ValuesBeyondSixtySecondsKeepExactMax) {
  LatencyHistogram h;
  h.Record(1'000);
  h.Record(90'000'000'000);  // 90 s: counted in the top bucket
  EXPECT_EQ(h.count(), 2);
  EXPECT_EQ(h.max(), 90'000'000'000);
  EXPECT_EQ(h.Percentile(100), 90'000'000'000);
  ExpectWithinRelativeError(h.Percentile(50), 1'000, 0.01, 50);
  h.Record(-5);  // a negative duration (clock trouble) counts as 0
  EXPECT_EQ(h.min(), 0);
}

TEST(LatencyHistogram, BimodalTailIsNotAveragedAway) {
  // 99% fast (100 µs), 1% slow (50 ms): p99 is still fast, p99.5 is slow.
  LatencyHistogram h;
  for (int i = 0; i < 9'900; ++i) h.Record(100'000);
  for (int i = 0; i < 100; ++i) h.Record(50'000'000);
  ExpectWithinRelativeError(h.Percentile(50), 100'000, 0.01, 50);
  ExpectWithinRelativeError(h.Percentile(99), 100'000, 0.01, 99);
  ExpectWithinRelativeError(h.Percentile(99.5), 50'000'000, 0.01, 99.5);
  ExpectWithinRelativeError(h.Percentile(99.9), 50'000'000, 0.01, 99.9);
}

}  // namespace
}  // namespace remotek::load
