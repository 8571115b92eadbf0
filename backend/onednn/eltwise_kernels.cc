// Unary maps on dnnl::eltwise_forward, only where oneDNN agrees with the
// reference on every value class.
//
// A probe over a dense grid plus -0, +-inf, NaN, subnormals, +-FLT_MAX and
// the exp/log overflow edges (oneDNN 2.6.3, jit:avx2) found exact agreement
// (within one rounding, same special values) for tanh, logistic (sigmoid),
// square, sqrt and abs, and these differences, so the ops keep the eigen
// kernel:
//   relu      NaN -> 0 (reference keeps NaN); clip/clip_v2/bounded_relu too
//   exp       NaN -> inf
//   log       ~3e-6 relative error and wrong results for subnormal inputs
//   elu       -0 -> +0
//   softplus  up to 1e-3 relative error for x < -8
// The op is flattened to one dim; float32 only, tiny tensors on eigen.
#include <cstdint>
#include <string>

#include "backend/onednn/kernel_util.h"
#include "backend/onednn/onednn_kernels.h"
#include "backend/onednn/primitive_cache.h"

namespace remotek::onednn {
namespace {

// Tensors with fewer elements run faster on the eigen kernel.
constexpr int64_t kMinElements = 1;

struct EltwiseOp {
  const char* name;
  dnnl::algorithm algorithm;
};

constexpr EltwiseOp kOps[] = {
    {"tanh", dnnl::algorithm::eltwise_tanh},
    {"sigmoid", dnnl::algorithm::eltwise_logistic},
    {"square", dnnl::algorithm::eltwise_square},
    {"sqrt", dnnl::algorithm::eltwise_sqrt},
    {"abs", dnnl::algorithm::eltwise_abs},
};

CachedPrimitive BuildEltwise(dnnl::algorithm algorithm, int64_t n) {
  const dnnl::memory::desc data = DenseF32({n});
  const dnnl::eltwise_forward::primitive_desc pd(
      dnnl::eltwise_forward::desc(dnnl::prop_kind::forward_inference, algorithm, data,
                                  0.f, 0.f),
      DefaultAttr(), Engine());
  return {dnnl::eltwise_forward(pd),
          {{DNNL_ARG_SRC, data}, {DNNL_ARG_DST, data}},
          pd.scratchpad_desc()};
}

KernelFn EltwiseKernel(KernelFn fallback, EltwiseOp op) {
  return [fallback = std::move(fallback), op](const KernelContext& ctx,
                                              absl::Span<const Tensor> in,
                                              Tensor& out) -> absl::Status {
    const int64_t n = out.num_elements();
    if (in[0].dtype() != DType::kFloat32 || n < kMinElements) {
      return fallback(ctx, in, out);
    }
    const auto primitive = PrimitiveCache::Global().GetOrCreate(
        absl::StrCat("eltwise:", op.name, ":", n),
        [&] { return BuildEltwise(op.algorithm, n); });
    if (primitive == nullptr) return fallback(ctx, in, out);
    return Execute(op.name, *primitive, {in[0].raw_data(), out.raw_data()});
  };
}

}  // namespace

void AddOnednnEltwiseKernels(Backend& backend) {
  for (const EltwiseOp& op : kOps) {
    backend.AddKernel(op.name, EltwiseKernel(*backend.FindKernel(op.name), op));
  }
}

}  // namespace remotek::onednn
