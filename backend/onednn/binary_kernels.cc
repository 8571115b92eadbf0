// add, subtract, multiply, divide on dnnl::binary, with numpy broadcasting.
//
// oneDNN broadcasts only its second source (src1 dims may be 1 where dst's
// are not), so the case taken is: one operand already has the output's shape
// and the other broadcasts into it. For subtract and divide that operand
// must be x; add and multiply commute, so y may take its place. Dims are
// collapsed first (size-1 output dims dropped, neighbours merged where the
// broadcast pattern agrees), so a (2, 3, 4) + (4,) is a (6, 4) + (1, 4) and
// equal shapes are one flat vector.
//
// maximum and minimum stay on the eigen kernel: oneDNN's binary_max/min
// return the other operand when the first is NaN (vmaxps semantics), while
// the reference propagates NaN as numpy does. Non-float32 dtypes, outputs
// where both operands broadcast, and the sizes measured faster on eigen (see
// below) also keep the eigen kernel. add/subtract/multiply/divide agree with
// the reference bit for bit on every pair of value classes (+-0, +-inf, NaN,
// subnormals, +-FLT_MAX), measured.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "backend/core/status_macros.h"
#include "backend/onednn/kernel_util.h"
#include "backend/onednn/onednn_kernels.h"
#include "backend/onednn/primitive_cache.h"

namespace remotek::onednn {
namespace {

// Measured per call against the eigen backend (one thread, 2-core Zen3): a
// cached binary primitive costs ~3-5 us, so broadcasting outputs (reference
// loops on eigen) win from ~4096 elements (2.6x there, 5-7x from 16K). Equal
// shapes are one vectorised Eigen loop already: oneDNN only matches it on one
// thread and wins through its second thread, so they go to oneDNN only when
// large enough for a team and more than one thread is allowed.
constexpr int64_t kMinBroadcastElements = 1 << 12;
constexpr int64_t kParallelElements = 1 << 17;

struct BinaryOp {
  const char* name;
  dnnl::algorithm algorithm;
  bool commutative;
};

constexpr BinaryOp kOps[] = {
    {"add", dnnl::algorithm::binary_add, true},
    {"subtract", dnnl::algorithm::binary_sub, false},
    {"multiply", dnnl::algorithm::binary_mul, true},
    {"divide", dnnl::algorithm::binary_div, false},
};

// `dims` padded with leading 1s to `rank`.
std::vector<int64_t> Aligned(const std::vector<int64_t>& dims, size_t rank) {
  std::vector<int64_t> out(rank - dims.size(), 1);
  out.insert(out.end(), dims.begin(), dims.end());
  return out;
}

// Collapsed (dst, src1) dims for a full-shape src0 and a src1 that
// broadcasts into `out`. Each output dim != 1 is "broadcast" (src1 has 1) or
// "full"; adjacent dims of one kind merge.
std::pair<std::vector<int64_t>, std::vector<int64_t>> Collapse(
    const std::vector<int64_t>& out, const std::vector<int64_t>& src1) {
  std::vector<int64_t> dst_dims, src1_dims;
  int last_kind = -1;
  for (size_t d = 0; d < out.size(); ++d) {
    if (out[d] == 1) continue;
    const int kind = src1[d] == 1 ? 0 : 1;
    if (kind == last_kind) {
      dst_dims.back() *= out[d];
      src1_dims.back() *= src1[d];
    } else {
      dst_dims.push_back(out[d]);
      src1_dims.push_back(src1[d]);
      last_kind = kind;
    }
  }
  if (dst_dims.empty()) {
    dst_dims.push_back(1);
    src1_dims.push_back(1);
  }
  return {dst_dims, src1_dims};
}

CachedPrimitive BuildBinary(dnnl::algorithm algorithm,
                            const std::vector<int64_t>& dst_dims,
                            const std::vector<int64_t>& src1_dims) {
  const dnnl::memory::desc dst = DenseF32(ToDnnl(dst_dims));
  const dnnl::memory::desc src1 = DenseF32(ToDnnl(src1_dims));
  const dnnl::binary::primitive_desc pd(dnnl::binary::desc(algorithm, dst, src1, dst),
                                        DefaultAttr(), Engine());
  RequireOptimizedImpl(pd);
  return {dnnl::binary(pd),
          {{DNNL_ARG_SRC_0, dst}, {DNNL_ARG_SRC_1, src1}, {DNNL_ARG_DST, dst}},
          pd.scratchpad_desc()};
}

KernelFn BinaryKernel(KernelFn fallback, BinaryOp op, KernelOptions options) {
  return [fallback = std::move(fallback), op, options](const KernelContext& ctx,
                                              absl::Span<const Tensor> in,
                                              Tensor& out) -> absl::Status {
    const int64_t n = out.num_elements();
    const bool equal_shapes = in[0].shape() == in[1].shape();
    if (in[0].dtype() != DType::kFloat32 || in[1].dtype() != DType::kFloat32 ||
        out.dtype() != DType::kFloat32 || n == 0 ||
        (options.speed_routing &&
         (n < kMinBroadcastElements ||
          (equal_shapes && (n < kParallelElements || MaxComputeThreads() == 1))))) {
      return fallback(ctx, in, out);
    }
    const std::vector<int64_t>& out_dims = out.shape().dims();
    const std::vector<int64_t> x = Aligned(in[0].shape().dims(), out_dims.size());
    const std::vector<int64_t> y = Aligned(in[1].shape().dims(), out_dims.size());
    const Tensor* src0 = &in[0];
    const Tensor* src1 = &in[1];
    const std::vector<int64_t>* src1_dims = &y;
    if (x != out_dims) {
      if (!op.commutative || y != out_dims) return fallback(ctx, in, out);
      std::swap(src0, src1);
      src1_dims = &x;
    }
    auto [dst_dims, collapsed_src1] = Collapse(out_dims, *src1_dims);
    if (dst_dims.size() > DNNL_MAX_NDIMS) return fallback(ctx, in, out);
    const std::string key = absl::StrCat("binary:", op.name, ":", DimsKey(dst_dims),
                                         ":", DimsKey(collapsed_src1));
    REMOTEK_ASSIGN_OR_RETURN(
        const bool served,
        RunCachedPrimitive(
            op.name, key, n >= kParallelElements,
            // Init-captures: clang < 16 cannot capture a structured binding.
            [&, &dst = dst_dims, &src1_collapsed = collapsed_src1] {
              return BuildBinary(op.algorithm, dst, src1_collapsed);
            },
            {src0->raw_data(), src1->raw_data(), out.raw_data()}));
    return served ? absl::OkStatus() : fallback(ctx, in, out);
  };
}

}  // namespace

void AddOnednnBinaryKernels(Backend& backend, KernelOptions options) {
  for (const BinaryOp& op : kOps) {
    backend.AddKernel(op.name, BinaryKernel(*backend.FindKernel(op.name), op, options));
  }
}

}  // namespace remotek::onednn
