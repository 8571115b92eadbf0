// LatencyHistogram: log-linear bucket arithmetic (see the header).
#include "tools/load/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace remotek::load {
namespace {

int BucketCountFor(int64_t max_value) {
  return LatencyHistogram::BucketIndex(max_value) + 1;
}

}  // namespace

LatencyHistogram::LatencyHistogram()
    : counts_(static_cast<size_t>(BucketCountFor(kMaxTrackableNs)), 0) {}

// Values below kSubBucketCount index themselves; above, the top
// kSubBucketBits+1 bits (leading one and the next 7) pick octave and
// sub-bucket, the way HdrHistogram does.
int LatencyHistogram::BucketIndex(int64_t ns) {
  if (ns < kSubBucketCount) return static_cast<int>(std::max<int64_t>(ns, 0));
  const int exponent = 63 - std::countl_zero(static_cast<uint64_t>(ns));
  const int shift = exponent - kSubBucketBits;
  const int64_t sub = (ns >> shift) - kSubBucketCount;
  return static_cast<int>(kSubBucketCount + shift * kSubBucketCount + sub);
}

int64_t LatencyHistogram::BucketLowest(int index) {
  if (index < kSubBucketCount) return index;
  const int shift =
      static_cast<int>((index - kSubBucketCount) / kSubBucketCount);
  const int64_t sub = (index - kSubBucketCount) % kSubBucketCount;
  return (kSubBucketCount + sub) << shift;
}

int64_t LatencyHistogram::BucketWidth(int index) {
  if (index < kSubBucketCount) return 1;
  return int64_t{1} << ((index - kSubBucketCount) / kSubBucketCount);
}

void LatencyHistogram::Record(int64_t ns) {
  ns = std::max<int64_t>(ns, 0);
  const int64_t tracked = std::min(ns, kMaxTrackableNs);
  ++counts_[static_cast<size_t>(BucketIndex(tracked))];
  if (count_ == 0) {
    min_ = max_ = ns;
  } else {
    min_ = std::min(min_, ns);
    max_ = std::max(max_, ns);
  }
  ++count_;
  sum_ += static_cast<long double>(ns);
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  if (other.count_ == 0) return;
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  if (count_ == 0) {
    min_ = other.min_;
    max_ = other.max_;
  } else {
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
  }
  count_ += other.count_;
  sum_ += other.sum_;
}

double LatencyHistogram::mean() const {
  if (count_ == 0) return 0;
  return static_cast<double>(sum_ / static_cast<long double>(count_));
}

int64_t LatencyHistogram::Percentile(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 100.0);
  const int64_t rank = std::max<int64_t>(
      1,
      static_cast<int64_t>(std::ceil(q / 100.0 * static_cast<double>(count_))));
  // The extreme ranks are known exactly, so p0 / p100 never carry bucket error.
  if (rank >= count_) return max_;
  if (rank == 1) return min_;
  int64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      const int index = static_cast<int>(i);
      const int64_t middle = BucketLowest(index) + (BucketWidth(index) - 1) / 2;
      return std::clamp(middle, min_, max_);
    }
  }
  return max_;
}

}  // namespace remotek::load
