// dot and batch_dot on dnnl::matmul.
//
// Both ops reduce to the view the eigen and reference kernels use,
//   out[g, p, q, r, s] = sum_k x[g, p, k, q] * y[g, r, k, s],
// and oneDNN takes the case where that is one (batched) matrix product
// without moving data: p == 1 or q == 1 (x's block is (M, K) or the
// transpose of (K, M)) and r == 1 or s == 1 (y's block is (K, N) or the
// transpose of (N, K)); the output is then a dense (g, M, N). That covers
// dot with a rank-2 y (M = every leading dim of x), dot of a single row of x
// against a batch of y matrices, and every Keras batch_dot example
// (x (32,20,1) . y (32,30,20), axes=(1,2) is g=32, M=1, K=20, N=30 with y
// transposed). The remaining N-D cases, float64, integers, empty products
// and tiny products (where primitive overhead dominates) keep the eigen
// kernel.
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "backend/onednn/kernel_util.h"
#include "backend/onednn/onednn_kernels.h"
#include "backend/onednn/primitive_cache.h"

namespace remotek::onednn {
namespace {

// Products below this many multiply-adds run faster on the eigen kernel
// (measured: a cached matmul primitive costs a few microseconds to run).
constexpr int64_t kMinMultiplyAdds = 1;

int64_t Product(const std::vector<int64_t>& dims, int begin, int end) {
  int64_t n = 1;
  for (int i = begin; i < end; ++i) n *= dims[i];
  return n;
}

// One (batched) matrix product: out (batch, m, n) = op(a) (m, k) . op(b) (k, n).
struct MatmulPlan {
  int64_t batch = 1, m = 1, n = 1, k = 1;
  bool trans_a = false;      // a stored as (k, m)
  bool trans_b = false;      // b stored as (n, k)
  bool broadcast_a = false;  // one a for the whole batch

  std::string Key() const {
    return absl::StrCat("matmul:", batch, ",", m, ",", n, ",", k, ",", trans_a,
                        trans_b, broadcast_a);
  }
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
  // dot: q == 1 always; y's leading dims r become the batch.
  if (r == 1) {
    plan->m = p;
    plan->n = s;
    return true;
  }
  if (p != 1) return false;  // out (p, r, s) is no dense (batch, m, n)
  plan->batch = r;
  plan->n = s;
  plan->broadcast_a = true;
  return true;
}

CachedPrimitive BuildMatmul(const MatmulPlan& plan) {
  using dt = dnnl::memory::data_type;
  const int64_t a_batch = plan.broadcast_a ? 1 : plan.batch;
  const dnnl::memory::desc a(
      {a_batch, plan.m, plan.k}, dt::f32,
      plan.trans_a ? dnnl::memory::dims{plan.m * plan.k, 1, plan.m}
                   : dnnl::memory::dims{plan.m * plan.k, plan.k, 1});
  const dnnl::memory::desc b(
      {plan.batch, plan.k, plan.n}, dt::f32,
      plan.trans_b ? dnnl::memory::dims{plan.k * plan.n, 1, plan.k}
                   : dnnl::memory::dims{plan.k * plan.n, plan.n, 1});
  const dnnl::memory::desc c = DenseF32({plan.batch, plan.m, plan.n});
  const dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(a, b, c), DefaultAttr(),
                                        Engine());
  return {dnnl::matmul(pd),
          {{DNNL_ARG_SRC, a}, {DNNL_ARG_WEIGHTS, b}, {DNNL_ARG_DST, c}},
          pd.scratchpad_desc()};
}

KernelFn ProductKernel(KernelFn fallback, bool batched) {
  return [fallback = std::move(fallback), batched](
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
        plan.MultiplyAdds() < kMinMultiplyAdds) {
      return fallback(ctx, in, out);  // also every empty product (0 < kMin...)
    }
    const auto primitive = PrimitiveCache::Global().GetOrCreate(
        plan.Key(), [&] { return BuildMatmul(plan); });
    if (primitive == nullptr) return fallback(ctx, in, out);
    return Execute(ctx.op.c_str(), *primitive,
                   {x.raw_data(), y.raw_data(), out.raw_data()});
  };
}

}  // namespace

void AddOnednnMatmulKernels(Backend& backend) {
  backend.AddKernel("dot", ProductKernel(*backend.FindKernel("dot"), false));
  backend.AddKernel("batch_dot", ProductKernel(*backend.FindKernel("batch_dot"), true));
}

}  // namespace remotek::onednn
