// Small helpers shared by the onednn kernel files: cache keys and dims.
#ifndef REMOTEK_BACKEND_ONEDNN_KERNEL_UTIL_H_
#define REMOTEK_BACKEND_ONEDNN_KERNEL_UTIL_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "oneapi/dnnl/dnnl.hpp"

namespace remotek::onednn {

// "2,3,4" — one part of a cache key.
inline std::string DimsKey(const std::vector<int64_t>& dims) {
  return absl::StrJoin(dims, ",");
}

inline dnnl::memory::dims ToDnnl(const std::vector<int64_t>& dims) {
  return dnnl::memory::dims(dims.begin(), dims.end());
}

// Row-major strides of `dims`.
inline dnnl::memory::dims DenseStrides(const dnnl::memory::dims& dims) {
  dnnl::memory::dims strides(dims.size(), 1);
  for (int i = static_cast<int>(dims.size()) - 2; i >= 0; --i) {
    strides[i] = strides[i + 1] * dims[i + 1];
  }
  return strides;
}

inline dnnl::memory::desc DenseF32(const dnnl::memory::dims& dims) {
  return dnnl::memory::desc(dims, dnnl::memory::data_type::f32, DenseStrides(dims));
}

// True when no element is +-inf or NaN. Written on the bits (exponent all
// ones) so the compiler vectorises it; used to route the rare non-finite
// inputs and overflowed results to the kernels whose special values match
// the reference.
inline bool AllFinite(const float* data, int64_t n) {
  uint32_t non_finite = 0;
  for (int64_t i = 0; i < n; ++i) {
    uint32_t bits;
    std::memcpy(&bits, data + i, sizeof(bits));
    non_finite |= static_cast<uint32_t>((bits & 0x7f800000u) == 0x7f800000u);
  }
  return non_finite == 0;
}

}  // namespace remotek::onednn

#endif  // REMOTEK_BACKEND_ONEDNN_KERNEL_UTIL_H_
