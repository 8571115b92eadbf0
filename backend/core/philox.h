// Philox-4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2,
// 3", SC'11), the counter-based generator TensorFlow uses. Pure integer
// arithmetic, so a (key, counter) pair gives the same four words everywhere.
#ifndef REMOTEK_BACKEND_CORE_PHILOX_H_
#define REMOTEK_BACKEND_CORE_PHILOX_H_

#include <array>
#include <cstdint>

namespace remotek {

using PhiloxCounter = std::array<uint32_t, 4>;
using PhiloxKey = std::array<uint32_t, 2>;

// Ten rounds of Philox-4x32 on `counter` under `key`.
PhiloxCounter Philox4x32(PhiloxCounter counter, PhiloxKey key);

}  // namespace remotek

#endif  // REMOTEK_BACKEND_CORE_PHILOX_H_
