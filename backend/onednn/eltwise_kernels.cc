// Unary maps on dnnl::eltwise_forward, only where oneDNN agrees with the
// reference on every value class and is faster than the eigen kernel.
//
// Agreement: a probe over a dense grid plus -0, +-inf, NaN, subnormals,
// +-FLT_MAX and the exp/log overflow edges (oneDNN 2.6.3, jit:avx2) found
// agreement within one rounding, special values identical, for tanh,
// logistic (sigmoid), square, sqrt and abs, and these differences:
//   relu      NaN -> 0 (reference keeps NaN); clip/clip_v2/bounded_relu too
//   exp       NaN -> inf
//   log       ~3e-6 relative error, wrong results for subnormal inputs
//   elu       -0 -> +0
//   softplus  up to 1e-3 relative error for x < -8
// Speed (per call, one thread, against the eigen backend): sqrt is 1.8x
// faster from 4096 elements and 3x from 16K (the reference std::sqrt loop
// does not vectorise); square and abs are memory-bound vectorised loops on
// both sides, at par on one thread, so oneDNN serves them only when a team
// of threads can help; oneDNN's tanh (6x) and logistic (2x) are slower than
// Eigen's vectorised approximations, so those stay on eigen as well.
// The op is flattened to one dim; float32 only.
#include <cstdint>
#include <string>

#include "backend/core/status_macros.h"
#include "backend/onednn/kernel_util.h"
#include "backend/onednn/onednn_kernels.h"
#include "backend/onednn/primitive_cache.h"

namespace remotek::onednn {
namespace {

constexpr int64_t kParallelElements = 1 << 17;

struct EltwiseOp {
  const char* name;
  dnnl::algorithm algorithm;
  int64_t min_elements;
  bool needs_threads;  // wins only through parallelism
};

constexpr EltwiseOp kOps[] = {
    {"sqrt", dnnl::algorithm::eltwise_sqrt, 1 << 12, false},
    {"square", dnnl::algorithm::eltwise_square, kParallelElements, true},
    {"abs", dnnl::algorithm::eltwise_abs, kParallelElements, true},
};

CachedPrimitive BuildEltwise(dnnl::algorithm algorithm, int64_t n) {
  const dnnl::memory::desc data = DenseF32({n});
  const dnnl::eltwise_forward::primitive_desc pd(
      dnnl::eltwise_forward::desc(dnnl::prop_kind::forward_inference, algorithm, data,
                                  0.f, 0.f),
      DefaultAttr(), Engine());
  RequireOptimizedImpl(pd);
  return {dnnl::eltwise_forward(pd),
          {{DNNL_ARG_SRC, data}, {DNNL_ARG_DST, data}},
          pd.scratchpad_desc()};
}

KernelFn EltwiseKernel(KernelFn fallback, EltwiseOp op, KernelOptions options) {
  return [fallback = std::move(fallback), op, options](const KernelContext& ctx,
                                              absl::Span<const Tensor> in,
                                              Tensor& out) -> absl::Status {
    const int64_t n = out.num_elements();
    if (in[0].dtype() != DType::kFloat32 || n == 0 ||
        (options.speed_routing &&
         (n < op.min_elements || (op.needs_threads && MaxComputeThreads() == 1)))) {
      return fallback(ctx, in, out);
    }
    REMOTEK_ASSIGN_OR_RETURN(
        const bool served,
        RunCachedPrimitive(op.name, absl::StrCat("eltwise:", op.name, ":", n),
                           n >= kParallelElements,
                           [&] { return BuildEltwise(op.algorithm, n); },
                           {in[0].raw_data(), out.raw_data()}));
    return served ? absl::OkStatus() : fallback(ctx, in, out);
  };
}

}  // namespace

void AddOnednnEltwiseKernels(Backend& backend, KernelOptions options) {
  for (const EltwiseOp& op : kOps) {
    backend.AddKernel(op.name, EltwiseKernel(*backend.FindKernel(op.name), op, options));
  }
}

}  // namespace remotek::onednn
