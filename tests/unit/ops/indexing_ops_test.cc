// gather and one_hot on both built-in backends.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "backend/eigen/eigen_backend.h"
#include "backend/reference/reference_kernels.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"
#include "tests/support/tensor_testing.h"

namespace remotek {
namespace {

using ::remotek::testing::Infer;
using ::remotek::testing::MakeTensor;
using ::remotek::testing::MakeTensorAs;
using ::remotek::testing::StatusIs;
using ::remotek::testing::Values;
using ::remotek::testing::ValuesAsDouble;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr auto kInvalid = absl::StatusCode::kInvalidArgument;
constexpr int64_t kU = kUnknownDim;

class IndexingOpsTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    backend_ =
        GetParam() == "eigen" ? CreateEigenBackend() : CreateReferenceBackend();
  }
  absl::StatusOr<Tensor> Eval(const std::string& op, std::vector<Tensor> inputs,
                              const AttrMap& attrs = {}) {
    return ::remotek::testing::Run(*backend_, op, std::move(inputs), attrs);
  }
  std::unique_ptr<Backend> backend_;
};

INSTANTIATE_TEST_SUITE_P(Backends, IndexingOpsTest,
                         ::testing::Values("reference", "eigen"),
                         [](const auto& info) { return info.param; });

// (3, 2): rows [1, 2], [3, 4], [5, 6].
Tensor Table() { return MakeTensor<float>({3, 2}, {1, 2, 3, 4, 5, 6}); }

TEST_P(IndexingOpsTest, GatherRowsAlongAxis0) {
  ASSERT_OK_AND_ASSIGN(
      Tensor out,
      Eval("gather", {Table(), MakeTensor<int32_t>({2, 2}, {2, 0, 1, 2})}));
  EXPECT_EQ(out.dtype(), DType::kFloat32);
  EXPECT_EQ(out.shape(), Shape({2, 2, 2}));
  EXPECT_THAT(Values<float>(out), ElementsAre(5, 6, 1, 2, 3, 4, 5, 6));
  ASSERT_OK_AND_ASSIGN(Tensor scalar,
                       Eval("gather", {Table(), MakeTensor<int64_t>({}, {1})}));
  EXPECT_EQ(scalar.shape(), Shape({2}));
  EXPECT_THAT(Values<float>(scalar), ElementsAre(3, 4));
  ASSERT_OK_AND_ASSIGN(
      Tensor vec, Eval("gather", {MakeTensor<bool>({3}, {true, false, true}),
                                  MakeTensor<int64_t>({4}, {1, 1, 0, 2})}));
  EXPECT_EQ(vec.dtype(), DType::kBool);
  EXPECT_THAT(Values<bool>(vec), ElementsAre(false, false, true, true));
  ASSERT_OK_AND_ASSIGN(Tensor none,
                       Eval("gather", {MakeTensor<float>({0, 2}, {}),
                                       MakeTensor<int32_t>({0}, {})}));
  EXPECT_EQ(none.shape(), Shape({0, 2}));
  ASSERT_OK_AND_ASSIGN(
      Tensor half,
      Eval("gather", {MakeTensorAs(DType::kFloat16, {2}, {1.5, -2}),
                      MakeTensor<int32_t>({2}, {1, 0})}));
  EXPECT_EQ(half.dtype(), DType::kFloat16);
  EXPECT_THAT(ValuesAsDouble(half), ElementsAre(-2, 1.5));
}

TEST_P(IndexingOpsTest, GatherOutOfRangeIndexIsAnError) {
  EXPECT_THAT(
      Eval("gather", {Table(), MakeTensor<int32_t>({2, 2}, {0, 1, 3, 0})}),
      StatusIs(kInvalid,
               HasSubstr("gather: indices[1,0]=3 is out of range [0, 3) "
                         "for reference of shape (3, 2)")));
  EXPECT_THAT(Eval("gather", {Table(), MakeTensor<int64_t>({}, {-1})}),
              StatusIs(kInvalid,
                       HasSubstr("gather: indices=-1 is out of range [0, 3)")));
}

TEST_P(IndexingOpsTest, GatherValidatesInputs) {
  EXPECT_THAT(Eval("gather", {Table(), MakeTensor<float>({1}, {0})}),
              StatusIs(kInvalid,
                       HasSubstr("gather: indices has dtype float32, expected "
                                 "int32 or int64")));
  EXPECT_THAT(
      Eval("gather",
           {MakeTensor<float>({}, {1}), MakeTensor<int32_t>({1}, {0})}),
      StatusIs(kInvalid, HasSubstr("gather: reference must have rank >= 1")));
  EXPECT_THAT(Eval("gather", {Table()}),
              StatusIs(kInvalid, HasSubstr("gather: takes 2 input(s), got 1")));
  ASSERT_OK_AND_ASSIGN(TensorSpec spec,
                       Infer("gather", {{DType::kInt32, Shape({kU, 3})},
                                        {DType::kInt64, Shape({2, kU})}}));
  EXPECT_EQ(spec.shape, Shape({2, kU, 3}));
  EXPECT_EQ(spec.dtype, DType::kInt32);
}

TEST_P(IndexingOpsTest, OneHot) {
  ASSERT_OK_AND_ASSIGN(
      Tensor out, Eval("one_hot", {MakeTensor<int32_t>({2, 2}, {0, 2, -1, 3})},
                       {{"num_classes", int64_t{3}}}));
  EXPECT_EQ(out.dtype(), DType::kFloat32);
  EXPECT_EQ(out.shape(), Shape({2, 2, 3}));
  EXPECT_THAT(Values<float>(out),
              ElementsAre(1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0));
  ASSERT_OK_AND_ASSIGN(Tensor u8,
                       Eval("one_hot", {MakeTensor<uint8_t>({2}, {1, 255})},
                            {{"num_classes", int64_t{2}}}));
  EXPECT_THAT(Values<float>(u8), ElementsAre(0, 1, 0, 0));
  ASSERT_OK_AND_ASSIGN(Tensor i64,
                       Eval("one_hot", {MakeTensor<int64_t>({}, {1})},
                            {{"num_classes", int64_t{2}}}));
  EXPECT_EQ(i64.shape(), Shape({2}));
  EXPECT_THAT(Values<float>(i64), ElementsAre(0, 1));
  EXPECT_THAT(
      Eval("one_hot", {MakeTensor<float>({1}, {0})},
           {{"num_classes", int64_t{2}}}),
      StatusIs(kInvalid,
               HasSubstr("one_hot: indices has dtype float32, expected an "
                         "integer dtype")));
  EXPECT_THAT(
      Eval("one_hot", {MakeTensor<int32_t>({1}, {0})}),
      StatusIs(kInvalid,
               HasSubstr("one_hot: attribute num_classes is required")));
  EXPECT_THAT(
      Eval("one_hot", {MakeTensor<int32_t>({1}, {0})},
           {{"num_classes", int64_t{-2}}}),
      StatusIs(kInvalid, HasSubstr("one_hot: num_classes=-2 is negative")));
  ASSERT_OK_AND_ASSIGN(TensorSpec spec,
                       Infer("one_hot", {{DType::kInt32, Shape({kU, 2})}},
                             {{"num_classes", int64_t{4}}}));
  EXPECT_EQ(spec.shape, Shape({kU, 2, 4}));
}

}  // namespace
}  // namespace remotek
