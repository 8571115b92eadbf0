#include "tests/fuzz/fuzz_inputs.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "backend/core/op_registry.h"
#include "backend/eigen/eigen_backend.h"
#include "backend/reference/reference_kernels.h"

namespace remotek::fuzz {
namespace {

const char* const kAttrNames[] = {
    "axis",  "axes",      "keepdims",  "alpha",  "dtype",     "from_logits",
    "shape", "n",         "pattern",   "size",   "start",     "num_classes",
    "max_value", "min_value", "threshold", "epsilon", "transpose_a", "x"};

}  // namespace

const Backend& ReferenceBackend() {
  static const Backend* const backend = CreateReferenceBackend().release();
  return *backend;
}

const Backend& EigenBackend() {
  static const Backend* const backend = CreateEigenBackend().release();
  return *backend;
}

const Backend& PickBackend(FuzzedDataProvider& in) {
  return in.ConsumeBool() ? EigenBackend() : ReferenceBackend();
}

void Require(bool cond, const char* what) {
  if (!cond) {
    std::fprintf(stderr, "remotek fuzz invariant violated: %s\n", what);
    std::abort();
  }
}

DType FuzzInputs::DTypeValue() {
  const int i = in_.ConsumeIntegralInRange<int>(0, 20);
  if (i == 20) return DType::kInvalid;
  constexpr int n = sizeof(kAllDTypes) / sizeof(kAllDTypes[0]);
  return kAllDTypes[i % n];
}

int64_t FuzzInputs::Dim(bool allow_unknown) {
  const uint8_t b = in_.ConsumeIntegral<uint8_t>();
  if (b < 240) return b % 5;
  switch (b) {
    case 240: case 241: case 242: case 243: return allow_unknown ? kUnknownDim : 1;
    case 244: return -2;
    case 245: return std::numeric_limits<int64_t>::max();
    case 246: return std::numeric_limits<int64_t>::min();
    case 247: return int64_t{1} << 32;
    default: return 6 + b % 4;
  }
}

Shape FuzzInputs::ShapeValue(bool allow_unknown) {
  const int rank = in_.ConsumeIntegralInRange<int>(0, 4);
  std::vector<int64_t> dims;
  for (int i = 0; i < rank; ++i) dims.push_back(Dim(allow_unknown));
  return Shape(std::move(dims));
}

Shape FuzzInputs::Concrete(const Shape& shape) {
  std::vector<int64_t> dims;
  for (int i = 0; i < shape.rank(); ++i) {
    const int64_t d = shape.dim(i);
    dims.push_back(d == kUnknownDim ? in_.ConsumeIntegralInRange<int64_t>(0, 4) : d);
  }
  return Shape(std::move(dims));
}

Tensor FuzzInputs::TensorValue(DType dtype, const Shape& shape,
                               const std::shared_ptr<MemoryAccount>& account) {
  // Only small shapes reach Allocate from here; the engine's own checks for
  // huge or negative dims are exercised through placeholders and attrs.
  int64_t n = 1;
  for (int i = 0; i < shape.rank(); ++i) {
    const int64_t d = shape.dim(i);
    if (d < 0 || d > 64) return Tensor();
    n *= d;
  }
  if (n > 4096 || dtype == DType::kInvalid) return Tensor();
  absl::StatusOr<Tensor> t = Tensor::Allocate(dtype, shape, account);
  if (!t.ok()) return Tensor();
  const size_t bytes = static_cast<size_t>(t->byte_size());
  std::vector<uint8_t> data = in_.ConsumeBytes<uint8_t>(bytes);
  data.resize(bytes, 0);
  if (dtype == DType::kBool) {
    for (auto& b : data) b = b & 1;
  }
  if (bytes > 0) std::memcpy(t->raw_data(), data.data(), bytes);
  return *std::move(t);
}

Tensor FuzzInputs::AnyTensor(const std::shared_ptr<MemoryAccount>& account) {
  const DType dtype = DTypeValue();
  const Shape shape = ShapeValue(false);
  return TensorValue(dtype == DType::kInvalid ? DType::kFloat32 : dtype, shape, account);
}

std::string FuzzInputs::OpName() {
  static const std::vector<std::string> names = OpRegistry::Global().Names();
  const size_t i = in_.ConsumeIntegralInRange<size_t>(0, names.size());
  if (i == names.size()) return in_.ConsumeRandomLengthString(12);
  return names[i];
}

std::string FuzzInputs::AttrName() {
  constexpr size_t n = sizeof(kAttrNames) / sizeof(kAttrNames[0]);
  const size_t i = in_.ConsumeIntegralInRange<size_t>(0, n);
  if (i == n) return in_.ConsumeRandomLengthString(8);
  return kAttrNames[i];
}

int64_t FuzzInputs::SmallInt() {
  const uint8_t b = in_.ConsumeIntegral<uint8_t>();
  if (b < 200) return static_cast<int64_t>(b % 11) - 5;  // -5..5
  if (b < 230) return in_.ConsumeIntegralInRange<int64_t>(-100, 100);
  return in_.ConsumeIntegral<int64_t>();  // extremes included
}

AttrValue FuzzInputs::AttrValueOf() {
  switch (in_.ConsumeIntegralInRange<int>(0, 5)) {
    case 0: return SmallInt();
    case 1: {
      if (in_.ConsumeBool()) return static_cast<double>(SmallInt()) / 4;
      return in_.ConsumeFloatingPoint<double>();
    }
    case 2: return in_.ConsumeBool();
    case 3: {
      // dtype names, data formats and junk.
      static const char* const kStrings[] = {"float16", "float32", "float64", "int8",
                                             "int16",   "int32",   "int64",   "uint8",
                                             "bool",    "channels_last", "channels_first", ""};
      const size_t i = in_.ConsumeIntegralInRange<size_t>(0, 12);
      if (i == 12) return in_.ConsumeRandomLengthString(10);
      return std::string(kStrings[i]);
    }
    case 4: {
      std::vector<int64_t> v(in_.ConsumeIntegralInRange<int>(0, 5));
      for (auto& x : v) x = SmallInt();
      return v;
    }
    default: {
      std::vector<double> v(in_.ConsumeIntegralInRange<int>(0, 4));
      for (auto& x : v) x = in_.ConsumeFloatingPoint<double>();
      return v;
    }
  }
}

AttrMap FuzzInputs::Attrs() {
  AttrMap attrs;
  const int n = in_.ConsumeIntegralInRange<int>(0, 3);
  for (int i = 0; i < n; ++i) attrs[AttrName()] = AttrValueOf();
  return attrs;
}

std::string FuzzInputs::Name(const char* prefix) {
  const uint8_t b = in_.ConsumeIntegral<uint8_t>();
  if (b < 64) return "";
  if (b == 255) return in_.ConsumeRandomLengthString(8);
  return std::string(prefix) + std::to_string(b % 8);
}

std::string FuzzInputs::Handle(const std::vector<std::string>& known) {
  const size_t i = in_.ConsumeIntegralInRange<size_t>(0, known.size() + 1);
  if (i < known.size()) return known[i];
  if (i == known.size()) return "n" + std::to_string(in_.ConsumeIntegralInRange<int>(0, 7));
  return in_.ConsumeRandomLengthString(8);
}

}  // namespace remotek::fuzz
