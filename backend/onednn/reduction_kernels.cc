// sum, mean and prod on dnnl::reduction over the canonical `axis` list
// (keepdims only changes the output's shape, not its dense layout).
//
// The input is collapsed first: size-1 dims dropped and neighbours merged
// when both are reduced or both kept, so reducing axes (1, 2) of
// (8, 3, 4, 5) is a (8, 12, 5) -> (8, 1, 5) reduction. oneDNN 2.6 has an
// optimised (jit) reduction only when the reduced dims are the trailing
// ones, (kept, reduced) after collapsing; for other layouts it offers its
// "ref:any" loops, which RequireOptimizedImpl refuses, so those keep the
// eigen kernel (4x faster than ref:any there, measured).
//
// oneDNN accumulates in float32 where the reference accumulates in double.
// Within the conformance tolerance that only shows when a partial result
// overflows (mean of values near FLT_MAX, a product that overflows before a
// small factor brings it back): the output is then +-inf or NaN, so any
// non-finite output is recomputed by the eigen kernel, which also gives the
// reference's answer for genuine inf/NaN inputs. The check reads the output
// only, a fraction of the input.
//
// max and min stay on the eigen kernel: oneDNN's max/min drop NaN (the
// reference propagates it, as numpy and TF do) and min returns -0 for
// (0, -0) where the reference keeps the first of equal values; the
// conformance suite compares max/min bit-exactly.
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "backend/core/status_macros.h"
#include "backend/onednn/kernel_util.h"
#include "backend/onednn/onednn_kernels.h"
#include "backend/onednn/primitive_cache.h"

namespace remotek::onednn {
namespace {

// Measured per call (one thread): a row sum of 4096 elements is 3.5x faster
// than the eigen backend's (reference) loop, 6-10x from 16K.
constexpr int64_t kMinElements = 1 << 12;
constexpr int64_t kParallelElements = 1 << 17;

struct ReductionOp {
  const char* name;
  dnnl::algorithm algorithm;
};

constexpr ReductionOp kOps[] = {
    {"sum", dnnl::algorithm::reduction_sum},
    {"mean", dnnl::algorithm::reduction_mean},
    {"prod", dnnl::algorithm::reduction_mul},
};

// Collapsed (src, dst) dims; false when nothing of size > 1 is reduced (the
// op is a copy, left to the eigen kernel).
bool Collapse(const std::vector<int64_t>& dims, const std::vector<int64_t>& axes,
              std::vector<int64_t>* src, std::vector<int64_t>* dst) {
  std::vector<bool> reduced(dims.size(), false);
  for (int64_t a : axes) reduced[a] = true;
  int last_kind = -1;
  bool reduces_something = false;
  for (size_t d = 0; d < dims.size(); ++d) {
    if (dims[d] == 1) continue;
    const int kind = reduced[d] ? 1 : 0;
    reduces_something |= reduced[d];
    if (kind == last_kind) {
      src->back() *= dims[d];
      if (!reduced[d]) dst->back() *= dims[d];
    } else {
      src->push_back(dims[d]);
      dst->push_back(reduced[d] ? 1 : dims[d]);
      last_kind = kind;
    }
  }
  return reduces_something;
}

CachedPrimitive BuildReduction(dnnl::algorithm algorithm, const std::vector<int64_t>& src_dims,
                               const std::vector<int64_t>& dst_dims) {
  const dnnl::memory::desc src = DenseF32(ToDnnl(src_dims));
  const dnnl::memory::desc dst = DenseF32(ToDnnl(dst_dims));
  const dnnl::reduction::primitive_desc pd(
      dnnl::reduction::desc(algorithm, src, dst, 0.f, 0.f), DefaultAttr(), Engine());
  RequireOptimizedImpl(pd);
  return {dnnl::reduction(pd), {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}},
          pd.scratchpad_desc()};
}

KernelFn ReductionKernel(KernelFn fallback, ReductionOp op, KernelOptions options) {
  return [fallback = std::move(fallback), op, options](const KernelContext& ctx,
                                              absl::Span<const Tensor> in,
                                              Tensor& out) -> absl::Status {
    const Tensor& x = in[0];
    if (x.dtype() != DType::kFloat32 || out.dtype() != DType::kFloat32 ||
        x.num_elements() == 0 ||
        (options.speed_routing && x.num_elements() < kMinElements)) {
      return fallback(ctx, in, out);
    }
    const auto& axes = std::get<std::vector<int64_t>>(ctx.attrs.at("axis"));
    std::vector<int64_t> src_dims, dst_dims;
    if (!Collapse(x.shape().dims(), axes, &src_dims, &dst_dims) ||
        src_dims.size() > DNNL_MAX_NDIMS) {
      return fallback(ctx, in, out);
    }
    REMOTEK_ASSIGN_OR_RETURN(
        const bool served,
        RunCachedPrimitive(
            op.name,
            absl::StrCat("reduction:", op.name, ":", DimsKey(src_dims), ":", DimsKey(dst_dims)),
            x.num_elements() >= kParallelElements,
            [&] { return BuildReduction(op.algorithm, src_dims, dst_dims); },
            {x.raw_data(), out.raw_data()}));
    if (!served || !AllFinite(out.data<float>(), out.num_elements())) {
      return fallback(ctx, in, out);
    }
    return absl::OkStatus();
  };
}

}  // namespace

void AddOnednnReductionKernels(Backend& backend, KernelOptions options) {
  for (const ReductionOp& op : kOps) {
    backend.AddKernel(op.name, ReductionKernel(*backend.FindKernel(op.name), op, options));
  }
}

}  // namespace remotek::onednn
