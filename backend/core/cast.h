// Element conversion between any two dtypes, shared by the `cast` op and the
// op runner's float16 widening. Rules (documented for clients):
//  - float -> integer truncates toward zero like tf.cast; values outside the
//    target range saturate to its min/max and NaN becomes 0 (C++ leaves these
//    undefined; saturation makes every backend and platform agree);
//  - integer -> integer wraps modulo 2^bits, as numpy and TensorFlow do;
//  - anything -> bool is `x != 0`; bool -> number is 0 or 1;
//  - to float16 rounds to nearest even.
#ifndef REMOTEK_BACKEND_CORE_CAST_H_
#define REMOTEK_BACKEND_CORE_CAST_H_

#include <memory>

#include "absl/status/statusor.h"
#include "backend/core/tensor.h"

namespace remotek {

// REQUIRES: out has in's element count.
void CastInto(const Tensor& in, Tensor& out);

// A new tensor of `dtype` charged to `account`; shares the buffer when the
// dtype already matches.
absl::StatusOr<Tensor> CastTensor(const Tensor& in, DType dtype,
                                  std::shared_ptr<MemoryAccount> account);

}  // namespace remotek

#endif  // REMOTEK_BACKEND_CORE_CAST_H_
