// The oneDNN runtime: one CPU engine, the thread budget shared with the
// eigen intra-op pool, and Execute binding buffers in argument order.
#include <algorithm>
#include <cmath>
#include <vector>

#include "backend/eigen/intra_op_pool.h"
#include "backend/onednn/kernel_util.h"
#include "backend/onednn/onednn_runtime.h"
#include "gtest/gtest.h"

namespace remotek {
namespace {

TEST(OnednnRuntime, OneCpuEngine) {
  EXPECT_EQ(onednn::Engine().get_kind(), dnnl::engine::kind::cpu);
  EXPECT_EQ(&onednn::Engine(), &onednn::Engine());
}

TEST(OnednnRuntime, ThreadBudgetIsTheIntraOpPool) {
  EXPECT_EQ(onednn::MaxComputeThreads(), IntraOpPool::Global().num_threads());
  EXPECT_GE(onednn::MaxComputeThreads(), 1);
}

TEST(OnednnRuntime, ExecuteBindsBuffersInArgumentOrder) {
  const dnnl::memory::desc dst = onednn::DenseF32({2, 3});
  const dnnl::memory::desc row = onednn::DenseF32({1, 3});
  const dnnl::binary::primitive_desc pd(
      dnnl::binary::desc(dnnl::algorithm::binary_sub, dst, row, dst), onednn::DefaultAttr(),
      onednn::Engine());
  const onednn::CachedPrimitive p{
      dnnl::binary(pd),
      {{DNNL_ARG_SRC_0, dst}, {DNNL_ARG_SRC_1, row}, {DNNL_ARG_DST, dst}},
      pd.scratchpad_desc()};
  std::vector<float> a = {10, 20, 30, 40, 50, 60}, b = {1, 2, 3}, out(6, -1.f);
  ASSERT_TRUE(onednn::Execute("test", p, {a.data(), b.data(), out.data()}).ok());
  EXPECT_EQ(out, (std::vector<float>{9, 18, 27, 39, 48, 57}));
}

TEST(OnednnRuntime, ParallelCallsShareTheThreadBudget) {
  onednn::ComputeThreads serial(/*parallel=*/false);
  EXPECT_EQ(serial.threads(), 1);
  onednn::ComputeThreads first(/*parallel=*/true);
  EXPECT_EQ(first.threads(), onednn::MaxComputeThreads());
  onednn::ComputeThreads second(/*parallel=*/true);
  EXPECT_EQ(second.threads(), std::max(1, onednn::MaxComputeThreads() / 2));
}

}  // namespace
}  // namespace remotek
