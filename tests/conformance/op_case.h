// The conformance table's vocabulary (in the style of ggml's
// test-backend-ops): one OpCase per row, naming an op, how to generate each
// input, the attrs, the tolerance class and the dtypes to run. The table
// itself is in op_cases.cc; conformance_test.cc runs every row on every
// built-in backend and compares each backend's output with the reference
// backend's.
//
// Adding a case is one line in op_cases.cc, e.g.
//   Add({.op = "sum", .inputs = {U({2, 3})}, .attrs = {{"axis", L{-1}}},
//        .tol = Tol::kReduction});
//
// Thread-safety: plain values; the table is built once and read-only after.
#ifndef REMOTEK_TESTS_CONFORMANCE_OP_CASE_H_
#define REMOTEK_TESTS_CONFORMANCE_OP_CASE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "backend/core/attrs.h"
#include "backend/core/op_config.h"
#include "backend/core/op_registry.h"
#include "backend/core/tensor.h"

namespace remotek::conformance {

using L = std::vector<int64_t>;  // an int-list attr: {"axis", L{0, -1}}

// How an input's values are drawn. Every kind is defined for every dtype:
// integer dtypes take whole numbers in the range (uint8 shifts a negative
// range up to start at 0) and bool takes x != 0 of a random 0/1.
enum class Gen {
  kUniform,      // uniform in [lo, hi]
  kSmallInts,    // whole numbers in [lo, hi] for every dtype (forces ties)
  kIndices,      // whole numbers in [lo, hi), for gather / one_hot
  kSpecial,      // floats: NaN, +-inf, +-0, huge, tiny, halves; ints: min, max,
                 // 0, +-1 ...; interleaved with uniform values in [lo, hi]
  kFullRange,    // integers: random bits (wrap-around); floats: uniform [lo, hi]
};

struct InputSpec {
  Shape shape;
  Gen gen = Gen::kUniform;
  double lo = -3.0;
  double hi = 3.0;
  // A fixed dtype (gather's indices); absent: the dtype under test.
  std::optional<DType> dtype;
};

// Tolerance classes; Tolerance() turns one into (rtol, atol) per dtype.
// Integer and bool outputs are always compared exactly.
enum class Tol {
  kExact,        // bit-identical, floats too (data movement, casts, max/min)
  kElementwise,  // one rounding per element
  kReduction,    // sums over a slice (summation order may differ)
  kGemm,         // dot / batch_dot (blocked GEMM against plain loops)
};

struct Tolerance {
  double rtol = 0.0;
  double atol = 0.0;
};
Tolerance ToleranceFor(Tol tol, DType output_dtype);

struct OpCase {
  std::string op;
  std::vector<InputSpec> inputs;
  AttrMap attrs;
  Tol tol = Tol::kElementwise;
  // The dtypes for the inputs without a fixed dtype; empty means every dtype
  // the op's Infer accepts for these inputs (probed), so a row covers all of
  // an op's dtypes by default.
  std::vector<DType> dtypes;
  OpConfig config;
  // Non-empty: every backend must refuse the row with INVALID_ARGUMENT whose
  // message contains this (for errors only a kernel can see, such as a gather
  // index out of range).
  std::string expect_error;
  // Set by AllCases: this is the op's ordinal-th row (0, 1, ...).
  int ordinal = 0;
};

// Generators, so that a row stays one line.
InputSpec U(Shape shape, double lo = -3.0, double hi = 3.0);  // uniform
InputSpec Pos(Shape shape, double lo = 0.1, double hi = 4.0);  // > 0
InputSpec Prob(Shape shape);                                   // (0.02, 0.98)
InputSpec Ints(Shape shape, double lo = -2.0, double hi = 2.0);
InputSpec Idx(Shape shape, int64_t lo, int64_t hi,
              std::optional<DType> dtype = std::nullopt);
InputSpec Special(Shape shape, double lo = -3.0, double hi = 3.0);
InputSpec Full(Shape shape);

// The whole table, built once.
const std::vector<OpCase>& AllCases();

// "sum#3 x=float32(2, 3) axis=[-1] keepdims=true" for messages and test names.
std::string Describe(const OpCase& c, DType dtype);

// The dtypes a row runs with: its `dtypes`, or every dtype whose concrete
// Infer accepts the row.
std::vector<DType> DTypesFor(const OpCase& c);

// The row's input specs and tensors for `dtype`, values drawn from a
// generator seeded by (row, input, dtype), so every backend sees the same.
std::vector<TensorSpec> SpecsFor(const OpCase& c, DType dtype);
std::vector<Tensor> InputsFor(const OpCase& c, int row, DType dtype);

// Empty when `got` matches `want` (same dtype, shape and values within
// `tol`; NaN matches NaN, infinities must agree); else a message naming the
// first differing elements and how many differ.
std::string CompareTensors(const Tensor& want, const Tensor& got, Tolerance tol,
                           bool bit_exact);

}  // namespace remotek::conformance

#endif  // REMOTEK_TESTS_CONFORMANCE_OP_CASE_H_
