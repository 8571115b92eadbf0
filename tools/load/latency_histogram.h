// LatencyHistogram: an HDR-style log-linear histogram of latencies in
// nanoseconds, the one place remotek-load keeps its samples.
//
// Each power-of-two range [2^e, 2^(e+1)) is split into 128 equal sub-buckets,
// so a bucket is at most 1/128 (0.78%) of its lower bound wide and a reported
// percentile, the middle of its bucket, is within 0.4% of a recorded value.
// Values below 128 ns have a bucket each (exact). The tracked range is 1 ns
// to 60 s; larger values count in the top bucket (and still set max()).
// min(), max(), count() and mean() are exact.
//
//   LatencyHistogram h;
//   h.Record(1'250'000);            // 1.25 ms
//   h.Merge(other_worker_histogram);
//   int64_t p99 = h.Percentile(99);
//
// Memory is fixed (~30 KiB) whatever the number of samples, which is why a
// long run never keeps a vector of every sample.
//
// Thread-safety: none; each worker owns one and the runner merges them after
// the workers have joined.
#ifndef REMOTEK_TOOLS_LOAD_LATENCY_HISTOGRAM_H_
#define REMOTEK_TOOLS_LOAD_LATENCY_HISTOGRAM_H_

#include <cstdint>
#include <vector>

namespace remotek::load {

class LatencyHistogram {
 public:
  static constexpr int kSubBucketBits = 7;  // 128 sub-buckets per octave
  static constexpr int64_t kSubBucketCount = int64_t{1} << kSubBucketBits;
  static constexpr int64_t kMaxTrackableNs = int64_t{60} * 1'000'000'000;

  LatencyHistogram();

  // Records one latency. Negative values count as 0.
  void Record(int64_t nanoseconds);
  // Adds every sample of `other` (same fixed layout, so merging is exact).
  void Merge(const LatencyHistogram& other);

  int64_t count() const { return count_; }
  // 0 when empty.
  int64_t min() const { return count_ == 0 ? 0 : min_; }
  int64_t max() const { return count_ == 0 ? 0 : max_; }
  double mean() const;

  // The value at rank ceil(q/100 * count) (at least rank 1) of the sorted
  // samples, within the bucket's relative error and clamped to [min, max].
  // The lowest rank is min() and the highest max(), exactly. q is clamped to
  // [0, 100]. 0 when empty.
  int64_t Percentile(double q) const;

  // Bucket geometry, exposed for the unit test.
  static int BucketIndex(int64_t nanoseconds);
  static int64_t BucketLowest(int index);
  static int64_t BucketWidth(int index);

 private:
  std::vector<int64_t> counts_;
  int64_t count_ = 0;
  int64_t min_ = 0;
  int64_t max_ = 0;
  // Exact sum of the recorded values (a 60 s cap times 2^63 samples cannot
  // overflow a double's range, and its 53-bit precision is ample for a mean).
  long double sum_ = 0;
};

}  // namespace remotek::load

#endif  // REMOTEK_TOOLS_LOAD_LATENCY_HISTOGRAM_H_
