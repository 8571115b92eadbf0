#include "backend/core/tensor.h"

#include <cstdint>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace remotek {
namespace {

using ::remotek::testing::StatusIs;
using ::testing::HasSubstr;

TEST(Tensor, BufferIsAlignedAndCharged) {
  auto account = std::make_shared<MemoryAccount>("session s");
  {
    ASSERT_OK_AND_ASSIGN(Tensor t, Tensor::Allocate(DType::kFloat32, Shape({3, 5}), account));
    EXPECT_EQ(reinterpret_cast<uintptr_t>(t.raw_data()) % kTensorAlignment, 0u);
    EXPECT_EQ(t.byte_size(), 60);
    EXPECT_EQ(account->current(), 60);
    Tensor alias = t.WithShape(Shape({15}));
    EXPECT_TRUE(alias.SharesBufferWith(t));
    EXPECT_EQ(account->current(), 60);
  }
  EXPECT_EQ(account->current(), 0);
  EXPECT_EQ(account->peak(), 60);
}

TEST(Tensor, QuotaRefusesBeforeAllocating) {
  auto account = std::make_shared<MemoryAccount>("session s", 100);
  EXPECT_THAT(Tensor::Allocate(DType::kFloat64, Shape({20}), account),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       HasSubstr("limit 100 bytes, held 0, requested 160")));
  EXPECT_EQ(account->current(), 0);
}

TEST(Tensor, RejectsUnknownAndOverflowingShapes) {
  EXPECT_THAT(Tensor::Allocate(DType::kFloat32, Shape({kUnknownDim}), nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("negative")));
  // Representable but unallocatable: the code of any refused allocation.
  EXPECT_THAT(Tensor::Allocate(DType::kFloat64, Shape({1LL << 31, 1LL << 31}), nullptr),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("byte size")));
}

TEST(Tensor, ZerosAndEmpty) {
  ASSERT_OK_AND_ASSIGN(Tensor z, Tensor::Zeros(DType::kInt32, Shape({4}), nullptr));
  for (int i = 0; i < 4; ++i) EXPECT_EQ(z.data<int32_t>()[i], 0);
  ASSERT_OK_AND_ASSIGN(Tensor e, Tensor::Allocate(DType::kFloat32, Shape({0, 3}), nullptr));
  EXPECT_EQ(e.num_elements(), 0);
  EXPECT_EQ(e.DebugString(), "float32(0, 3)");
}

}  // namespace
}  // namespace remotek
