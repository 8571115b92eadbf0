#include "backend/core/initializers.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "absl/strings/str_cat.h"
#include "backend/core/cast.h"
#include "backend/core/philox.h"
#include "backend/core/status_macros.h"

namespace remotek {
namespace {

using Kind = InitializerSpec::Kind;

double U53(uint32_t a, uint32_t b) {
  const uint64_t bits = (static_cast<uint64_t>(a) << 32) | b;
  return static_cast<double>(bits >> 11) * 0x1.0p-53;
}

PhiloxCounter Block(uint64_t index, uint32_t attempt, const PhiloxKey& key) {
  return Philox4x32({static_cast<uint32_t>(index),
                     static_cast<uint32_t>(index >> 32), attempt, 0u},
                    key);
}

double UniformAt(int64_t j, const PhiloxKey& key) {
  const PhiloxCounter w = Block(static_cast<uint64_t>(j) / 2, 0, key);
  return (j % 2 == 0) ? U53(w[0], w[1]) : U53(w[2], w[3]);
}

// Box-Muller pair from one block: z for even (cos) or odd (sin) member.
double NormalFromBlock(const PhiloxCounter& w, bool odd) {
  const double u1 = 1.0 - U53(w[0], w[1]);
  const double u2 = U53(w[2], w[3]);
  const double r = std::sqrt(-2.0 * std::log(u1));
  const double theta = 2.0 * M_PI * u2;
  return odd ? r * std::sin(theta) : r * std::cos(theta);
}

absl::Status CheckFinite(Kind kind, std::initializer_list<std::pair<const char*, double>> params) {
  for (const auto& [name, v] : params) {
    if (!std::isfinite(v)) {
      return absl::InvalidArgumentError(absl::StrCat(
          InitializerName(kind), ": ", name, "=", v, " is not finite"));
    }
  }
  return absl::OkStatus();
}

// Checks the parameters of `spec`, before anything is allocated.
absl::Status CheckParams(const InitializerSpec& spec) {
  switch (spec.kind) {
    case Kind::kOnes:
    case Kind::kConstant:
      return CheckFinite(spec.kind, {{"value", spec.kind == Kind::kOnes ? 1.0 : spec.value}});
    case Kind::kRandomUniform:
      REMOTEK_RETURN_IF_ERROR(CheckFinite(spec.kind, {{"low", spec.low}, {"high", spec.high}}));
      if (spec.high < spec.low) {
        return absl::InvalidArgumentError(absl::StrCat(
            "random_uniform: high=", spec.high, " is below low=", spec.low));
      }
      return absl::OkStatus();
    case Kind::kRandomNormal:
    case Kind::kTruncatedNormal:
      REMOTEK_RETURN_IF_ERROR(
          CheckFinite(spec.kind, {{"mean", spec.mean}, {"stddev", spec.stddev}}));
      if (spec.stddev < 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            InitializerName(spec.kind), ": stddev=", spec.stddev, " is negative"));
      }
      return absl::OkStatus();
    default:
      return absl::OkStatus();
  }
}

// Fills `v[0..n)` with the values of `spec` (not zeros) as doubles.
void FillDoubles(const InitializerSpec& spec, const Shape& shape, int64_t n, double* v) {
  switch (spec.kind) {
    case Kind::kOnes:
    case Kind::kConstant:
      std::fill(v, v + n, spec.kind == Kind::kOnes ? 1.0 : spec.value);
      return;
    case Kind::kEye: {
      std::fill(v, v + n, 0.0);
      const int64_t rows = shape.dim(0), cols = shape.dim(1);
      for (int64_t i = 0; i < std::min(rows, cols); ++i) v[i * cols + i] = 1.0;
      return;
    }
    default:
      break;
  }
  const uint64_t seed = spec.seed.has_value() ? *spec.seed : std::random_device{}() * 0x100000001ull + std::random_device{}();
  const PhiloxKey key{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32)};
  if (spec.kind == Kind::kRandomUniform) {
    for (int64_t j = 0; j < n; ++j) {
      v[j] = spec.low + (spec.high - spec.low) * UniformAt(j, key);
    }
  } else if (spec.kind == Kind::kRandomNormal) {
    for (int64_t j = 0; j < n; ++j) {
      const PhiloxCounter w = Block(static_cast<uint64_t>(j) / 2, 0, key);
      v[j] = spec.mean + spec.stddev * NormalFromBlock(w, j % 2 == 1);
    }
  } else {
    for (int64_t j = 0; j < n; ++j) {
      double z;
      uint32_t attempt = 0;
      do {
        z = NormalFromBlock(Block(static_cast<uint64_t>(j), attempt++, key), false);
      } while (std::fabs(z) > 2.0);
      v[j] = spec.mean + spec.stddev * z;
    }
  }
}

}  // namespace

absl::string_view InitializerName(Kind kind) {
  switch (kind) {
    case Kind::kZeros: return "zeros";
    case Kind::kOnes: return "ones";
    case Kind::kEye: return "eye";
    case Kind::kConstant: return "constant";
    case Kind::kRandomUniform: return "random_uniform";
    case Kind::kRandomNormal: return "random_normal";
    case Kind::kTruncatedNormal: return "truncated_normal";
  }
  return "unknown";
}

absl::StatusOr<Tensor> MakeInitialValue(const InitializerSpec& spec, DType dtype,
                                        const Shape& shape,
                                        std::shared_ptr<MemoryAccount> account) {
  const bool random = spec.kind == Kind::kRandomUniform ||
                      spec.kind == Kind::kRandomNormal ||
                      spec.kind == Kind::kTruncatedNormal;
  if (random && !IsFloating(dtype)) {
    return absl::InvalidArgumentError(absl::StrCat(
        InitializerName(spec.kind), ": dtype ", DTypeName(dtype),
        " is not a float dtype"));
  }
  if (spec.kind == Kind::kEye && shape.rank() != 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        "eye: shape ", shape.ToString(), " must have rank 2"));
  }
  REMOTEK_RETURN_IF_ERROR(ValidateDims(shape.dims(), false, "shape"));
  REMOTEK_ASSIGN_OR_RETURN(int64_t n, shape.NumElements());
  // Byte counts of the tensor and of the double scratch (8 bytes/element)
  // must fit int64 before anything is charged or allocated (found by
  // graph_fuzzer: shape [INT64_MAX] overflowed the product).
  int64_t bytes = 0, scratch_bytes = 0;
  if (!CheckedMul(n, static_cast<int64_t>(DTypeSize(dtype)), &bytes) ||
      !CheckedMul(n, 8, &scratch_bytes)) {
    return absl::ResourceExhaustedError(absl::StrCat(
        InitializerName(spec.kind), ": a ", DTypeName(dtype), shape.ToString(),
        " tensor is too large to allocate (", n, " elements: its bytes overflow int64)"));
  }
  REMOTEK_RETURN_IF_ERROR(CheckParams(spec));
  if (spec.kind == Kind::kZeros) return Tensor::Zeros(dtype, shape, account);

  // The tensor first (charged, so a quota refuses it before any scratch is
  // built), then the double scratch the values are computed in and rounded
  // from once. Both come from Tensor::Allocate (aligned_alloc), never from
  // std::vector: a size the machine cannot hold is RESOURCE_EXHAUSTED in every
  // build, where operator new would throw (or, under ASan, abort).
  REMOTEK_ASSIGN_OR_RETURN(Tensor out, Tensor::Allocate(dtype, shape, account));
  Tensor wide = out;
  if (dtype != DType::kFloat64) {
    absl::StatusOr<Tensor> scratch = Tensor::Allocate(DType::kFloat64, shape, nullptr);
    if (!scratch.ok()) {
      return absl::ResourceExhaustedError(absl::StrCat(
          InitializerName(spec.kind), ": cannot allocate the ", scratch_bytes,
          " bytes of scratch for a ", DTypeName(dtype), shape.ToString(), " tensor"));
    }
    wide = *std::move(scratch);
  }
  FillDoubles(spec, shape, n, wide.data<double>());
  if (dtype != DType::kFloat64) CastInto(wide, out);
  // Rounding to a narrow float can land exactly on `high`; keep [low, high).
  if (spec.kind == Kind::kRandomUniform && dtype == DType::kFloat32 && spec.high > spec.low) {
    float* p = out.data<float>();
    const float high = static_cast<float>(spec.high);
    for (int64_t j = 0; j < n; ++j) {
      if (p[j] >= high) p[j] = std::nextafter(high, -INFINITY);
    }
  }
  return out;
}

}  // namespace remotek
