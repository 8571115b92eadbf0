#include "tests/conformance/op_case.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "backend/core/cast.h"
#include "tests/support/tensor_testing.h"

namespace remotek::conformance {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Floats a kernel is most likely to get wrong: NaN, infinities, signed zeros,
// ties of round-half-even, values beyond float16 / float32 range, denormals.
constexpr double kFloatSpecials[] = {
    kNaN, kInf, -kInf, 0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1.5, 2.5, -2.5,
    -1.7, 1e30, -1e30, 1e-30, 70000.0, -65504.0, 1e300, 1e-40, 3.5, -0.3};

double Lowest(DType dtype) {
  double v = 0;
  DispatchComputeDType(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    v = static_cast<double>(std::numeric_limits<T>::lowest());
  });
  return v;
}

double Highest(DType dtype) {
  double v = 1;
  DispatchComputeDType(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    v = static_cast<double>(std::numeric_limits<T>::max());
  });
  return v;
}

DType InputDType(const InputSpec& in, DType dtype) {
  return in.dtype.value_or(dtype);
}

// Values (as doubles, before the cast rules turn them into `dtype`) for one
// input. Whole numbers wherever `dtype` is an integer dtype.
std::vector<double> Draw(const InputSpec& in, DType dtype, int64_t n,
                         std::mt19937_64& rng) {
  std::vector<double> v(n);
  const bool integer = IsInteger(dtype);
  double lo = in.lo, hi = in.hi;
  if (dtype == DType::kUInt8 && lo < 0 && in.gen != Gen::kIndices) {
    hi -= lo;  // shift a signed range up to start at 0
    lo = 0;
  }
  std::uniform_real_distribution<double> real(lo, hi);
  std::uniform_int_distribution<int64_t> coin(0, 1);
  const auto whole = [&](double a, double b) {  // whole numbers in [a, b]
    const int64_t first = static_cast<int64_t>(std::ceil(a));
    const int64_t last = std::max(first, static_cast<int64_t>(std::floor(b)));
    return static_cast<double>(std::uniform_int_distribution<int64_t>(first, last)(rng));
  };
  for (int64_t i = 0; i < n; ++i) {
    if (dtype == DType::kBool && in.gen != Gen::kIndices) {
      v[i] = static_cast<double>(coin(rng));
      continue;
    }
    switch (in.gen) {
      case Gen::kUniform:
      case Gen::kFullRange:
        v[i] = integer ? whole(lo, hi) : real(rng);
        break;
      case Gen::kSmallInts:
        v[i] = whole(lo, hi);
        break;
      case Gen::kIndices:
        v[i] = whole(in.lo, in.hi - 1);
        break;
      case Gen::kSpecial:
        if (i % 2 == 1) {
          v[i] = integer ? whole(lo, hi) : real(rng);
        } else if (integer) {
          const double ints[] = {Lowest(dtype), Highest(dtype), 0, 1, -1,
                                 Lowest(dtype) + 1, 2, -2, 100, -100};
          v[i] = ints[(i / 2) % std::size(ints)];
        } else {
          v[i] = kFloatSpecials[(i / 2) % std::size(kFloatSpecials)];
        }
        break;
    }
  }
  return v;
}

// Random bits of the dtype's width (integers), for wrap-around cases.
void FillRandomBits(Tensor& t, std::mt19937_64& rng) {
  auto* bytes = static_cast<unsigned char*>(t.raw_data());
  for (int64_t i = 0; i < t.byte_size(); ++i) bytes[i] = static_cast<unsigned char>(rng());
}

std::string ElementString(const Tensor& t, int64_t i) {
  if (t.dtype() == DType::kBool) return t.data<bool>()[i] ? "true" : "false";
  return absl::StrCat(::remotek::testing::ValuesAsDouble(t)[i]);
}

std::string IndexString(const Shape& shape, int64_t flat) {
  std::vector<int64_t> idx(shape.rank());
  for (int k = shape.rank() - 1; k >= 0; --k) {
    idx[k] = flat % shape.dim(k);
    flat /= shape.dim(k);
  }
  return absl::StrCat("[", absl::StrJoin(idx, ","), "]");
}

bool Close(double want, double got, Tolerance tol) {
  if (std::isnan(want) || std::isnan(got)) return std::isnan(want) && std::isnan(got);
  if (std::isinf(want) || std::isinf(got)) return want == got;
  return std::abs(want - got) <= tol.atol + tol.rtol * std::max(std::abs(want), std::abs(got));
}

}  // namespace

Tolerance ToleranceFor(Tol tol, DType dtype) {
  if (!IsFloating(dtype) || tol == Tol::kExact) return {};
  // Rows (index: dtype float16, float32, float64) per class.
  static constexpr Tolerance kTable[4][3] = {
      {{0, 0}, {0, 0}, {0, 0}},                        // kExact
      {{2e-3, 1e-3}, {2e-6, 1e-6}, {1e-13, 1e-13}},    // kElementwise
      {{5e-3, 5e-3}, {1e-5, 1e-5}, {1e-12, 1e-12}},    // kReduction
      {{4e-3, 4e-3}, {1e-4, 1e-4}, {1e-11, 1e-11}},    // kGemm
  };
  const int col = dtype == DType::kFloat16 ? 0 : dtype == DType::kFloat32 ? 1 : 2;
  return kTable[static_cast<int>(tol)][col];
}

InputSpec U(Shape shape, double lo, double hi) {
  return {std::move(shape), Gen::kUniform, lo, hi};
}
InputSpec Pos(Shape shape, double lo, double hi) {
  return {std::move(shape), Gen::kUniform, lo, hi};
}
InputSpec Prob(Shape shape) { return {std::move(shape), Gen::kUniform, 0.02, 0.98}; }
InputSpec Ints(Shape shape, double lo, double hi) {
  return {std::move(shape), Gen::kSmallInts, lo, hi};
}
InputSpec Idx(Shape shape, int64_t lo, int64_t hi, std::optional<DType> dtype) {
  return {std::move(shape), Gen::kIndices, static_cast<double>(lo),
          static_cast<double>(hi), dtype};
}
InputSpec Special(Shape shape, double lo, double hi) {
  return {std::move(shape), Gen::kSpecial, lo, hi};
}
InputSpec Full(Shape shape) { return {std::move(shape), Gen::kFullRange, -1e3, 1e3}; }

std::string Describe(const OpCase& c, DType dtype) {
  std::string out = absl::StrCat(c.op, "#", c.ordinal, "[", DTypeName(dtype), "]");
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    absl::StrAppend(&out, " in", i, "=", DTypeName(InputDType(c.inputs[i], dtype)),
                    c.inputs[i].shape.ToString());
  }
  for (const auto& [name, value] : c.attrs) {
    absl::StrAppend(&out, " ", name, "=", AttrValueToString(value));
  }
  if (c.config.epsilon != OpConfig().epsilon) {
    absl::StrAppend(&out, " (epsilon ", c.config.epsilon, ")");
  }
  return out;
}

std::vector<TensorSpec> SpecsFor(const OpCase& c, DType dtype) {
  std::vector<TensorSpec> specs;
  for (const InputSpec& in : c.inputs) specs.push_back({InputDType(in, dtype), in.shape});
  return specs;
}

std::vector<DType> DTypesFor(const OpCase& c) {
  if (!c.dtypes.empty()) return c.dtypes;
  std::vector<DType> out;
  absl::StatusOr<const OpDef*> def = OpRegistry::Global().Find(c.op);
  if (!def.ok()) return out;
  for (DType dtype : kAllDTypes) {
    if (InferOp(**def, SpecsFor(c, dtype), c.attrs, c.config).ok()) out.push_back(dtype);
  }
  return out;
}

std::vector<Tensor> InputsFor(const OpCase& c, int row, DType dtype) {
  std::vector<Tensor> tensors;
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    const InputSpec& in = c.inputs[i];
    const DType d = InputDType(in, dtype);
    std::mt19937_64 rng(static_cast<uint64_t>(row) * 1000003u + i * 101u +
                        static_cast<uint64_t>(d));
    const int64_t n = in.shape.NumElements().value();
    if (in.gen == Gen::kFullRange && IsInteger(d)) {
      Tensor t = Tensor::Allocate(d, in.shape, nullptr).value();
      FillRandomBits(t, rng);
      tensors.push_back(std::move(t));
      continue;
    }
    tensors.push_back(::remotek::testing::MakeTensorAs(d, in.shape, Draw(in, d, n, rng)));
  }
  return tensors;
}

std::string CompareTensors(const Tensor& want, const Tensor& got, Tolerance tol,
                           bool bit_exact) {
  if (want.dtype() != got.dtype() || want.shape() != got.shape()) {
    return absl::StrCat("want ", want.DebugString(), ", got ", got.DebugString());
  }
  const int64_t n = want.num_elements();
  std::vector<int64_t> bad;
  if (bit_exact || !IsFloating(want.dtype())) {
    const size_t size = DTypeSize(want.dtype());
    const auto* a = static_cast<const unsigned char*>(want.raw_data());
    const auto* b = static_cast<const unsigned char*>(got.raw_data());
    for (int64_t i = 0; i < n; ++i) {
      if (want.dtype() == DType::kBool) {
        if (want.data<bool>()[i] != got.data<bool>()[i]) bad.push_back(i);
      } else if (std::memcmp(a + i * size, b + i * size, size) != 0) {
        bad.push_back(i);
      }
    }
  } else {
    const std::vector<double> a = ::remotek::testing::ValuesAsDouble(want);
    const std::vector<double> b = ::remotek::testing::ValuesAsDouble(got);
    for (int64_t i = 0; i < n; ++i) {
      if (!Close(a[i], b[i], tol)) bad.push_back(i);
    }
  }
  if (bad.empty()) return "";
  std::string out = absl::StrCat(bad.size(), " of ", n, " elements differ (rtol ",
                                 tol.rtol, ", atol ", tol.atol,
                                 bit_exact ? ", bit-exact" : "", "):");
  for (size_t j = 0; j < bad.size() && j < 6; ++j) {
    absl::StrAppend(&out, " ", IndexString(want.shape(), bad[j]), " want ",
                    ElementString(want, bad[j]), " got ", ElementString(got, bad[j]), ";");
  }
  return out;
}

}  // namespace remotek::conformance
