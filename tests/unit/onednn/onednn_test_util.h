// Shared helpers of the onednn kernel tests: random tensors, and a check that
// runs one op on the onednn and reference backends, compares the outputs
// value by value and asserts whether the oneDNN path (a primitive cache
// lookup) or the eigen fallback served it.
#ifndef REMOTEK_TESTS_UNIT_ONEDNN_ONEDNN_TEST_UTIL_H_
#define REMOTEK_TESTS_UNIT_ONEDNN_ONEDNN_TEST_UTIL_H_

#include <cmath>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "backend/onednn/onednn_backend.h"
#include "backend/onednn/primitive_cache.h"
#include "backend/reference/reference_kernels.h"
#include "gtest/gtest.h"
#include "tests/support/tensor_testing.h"

namespace remotek::onednn_test {

inline const Backend& Onednn() {
  static const Backend* backend = CreateOnednnBackend().release();
  return *backend;
}

inline const Backend& Reference() {
  static const Backend* backend = CreateReferenceBackend().release();
  return *backend;
}

// Calls served by a oneDNN primitive so far (cache lookups that returned one).
inline int64_t PrimitivesServed() { return onednn::PrimitiveCache::Global().GetStats().served(); }

inline Tensor RandomF32(const Shape& shape, uint32_t seed, float lo = -1.f, float hi = 1.f) {
  Tensor t = Tensor::Allocate(DType::kFloat32, shape, nullptr).value();
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  for (int64_t i = 0; i < t.num_elements(); ++i) t.data<float>()[i] = dist(gen);
  return t;
}

enum class Path { kOnednn, kFallback };

// For ops that go to oneDNN only when it may use a team of threads.
inline Path ParallelOnlyPath() {
  return onednn::MaxComputeThreads() > 1 ? Path::kOnednn : Path::kFallback;
}

struct Tolerance {
  double rtol = 2e-6;
  double atol = 1e-6;
};

// Runs `op` on both backends; expects equal dtype and shape, and each value
// within tolerance, NaN where the reference has NaN, equal infinities and
// (for zeros) the same sign. `path` says which implementation must serve it.
inline void ExpectMatchesReference(const std::string& op, const std::vector<Tensor>& inputs,
                                   const AttrMap& attrs, Path path, Tolerance tol = {}) {
  SCOPED_TRACE(op);
  const int64_t before = PrimitivesServed();
  absl::StatusOr<Tensor> got = testing::Run(Onednn(), op, inputs, attrs);
  const int64_t served = PrimitivesServed() - before;
  ASSERT_TRUE(got.ok()) << got.status();
  if (path == Path::kOnednn) {
    EXPECT_EQ(served, 1) << op << " should have run a oneDNN primitive";
  } else {
    EXPECT_EQ(served, 0) << op << " should have used the eigen fallback";
  }
  absl::StatusOr<Tensor> want = testing::Run(Reference(), op, inputs, attrs);
  ASSERT_TRUE(want.ok()) << want.status();
  ASSERT_EQ(got->dtype(), want->dtype());
  ASSERT_EQ(got->shape(), want->shape());
  const std::vector<double> g = testing::ValuesAsDouble(*got);
  const std::vector<double> w = testing::ValuesAsDouble(*want);
  int bad = 0;
  for (size_t i = 0; i < w.size() && bad < 5; ++i) {
    bool ok;
    if (std::isnan(w[i]) || std::isnan(g[i])) {
      ok = std::isnan(w[i]) && std::isnan(g[i]);
    } else if (std::isinf(w[i]) || std::isinf(g[i])) {
      ok = w[i] == g[i];
    } else if (w[i] == 0 && g[i] == 0) {
      ok = std::signbit(w[i]) == std::signbit(g[i]);
    } else {
      ok = std::fabs(w[i] - g[i]) <= tol.atol + tol.rtol * std::fabs(w[i]);
    }
    if (!ok) {
      ++bad;
      ADD_FAILURE() << op << " element " << i << ": want " << w[i] << " got " << g[i];
    }
  }
}

}  // namespace remotek::onednn_test

#endif  // REMOTEK_TESTS_UNIT_ONEDNN_ONEDNN_TEST_UTIL_H_
