// Variable initializers: zeros, ones, eye, constant, random_uniform,
// random_normal, truncated_normal.
//
// Seeded values are identical on every backend, run and platform: they are
// made here, in the engine, never by a backend. The exact mapping, for a seed s
// (uint64) and element index j (row-major):
//   key     = (low 32 bits of s, high 32 bits of s)
//   block   = Philox4x32(counter = (j_lo, j_hi, attempt, 0), key) -> words w0..w3
//             with j' = j / 2 for uniform (two elements per block) and
//             j' = j / 2 for normal pairs; attempt = 0 except for truncated
//             normal's redraws.
//   u53(a, b) = ((uint64(a) << 32 | b) >> 11) * 2^-53            in [0, 1)
//   uniform:  element j uses (w0, w1) when j is even, (w2, w3) when odd;
//             value = low + (high - low) * u53, computed in double, then
//             rounded to the dtype (clamped below `high` for float32).
//   normal:   pair m = j / 2 uses one block: u1 = 1 - u53(w0, w1) in (0, 1],
//             u2 = u53(w2, w3); r = sqrt(-2 ln u1); even j gets
//             r cos(2 pi u2), odd j gets r sin(2 pi u2) (Box-Muller);
//             value = mean + stddev * z.
//   truncated_normal: element j draws z from block (j, attempt) as the even
//             element above, attempt = 0, 1, ... until |z| <= 2 (TensorFlow's
//             rule of two standard deviations); value = mean + stddev * z.
// Only sqrt/log/cos/sin of IEEE doubles enter, which glibc computes correctly
// rounded for these; tests pin exact values.
#ifndef REMOTEK_BACKEND_CORE_INITIALIZERS_H_
#define REMOTEK_BACKEND_CORE_INITIALIZERS_H_

#include <cstdint>
#include <memory>
#include <optional>

#include "absl/status/statusor.h"
#include "backend/core/tensor.h"

namespace remotek {

struct InitializerSpec {
  enum class Kind {
    kZeros,
    kOnes,
    kEye,
    kConstant,
    kRandomUniform,
    kRandomNormal,
    kTruncatedNormal,
  };
  Kind kind = Kind::kZeros;
  double value = 0.0;              // constant
  double low = 0.0, high = 1.0;    // random_uniform (Keras: low, high)
  double mean = 0.0, stddev = 1.0; // random_normal (Keras: mean, scale), truncated_normal
  std::optional<uint64_t> seed;    // absent: a fresh random seed, as Keras does
};

// A tensor of `dtype` and fully defined `shape` charged to `account`.
// INVALID_ARGUMENT for eye on a shape that is not rank 2, random kinds on
// non-float dtypes, high < low, stddev < 0, or non-finite parameters.
absl::StatusOr<Tensor> MakeInitialValue(const InitializerSpec& spec, DType dtype,
                                        const Shape& shape,
                                        std::shared_ptr<MemoryAccount> account);

absl::string_view InitializerName(InitializerSpec::Kind kind);

}  // namespace remotek

#endif  // REMOTEK_BACKEND_CORE_INITIALIZERS_H_
