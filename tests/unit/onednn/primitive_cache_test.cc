// The primitive cache: repeated calls hit, new shapes miss, a factory that
// oneDNN refuses is cached as null, the capacity bound holds, and concurrent
// kernels share one cache safely.
#include <atomic>
#include <thread>
#include <vector>

#include "backend/onednn/kernel_util.h"
#include "backend/onednn/primitive_cache.h"
#include "gtest/gtest.h"
#include "tests/unit/onednn/onednn_test_util.h"

namespace remotek {
namespace {

using onednn::CachedPrimitive;
using onednn::PrimitiveCache;
using onednn_test::Onednn;
using onednn_test::RandomF32;

CachedPrimitive BuildAbs(int64_t n) {
  const dnnl::memory::desc data = onednn::DenseF32({n});
  const dnnl::eltwise_forward::primitive_desc pd(
      dnnl::eltwise_forward::desc(dnnl::prop_kind::forward_inference,
                                  dnnl::algorithm::eltwise_abs, data, 0.f, 0.f),
      onednn::DefaultAttr(), onednn::Engine());
  return {dnnl::eltwise_forward(pd), {{DNNL_ARG_SRC, data}, {DNNL_ARG_DST, data}},
          pd.scratchpad_desc()};
}

TEST(OnednnPrimitiveCache, RepeatedCallsHitNewShapesMiss) {
  const Tensor x = RandomF32({96, 80}, 1);
  const Tensor y = RandomF32({80, 72}, 2);
  const auto before = PrimitiveCache::Global().GetStats();
  ASSERT_TRUE(testing::Run(Onednn(), "dot", {x, y}).ok());
  const auto first = PrimitiveCache::Global().GetStats();
  EXPECT_EQ(first.misses - before.misses, 1);
  EXPECT_EQ(first.hits - before.hits, 0);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(testing::Run(Onednn(), "dot", {x, y}).ok());
  const auto repeated = PrimitiveCache::Global().GetStats();
  EXPECT_EQ(repeated.misses - first.misses, 0);
  EXPECT_EQ(repeated.hits - first.hits, 3);
  // Another shape is another primitive.
  ASSERT_TRUE(testing::Run(Onednn(), "dot", {x, RandomF32({80, 73}, 3)}).ok());
  EXPECT_EQ(PrimitiveCache::Global().GetStats().misses - repeated.misses, 1);
}

TEST(OnednnPrimitiveCache, SameShapesOfDifferentOpsAreDifferentEntries) {
  const Tensor x = RandomF32({128, 160}, 4);
  const Tensor row = testing::MakeTensor<float>({160}, std::vector<float>(160, 0.5f));
  const auto before = PrimitiveCache::Global().GetStats();
  ASSERT_TRUE(testing::Run(Onednn(), "add", {x, row}).ok());
  ASSERT_TRUE(testing::Run(Onednn(), "subtract", {x, row}).ok());
  absl::StatusOr<Tensor> diff = testing::Run(Onednn(), "subtract", {x, row});
  ASSERT_TRUE(diff.ok());
  EXPECT_EQ(diff->data<float>()[7], x.data<float>()[7] - 0.5f);
  const auto after = PrimitiveCache::Global().GetStats();
  EXPECT_EQ(after.misses - before.misses, 2);
  EXPECT_EQ(after.hits - before.hits, 1);
}

TEST(OnednnPrimitiveCache, RefusedFactoryIsCachedAsNull) {
  PrimitiveCache cache(8);
  int built = 0;
  const auto refuse = [&]() -> CachedPrimitive {
    ++built;
    throw dnnl::error(dnnl_unimplemented, "no implementation");
  };
  EXPECT_EQ(cache.GetOrCreate("k", refuse), nullptr);
  EXPECT_EQ(cache.GetOrCreate("k", refuse), nullptr);
  EXPECT_EQ(built, 1);
  const auto stats = cache.GetStats();
  EXPECT_EQ(stats.misses, 1);
  EXPECT_EQ(stats.hits, 1);
  EXPECT_EQ(stats.unsupported, 2);
  EXPECT_EQ(stats.served(), 0);
}

TEST(OnednnPrimitiveCache, CapacityBoundsTheEntries) {
  PrimitiveCache cache(2);
  for (int64_t n = 1; n <= 5; ++n) {
    ASSERT_NE(cache.GetOrCreate(absl::StrCat("abs:", n), [n] { return BuildAbs(n); }), nullptr);
    EXPECT_LE(cache.GetStats().size, 2);
  }
  EXPECT_EQ(cache.GetStats().misses, 5);
}

TEST(OnednnPrimitiveCache, ConcurrentKernelsShareTheCacheAndAgree) {
  const Tensor x = RandomF32({16, 48, 40}, 5);
  const Tensor y = RandomF32({16, 40, 56}, 6);
  const Tensor want = testing::Run(onednn_test::Reference(), "batch_dot", {x, y}).value();
  std::atomic<int> mismatches{0}, failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        absl::StatusOr<Tensor> got = testing::Run(Onednn(), "batch_dot", {x, y});
        if (!got.ok()) {
          ++failures;
          continue;
        }
        for (int64_t e = 0; e < want.num_elements(); ++e) {
          if (std::fabs(got->data<float>()[e] - want.data<float>()[e]) > 1e-4) {
            ++mismatches;
            break;
          }
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(mismatches.load(), 0);
}

}  // namespace
}  // namespace remotek
