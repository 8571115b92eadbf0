// A small structured decoder shared by the engine fuzzers: it turns fuzz bytes
// into the pieces of engine requests (dtypes, shapes, tensors, attributes, op
// names, handles) with sizes kept small so that each input runs in
// milliseconds, while still reaching every op, dtype and attribute type.
#ifndef REMOTEK_TESTS_FUZZ_FUZZ_INPUTS_H_
#define REMOTEK_TESTS_FUZZ_FUZZ_INPUTS_H_

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "backend/core/attrs.h"
#include "backend/core/backend.h"
#include "backend/core/dtype.h"
#include "backend/core/memory_account.h"
#include "backend/core/shape.h"
#include "backend/core/tensor.h"

namespace remotek::fuzz {

// Per-session byte limit: large enough for every small tensor, small enough
// that an attribute asking for a huge output hits RESOURCE_EXHAUSTED rather
// than the fuzzer's RSS limit.
inline constexpr int64_t kSessionLimitBytes = 64 << 20;

// The two built-in backends, created once per process.
const Backend& ReferenceBackend();
const Backend& EigenBackend();
const Backend& PickBackend(FuzzedDataProvider& in);

class FuzzInputs {
 public:
  explicit FuzzInputs(FuzzedDataProvider& in) : in_(in) {}

  DType DTypeValue();                       // any dtype, rarely kInvalid
  int64_t Dim(bool allow_unknown);          // mostly 0..4, rarely odd values
  Shape ShapeValue(bool allow_unknown);     // rank 0..4
  // A tensor of `dtype`/`shape` (fully defined) filled from the input; bools
  // are 0/1 as the wire decoder guarantees. Invalid tensor on failure.
  Tensor TensorValue(DType dtype, const Shape& shape,
                     const std::shared_ptr<MemoryAccount>& account);
  Tensor AnyTensor(const std::shared_ptr<MemoryAccount>& account);
  // Replaces unknown dims by small concrete sizes.
  Shape Concrete(const Shape& shape);

  std::string OpName();                     // a registered op, rarely junk
  std::string AttrName();                   // a Keras attr name, rarely junk
  AttrValue AttrValueOf();
  AttrMap Attrs();                          // 0..3 attrs
  std::string Name(const char* prefix);     // "" or prefix + small number
  // One of `known`, or rarely a handle nobody made.
  std::string Handle(const std::vector<std::string>& known);

  FuzzedDataProvider& raw() { return in_; }

 private:
  int64_t SmallInt();
  FuzzedDataProvider& in_;
};

// Aborts (a fuzzer crash) with `what` when `cond` is false: the engine broke
// one of its documented guarantees.
void Require(bool cond, const char* what);

}  // namespace remotek::fuzz

#endif  // REMOTEK_TESTS_FUZZ_FUZZ_INPUTS_H_
