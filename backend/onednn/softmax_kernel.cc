// softmax on dnnl::softmax_v2_forward (softmax_accurate: max-shifted, as the
// reference) along the canonical axis, with x viewed as (outer, n, inner).
// oneDNN 2.6 has an optimised (jit) softmax only for inner == 1, the usual
// Keras axis=-1; for other axes it offers "ref:any" loops, which
// RequireOptimizedImpl refuses, so those keep the eigen kernel.
//
// oneDNN and the reference agree within one rounding on finite inputs,
// subnormals included, but a row holding +-inf or NaN gives zeros on oneDNN
// and NaN on the reference (and in TensorFlow), so an input with any
// non-finite value goes to the eigen kernel. The check is one vectorised pass
// over x, cheap next to the exps. float32 only; tiny tensors stay on eigen.
#include <cstdint>
#include <variant>

#include "backend/core/status_macros.h"
#include "backend/onednn/kernel_util.h"
#include "backend/onednn/onednn_kernels.h"
#include "backend/onednn/primitive_cache.h"

namespace remotek::onednn {
namespace {

// Measured per call (one thread): 2.5x faster than the eigen backend's
// softmax from 4096 elements, 3x from 16K; slower below ~2K.
constexpr int64_t kMinElements = 1 << 12;
constexpr int64_t kParallelElements = 1 << 17;

CachedPrimitive BuildSoftmax(int64_t outer, int64_t n, int64_t inner) {
  const dnnl::memory::desc data = DenseF32({outer, n, inner});
  const dnnl::softmax_v2_forward::primitive_desc pd(
      dnnl::softmax_v2_forward::desc(dnnl::prop_kind::forward_inference,
                                     dnnl::algorithm::softmax_accurate, data, data, 1),
      DefaultAttr(), Engine());
  RequireOptimizedImpl(pd);
  return {dnnl::softmax_v2_forward(pd),
          {{DNNL_ARG_SRC, data}, {DNNL_ARG_DST, data}},
          pd.scratchpad_desc()};
}

KernelFn SoftmaxKernel(KernelFn fallback, KernelOptions options) {
  return [fallback = std::move(fallback), options](const KernelContext& ctx,
                                          absl::Span<const Tensor> in,
                                          Tensor& out) -> absl::Status {
    const Tensor& x = in[0];
    if (x.dtype() != DType::kFloat32 || x.num_elements() == 0 ||
        (options.speed_routing && x.num_elements() < kMinElements) ||
        !AllFinite(x.data<float>(), x.num_elements())) {
      return fallback(ctx, in, out);
    }
    const int axis = static_cast<int>(std::get<int64_t>(ctx.attrs.at("axis")));
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < axis; ++d) outer *= x.shape().dim(d);
    for (int d = axis + 1; d < x.rank(); ++d) inner *= x.shape().dim(d);
    const int64_t n = x.shape().dim(axis);
    REMOTEK_ASSIGN_OR_RETURN(
        const bool served,
        RunCachedPrimitive("softmax", absl::StrCat("softmax:", outer, ",", n, ",", inner),
                           x.num_elements() >= kParallelElements,
                           [&] { return BuildSoftmax(outer, n, inner); },
                           {x.raw_data(), out.raw_data()}));
    return served ? absl::OkStatus() : fallback(ctx, in, out);
  };
}

}  // namespace

void AddOnednnSoftmaxKernel(Backend& backend, KernelOptions options) {
  backend.AddKernel("softmax", SoftmaxKernel(*backend.FindKernel("softmax"), options));
}

}  // namespace remotek::onednn
