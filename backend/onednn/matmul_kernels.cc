// dot and batch_dot on dnnl::matmul.
//
// Both ops reduce to the view the eigen and reference kernels use,
//   out[g, p, q, r, s] = sum_k x[g, p, k, q] * y[g, r, k, s],
// and oneDNN takes the case where that is one (batched) matrix product
// without moving data: p == 1 or q == 1 (x's block is (M, K) or the
// transpose of (K, M)) and r == 1 or s == 1 (y's block is (K, N) or the
// transpose of (N, K)); the output is then a dense (g, M, N). That covers
// dot with a rank-2 y (M = every leading dim of x) and batch_dot over any
// axes whose blocks are matrices, both read in place (transposed via
// strides).
//
// Measured against the eigen kernel (2-core Zen3, RunOp per call): oneDNN
// is 1.1-1.4x faster from ~2^18 multiply-adds (a 64^3 dot, 8 x 64^3
// batch_dot) and up to 2x on batched 64^3-128^3 products in gemm_benchmark,
// but 3-14x slower on batched matrix-vector products (M == 1 or N == 1 with
// a batch, which includes the Keras doc example x (32,20,1) . y (32,30,20),
// axes=(1,2), and rank-2 batch_dot), so those keep the eigen kernel, as do
// the remaining N-D cases (dot with a batched y, batch_dot contracting a
// middle axis), float64, integers, empty and small products.
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

// Measured against the eigen kernel on one thread (2-core Zen3, see the
// report in tests/bench/gemm_benchmark.cc): below ~2^18 multiply-adds the
// eigen GEMM wins (a cached matmul costs ~5 us to run; 32x32 dot: eigen 4 us,
// oneDNN 7 us), from there they are at par or oneDNN ahead.
constexpr int64_t kMinMultiplyAdds = int64_t{1} << 18;
// From here a product is worth an OpenMP team (~50 us of serial work; a
// 32 x 32^3 batch_dot on one thread was 1.5x slower than eigen's pool).
constexpr int64_t kParallelMultiplyAdds = int64_t{1} << 19;

int64_t Product(const std::vector<int64_t>& dims, int begin, int end) {
  int64_t n = 1;
  for (int i = begin; i < end; ++i) n *= dims[i];
  return n;
}

// One (batched) matrix product: out (batch, m, n) = op(a) (m, k) . op(b) (k, n).
struct MatmulPlan {
  int64_t batch = 1, m = 1, n = 1, k = 1;
  bool trans_a = false;  // a stored as (k, m)
  bool trans_b = false;  // b stored as (n, k)

  std::string Key() const {
    return absl::StrCat("matmul:", batch, ",", m, ",", n, ",", k, ",", trans_a, trans_b);
  }
  bool IsBatchedMatrixVector() const { return batch > 1 && (m == 1 || n == 1); }
  int64_t MultiplyAdds() const { return batch * m * n * k; }
};

// The plan for x's axis `ax` against y's axis `ay` (the view above), or
// false when the product is not one oneDNN matmul.
bool PlanProduct(const std::vector<int64_t>& xd, int ax,
                 const std::vector<int64_t>& yd, int ay, bool batched,
                 MatmulPlan* plan) {
  const int first = batched ? 1 : 0;
  const int64_t p = Product(xd, first, ax), q = Product(xd, ax + 1, static_cast<int>(xd.size()));
  const int64_t r = Product(yd, first, ay), s = Product(yd, ay + 1, static_cast<int>(yd.size()));
  plan->k = xd[ax];
  if (batched) {
    if (p != 1 && q != 1) return false;
    if (r != 1 && s != 1) return false;
    plan->batch = xd[0];
    plan->m = p * q;
    plan->trans_a = q != 1;
    plan->n = r * s;
    plan->trans_b = s == 1 && r != 1;
    return true;
  }
  // dot: q == 1 always; with y's leading dims r != 1 the output (p, r, s)
  // is a dense (r, 1, s) only when p == 1, a batched vector product.
  if (r != 1) return false;
  plan->m = p;
  plan->n = s;
  return true;
}

CachedPrimitive BuildMatmul(const MatmulPlan& plan) {
  using dt = dnnl::memory::data_type;
  const dnnl::memory::desc a(
      {plan.batch, plan.m, plan.k}, dt::f32,
      plan.trans_a ? dnnl::memory::dims{plan.m * plan.k, 1, plan.m}
                   : dnnl::memory::dims{plan.m * plan.k, plan.k, 1});
  const dnnl::memory::desc b(
      {plan.batch, plan.k, plan.n}, dt::f32,
      plan.trans_b ? dnnl::memory::dims{plan.k * plan.n, 1, plan.k}
                   : dnnl::memory::dims{plan.k * plan.n, plan.n, 1});
  const dnnl::memory::desc c = DenseF32({plan.batch, plan.m, plan.n});
  const dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(a, b, c), DefaultAttr(),
                                        Engine());
  RequireOptimizedImpl(pd);
  return {dnnl::matmul(pd),
          {{DNNL_ARG_SRC, a}, {DNNL_ARG_WEIGHTS, b}, {DNNL_ARG_DST, c}},
          pd.scratchpad_desc()};
}

KernelFn ProductKernel(KernelFn fallback, bool batched, KernelOptions options) {
  return [fallback = std::move(fallback), batched, options](
             const KernelContext& ctx, absl::Span<const Tensor> in,
             Tensor& out) -> absl::Status {
    const Tensor& x = in[0];
    const Tensor& y = in[1];
    if (x.dtype() != DType::kFloat32) return fallback(ctx, in, out);
    int ax = x.rank() - 1, ay = y.rank() - 2;
    if (batched) {
      const auto& axes = std::get<std::vector<int64_t>>(ctx.attrs.at("axes"));
      ax = static_cast<int>(axes[0]);
      ay = static_cast<int>(axes[1]);
    }
    MatmulPlan plan;
    if (!PlanProduct(x.shape().dims(), ax, y.shape().dims(), ay, batched, &plan) ||
        plan.MultiplyAdds() == 0 ||
        (options.speed_routing &&
         (plan.MultiplyAdds() < kMinMultiplyAdds || plan.IsBatchedMatrixVector()))) {
      return fallback(ctx, in, out);
    }
    REMOTEK_ASSIGN_OR_RETURN(
        const bool served,
        RunCachedPrimitive(ctx.op.c_str(), plan.Key(),
                           plan.MultiplyAdds() >= kParallelMultiplyAdds,
                           [&] { return BuildMatmul(plan); },
                           {x.raw_data(), y.raw_data(), out.raw_data()}));
    return served ? absl::OkStatus() : fallback(ctx, in, out);
  };
}

}  // namespace

void AddOnednnMatmulKernels(Backend& backend, KernelOptions options) {
  backend.AddKernel("dot", ProductKernel(*backend.FindKernel("dot"), false, options));
  backend.AddKernel("batch_dot",
                    ProductKernel(*backend.FindKernel("batch_dot"), true, options));
}

}  // namespace remotek::onednn
