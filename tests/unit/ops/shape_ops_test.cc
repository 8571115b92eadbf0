// Shape ops (reshape .. slice) on both built-in backends.
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
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

constexpr auto kInvalid = absl::StatusCode::kInvalidArgument;
constexpr int64_t kU = kUnknownDim;
using Ints = std::vector<int64_t>;

class ShapeOpsTest : public ::testing::TestWithParam<std::string> {
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

INSTANTIATE_TEST_SUITE_P(Backends, ShapeOpsTest,
                         ::testing::Values("reference", "eigen"),
                         [](const auto& info) { return info.param; });

// (2, 3, 4) holding 0..23.
Tensor Cube() {
  std::vector<int32_t> v(24);
  for (int i = 0; i < 24; ++i) v[i] = i;
  return MakeTensor<int32_t>({2, 3, 4}, v);
}

std::vector<int32_t> Range(int n) {
  std::vector<int32_t> v(n);
  for (int i = 0; i < n; ++i) v[i] = i;
  return v;
}

absl::StatusOr<Shape> StaticShape(const std::string& op, const Shape& x,
                                  const AttrMap& attrs = {}) {
  REMOTEK_ASSIGN_OR_RETURN(TensorSpec spec,
                           Infer(op, {{DType::kFloat32, x}}, attrs));
  return spec.shape;
}

// The inferred static shape, failing the test on an error.
Shape Static(const std::string& op, const Shape& x, const AttrMap& attrs = {}) {
  absl::StatusOr<Shape> shape = StaticShape(op, x, attrs);
  if (!shape.ok()) {
    ADD_FAILURE() << shape.status();
    return Shape({-99});
  }
  return *shape;
}

TEST_P(ShapeOpsTest, AliasingOpsShareTheInputBuffer) {
  const Tensor x = Cube();
  struct Case {
    const char* op;
    AttrMap attrs;
    Shape shape;
  };
  const Case cases[] = {
      {"reshape", {{"shape", Ints{4, -1}}}, Shape({4, 6})},
      {"flatten", {}, Shape({24})},
      {"batch_flatten", {}, Shape({2, 12})},
      {"expand_dims", {}, Shape({2, 3, 4, 1})},
      {"expand_dims", {{"axis", int64_t{-4}}}, Shape({1, 2, 3, 4})},
      {"expand_dims", {{"axis", int64_t{1}}}, Shape({2, 1, 3, 4})},
  };
  for (const Case& c : cases) {
    ASSERT_OK_AND_ASSIGN(Tensor out, Eval(c.op, {x}, c.attrs));
    EXPECT_EQ(out.shape(), c.shape) << c.op;
    EXPECT_EQ(out.dtype(), DType::kInt32);
    EXPECT_TRUE(out.SharesBufferWith(x)) << c.op;
    EXPECT_THAT(Values<int32_t>(out), ElementsAreArray(Range(24)));
  }
  ASSERT_OK_AND_ASSIGN(Tensor squeezed,
                       Eval("squeeze", {MakeTensor<float>({2, 1}, {5, 6})},
                            {{"axis", int64_t{-1}}}));
  EXPECT_EQ(squeezed.shape(), Shape({2}));
  ASSERT_OK_AND_ASSIGN(Tensor scalar,
                       Eval("batch_flatten", {MakeTensor<float>({}, {7})}));
  EXPECT_EQ(scalar.shape(), Shape({1, 1}));
  ASSERT_OK_AND_ASSIGN(Tensor empty,
                       Eval("reshape", {MakeTensor<float>({0, 3}, {})},
                            {{"shape", Ints{3, 0, 2}}}));
  EXPECT_EQ(empty.shape(), Shape({3, 0, 2}));
}

TEST_P(ShapeOpsTest, AliasingOpsStillHaveCopyingKernels) {
  for (const char* op :
       {"reshape", "flatten", "batch_flatten", "expand_dims", "squeeze"}) {
    EXPECT_TRUE(backend_->SupportsOp(op)) << op;
  }
  const KernelFn* copy = backend_->FindKernel("reshape");
  ASSERT_NE(copy, nullptr);
  const Tensor x = Cube();
  ASSERT_OK_AND_ASSIGN(Tensor out,
                       Tensor::Allocate(DType::kInt32, Shape({24}), nullptr));
  const AttrMap attrs;
  ASSERT_OK((*copy)(KernelContext{"reshape", attrs, OpConfig{}}, {x}, out));
  EXPECT_THAT(Values<int32_t>(out), ElementsAreArray(Range(24)));
}

TEST_P(ShapeOpsTest, ReshapeErrors) {
  const Tensor x = Cube();
  EXPECT_THAT(
      Eval("reshape", {x}, {{"shape", Ints{-1, -1}}}),
      StatusIs(kInvalid,
               HasSubstr("reshape: shape=[-1, -1] has more than one -1")));
  EXPECT_THAT(Eval("reshape", {x}, {{"shape", Ints{5, -1}}}),
              StatusIs(kInvalid,
                       HasSubstr("reshape: cannot reshape x of shape (2, 3, 4) "
                                 "(24 elements) into shape=[5, -1]")));
  EXPECT_THAT(Eval("reshape", {x}, {{"shape", Ints{5, 5}}}),
              StatusIs(kInvalid, HasSubstr("(24 elements) into shape=[5, 5]")));
  EXPECT_THAT(
      Eval("reshape", {x}, {{"shape", Ints{4, -2}}}),
      StatusIs(kInvalid, HasSubstr("reshape: shape[1]=-2 is negative")));
  EXPECT_THAT(
      Eval("reshape", {MakeTensor<float>({0}, {})}, {{"shape", Ints{0, -1}}}),
      StatusIs(kInvalid,
               HasSubstr("reshape: cannot infer the -1 in shape=[0, -1]")));
  EXPECT_THAT(
      Eval("reshape", {x}),
      StatusIs(kInvalid, HasSubstr("reshape: attribute shape is required")));
  EXPECT_THAT(
      Eval("squeeze", {x}, {{"axis", int64_t{1}}}),
      StatusIs(kInvalid, HasSubstr("squeeze: axis=1 has size 3 in x of shape "
                                   "(2, 3, 4)")));
  EXPECT_THAT(Eval("squeeze", {x}, {{"axis", int64_t{3}}}),
              StatusIs(kInvalid, HasSubstr("squeeze: axis=3 is out of range")));
  EXPECT_THAT(
      Eval("expand_dims", {x}, {{"axis", int64_t{4}}}),
      StatusIs(kInvalid, HasSubstr("expand_dims: axis=4 is out of range for x "
                                   "of rank 3 (valid: [-4, 3])")));
  EXPECT_THAT(
      Eval("flatten", {x}, {{"axis", int64_t{0}}}),
      StatusIs(kInvalid, HasSubstr("flatten: unknown attribute(s) axis")));
}

TEST(ShapeInfer, ReshapeFamilyWithUnknownDims) {
  const Shape x{kU, 4};
  EXPECT_EQ(Static("reshape", x, {{"shape", Ints{-1, 2}}}), Shape({kU, 2}));
  EXPECT_EQ(Static("reshape", x, {{"shape", Ints{8, 2}}}), Shape({8, 2}));
  EXPECT_THAT(
      StaticShape("reshape", x, {{"shape", Ints{3, 5}}}),
      StatusIs(kInvalid, HasSubstr("x of shape (None, 4) (a multiple of 4 "
                                   "elements) into shape=[3, 5]")));
  EXPECT_EQ(Static("flatten", x), Shape({kU}));
  EXPECT_EQ(Static("flatten", Shape({2, 3})), Shape({6}));
  EXPECT_EQ(Static("batch_flatten", Shape({kU, 2, 3})), Shape({kU, 6}));
  EXPECT_EQ(Static("batch_flatten", Shape({5, kU, 3})), Shape({5, kU}));
  EXPECT_EQ(Static("squeeze", Shape({kU, kU}), {{"axis", int64_t{1}}}),
            Shape({kU}));
  EXPECT_EQ(Static("expand_dims", x, {{"axis", int64_t{0}}}),
            Shape({1, kU, 4}));
}

TEST_P(ShapeOpsTest, PermuteDimensions) {
  ASSERT_OK_AND_ASSIGN(Tensor out, Eval("permute_dimensions", {Cube()},
                                        {{"pattern", Ints{2, 0, -2}}}));
  ASSERT_EQ(out.shape(), Shape({4, 2, 3}));
  const std::vector<int32_t> got = Values<int32_t>(out);
  for (int k = 0; k < 4; ++k)
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 3; ++j)
        EXPECT_EQ(got[(k * 2 + i) * 3 + j], (i * 3 + j) * 4 + k);
  EXPECT_THAT(
      Eval("permute_dimensions", {Cube()}, {{"pattern", Ints{0, 1}}}),
      StatusIs(kInvalid, HasSubstr("permute_dimensions: pattern=[0, 1] has 2 "
                                   "entries but x has rank 3")));
  EXPECT_THAT(
      Eval("permute_dimensions", {Cube()}, {{"pattern", Ints{0, 1, -2}}}),
      StatusIs(kInvalid, HasSubstr("pattern=[0, 1, -2] is not a permutation")));
  EXPECT_THAT(
      Eval("permute_dimensions", {Cube()}, {{"pattern", Ints{0, 1, 3}}}),
      StatusIs(kInvalid,
               HasSubstr("permute_dimensions: pattern[2]=3 is out of range")));
  EXPECT_EQ(
      Static("permute_dimensions", Shape({kU, 3}), {{"pattern", Ints{1, 0}}}),
      Shape({3, kU}));
}

TEST_P(ShapeOpsTest, Concatenate) {
  const Tensor a = MakeTensor<float>({2, 1}, {1, 2});
  const Tensor b = MakeTensor<float>({2, 2}, {3, 4, 5, 6});
  ASSERT_OK_AND_ASSIGN(Tensor last, Eval("concatenate", {a, b, a}));
  EXPECT_EQ(last.shape(), Shape({2, 4}));
  EXPECT_THAT(Values<float>(last), ElementsAre(1, 3, 4, 1, 2, 5, 6, 2));
  ASSERT_OK_AND_ASSIGN(Tensor rows,
                       Eval("concatenate", {b, b}, {{"axis", int64_t{0}}}));
  EXPECT_EQ(rows.shape(), Shape({4, 2}));
  EXPECT_THAT(Values<float>(rows), ElementsAre(3, 4, 5, 6, 3, 4, 5, 6));
  ASSERT_OK_AND_ASSIGN(Tensor one, Eval("concatenate", {a}));
  EXPECT_THAT(Values<float>(one), ElementsAre(1, 2));
  ASSERT_OK_AND_ASSIGN(Tensor with_empty,
                       Eval("concatenate", {a, MakeTensor<float>({2, 0}, {})}));
  EXPECT_THAT(Values<float>(with_empty), ElementsAre(1, 2));

  EXPECT_THAT(
      Eval("concatenate", {a, MakeTensor<double>({2, 1}, {1, 2})}),
      StatusIs(kInvalid, HasSubstr("concatenate: input 1 has dtype float64 but "
                                   "input 0 has float32")));
  EXPECT_THAT(Eval("concatenate", {a, MakeTensor<float>({2}, {1, 2})}),
              StatusIs(kInvalid,
                       HasSubstr("concatenate: input 1 has rank 1 but input 0 "
                                 "has rank 2")));
  EXPECT_THAT(Eval("concatenate", {a, b}, {{"axis", int64_t{0}}}),
              StatusIs(kInvalid,
                       HasSubstr("concatenate: input 1 has shape (2, 2) which "
                                 "differs from input 0's (2, 1) in dim 1")));
  EXPECT_THAT(
      Eval("concatenate", {MakeTensor<float>({}, {1})}),
      StatusIs(kInvalid, HasSubstr("concatenate: cannot concatenate scalars")));
  EXPECT_THAT(
      Eval("concatenate", {a}, {{"axis", int64_t{2}}}),
      StatusIs(kInvalid, HasSubstr("concatenate: axis=2 is out of range")));
  EXPECT_THAT(
      Eval("concatenate", {}),
      StatusIs(kInvalid,
               HasSubstr("concatenate: takes at least 1 input(s), got 0")));
}

TEST(ShapeInfer, ConcatenateAndStackMergeUnknownDims) {
  ASSERT_OK_AND_ASSIGN(
      TensorSpec c, Infer("concatenate", {{DType::kFloat32, Shape({kU, 2})},
                                          {DType::kFloat32, Shape({3, 5})}}));
  EXPECT_EQ(c.shape, Shape({3, 7}));
  ASSERT_OK_AND_ASSIGN(
      TensorSpec u, Infer("concatenate", {{DType::kFloat32, Shape({2, kU})},
                                          {DType::kFloat32, Shape({2, 5})}}));
  EXPECT_EQ(u.shape, Shape({2, kU}));
  ASSERT_OK_AND_ASSIGN(TensorSpec s, Infer("stack",
                                           {{DType::kInt32, Shape({kU, 2})},
                                            {DType::kInt32, Shape({4, kU})}},
                                           {{"axis", int64_t{-1}}}));
  EXPECT_EQ(s.shape, Shape({4, 2, 2}));
}

TEST_P(ShapeOpsTest, Stack) {
  const Tensor a = MakeTensor<int64_t>({2}, {1, 2});
  const Tensor b = MakeTensor<int64_t>({2}, {3, 4});
  ASSERT_OK_AND_ASSIGN(Tensor rows, Eval("stack", {a, b}));
  EXPECT_EQ(rows.shape(), Shape({2, 2}));
  EXPECT_THAT(Values<int64_t>(rows), ElementsAre(1, 2, 3, 4));
  ASSERT_OK_AND_ASSIGN(Tensor cols,
                       Eval("stack", {a, b, a}, {{"axis", int64_t{-1}}}));
  EXPECT_EQ(cols.shape(), Shape({2, 3}));
  EXPECT_THAT(Values<int64_t>(cols), ElementsAre(1, 3, 1, 2, 4, 2));
  ASSERT_OK_AND_ASSIGN(Tensor scalars,
                       Eval("stack", {MakeTensor<int64_t>({}, {7}),
                                      MakeTensor<int64_t>({}, {8})}));
  EXPECT_EQ(scalars.shape(), Shape({2}));
  EXPECT_THAT(Values<int64_t>(scalars), ElementsAre(7, 8));
  EXPECT_THAT(Eval("stack", {a, MakeTensor<int64_t>({3}, {1, 2, 3})}),
              StatusIs(kInvalid,
                       HasSubstr("stack: input 1 has shape (3,) which differs "
                                 "from input 0's (2,) in dim 0")));
  EXPECT_THAT(Eval("stack", {a, b}, {{"axis", int64_t{2}}}),
              StatusIs(kInvalid,
                       HasSubstr("stack: axis=2 is out of range for inputs of "
                                 "rank 1 (valid: [-2, 1])")));
}

TEST_P(ShapeOpsTest, TileFollowsKeras23) {
  const Tensor x = MakeTensor<int32_t>({2, 2}, {1, 2, 3, 4});
  ASSERT_OK_AND_ASSIGN(Tensor both, Eval("tile", {x}, {{"n", Ints{2, 3}}}));
  EXPECT_EQ(both.shape(), Shape({4, 6}));
  EXPECT_THAT(Values<int32_t>(both), ElementsAreArray(std::vector<int32_t>{
                                         1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4,
                                         1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4}));
  // An int (or a short list) is padded with leading 1s, as Keras 2.3 does.
  ASSERT_OK_AND_ASSIGN(Tensor padded, Eval("tile", {x}, {{"n", int64_t{2}}}));
  EXPECT_EQ(padded.shape(), Shape({2, 4}));
  EXPECT_THAT(Values<int32_t>(padded), ElementsAre(1, 2, 1, 2, 3, 4, 3, 4));
  ASSERT_OK_AND_ASSIGN(Tensor zero, Eval("tile", {x}, {{"n", Ints{0, 1}}}));
  EXPECT_EQ(zero.shape(), Shape({0, 2}));
  ASSERT_OK_AND_ASSIGN(Tensor flags,
                       Eval("tile", {MakeTensor<bool>({2}, {true, false})},
                            {{"n", int64_t{2}}}));
  EXPECT_THAT(Values<bool>(flags), ElementsAre(true, false, true, false));
  EXPECT_THAT(
      Eval("tile", {x}, {{"n", Ints{1, 2, 3}}}),
      StatusIs(kInvalid,
               HasSubstr("tile: n=[1, 2, 3] has 3 entries but x has rank 2")));
  EXPECT_THAT(Eval("tile", {x}, {{"n", Ints{1, -2}}}),
              StatusIs(kInvalid, HasSubstr("tile: n[1]=-2 is negative")));
  EXPECT_EQ(Static("tile", Shape({kU, 3}), {{"n", Ints{2, 2}}}),
            Shape({kU, 6}));
  EXPECT_EQ(Static("tile", Shape({kU, 3}), {{"n", Ints{0, 2}}}), Shape({0, 6}));
}

TEST_P(ShapeOpsTest, Repeat) {
  ASSERT_OK_AND_ASSIGN(Tensor out,
                       Eval("repeat", {MakeTensor<float>({2, 2}, {1, 2, 3, 4})},
                            {{"n", int64_t{3}}}));
  EXPECT_EQ(out.shape(), Shape({2, 3, 2}));
  EXPECT_THAT(Values<float>(out),
              ElementsAre(1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4));
  EXPECT_THAT(
      Eval("repeat", {Cube()}, {{"n", int64_t{2}}}),
      StatusIs(kInvalid,
               HasSubstr("repeat: x must have rank 2 (samples, dim), got "
                         "shape (2, 3, 4)")));
  EXPECT_THAT(
      Eval("repeat", {MakeTensor<float>({1, 1}, {1})}, {{"n", int64_t{-1}}}),
      StatusIs(kInvalid, HasSubstr("repeat: n=-1 is negative")));
  EXPECT_EQ(Static("repeat", Shape({kU, 5}), {{"n", int64_t{4}}}),
            Shape({kU, 4, 5}));
}

TEST_P(ShapeOpsTest, Slice) {
  ASSERT_OK_AND_ASSIGN(
      Tensor out, Eval("slice", {Cube()},
                       {{"start", Ints{1, 1, 2}}, {"size", Ints{1, -1, 2}}}));
  EXPECT_EQ(out.shape(), Shape({1, 2, 2}));
  EXPECT_THAT(Values<int32_t>(out), ElementsAre(18, 19, 22, 23));
  ASSERT_OK_AND_ASSIGN(Tensor empty, Eval("slice", {Cube()},
                                          {{"start", Ints{0, 3, 0}},
                                           {"size", Ints{-1, -1, -1}}}));
  EXPECT_EQ(empty.shape(), Shape({2, 0, 4}));
  EXPECT_THAT(
      Eval("slice", {Cube()},
           {{"start", Ints{0, 2, 0}}, {"size", Ints{1, 2, 1}}}),
      StatusIs(kInvalid,
               HasSubstr("slice: start[1]=2 + size[1]=2 runs past dim 1 "
                         "of size 3")));
  EXPECT_THAT(
      Eval("slice", {Cube()},
           {{"start", Ints{0, 4, 0}}, {"size", Ints{1, -1, 1}}}),
      StatusIs(kInvalid,
               HasSubstr("slice: start[1]=4 is out of range for dim 1")));
  EXPECT_THAT(Eval("slice", {Cube()},
                   {{"start", Ints{0, -1, 0}}, {"size", Ints{1, 1, 1}}}),
              StatusIs(kInvalid, HasSubstr("slice: start[1]=-1 is negative")));
  EXPECT_THAT(Eval("slice", {Cube()},
                   {{"start", Ints{0, 0, 0}}, {"size", Ints{1, -3, 1}}}),
              StatusIs(kInvalid, HasSubstr("slice: size[1]=-3 is invalid")));
  EXPECT_THAT(
      Eval("slice", {Cube()}, {{"start", Ints{0, 0}}, {"size", Ints{1, 1, 1}}}),
      StatusIs(
          kInvalid,
          HasSubstr("slice: start=[0, 0] has 2 entries but x has rank 3")));
  EXPECT_EQ(Static("slice", Shape({kU, 6}),
                   {{"start", Ints{1, 2}}, {"size", Ints{-1, -1}}}),
            Shape({kU, 4}));
  EXPECT_EQ(Static("slice", Shape({kU, 6}),
                   {{"start", Ints{1, 2}}, {"size", Ints{3, 1}}}),
            Shape({3, 1}));
}

TEST_P(ShapeOpsTest, Float16MovesWithoutWidening) {
  const Tensor h = MakeTensorAs(DType::kFloat16, {2, 2}, {1, 2.5, -3, 4});
  ASSERT_OK_AND_ASSIGN(
      Tensor t, Eval("permute_dimensions", {h}, {{"pattern", Ints{1, 0}}}));
  EXPECT_EQ(t.dtype(), DType::kFloat16);
  EXPECT_THAT(ValuesAsDouble(t), ElementsAre(1, -3, 2.5, 4));
  ASSERT_OK_AND_ASSIGN(Tensor c,
                       Eval("concatenate", {h, h}, {{"axis", int64_t{0}}}));
  EXPECT_EQ(c.dtype(), DType::kFloat16);
  EXPECT_THAT(ValuesAsDouble(c), ElementsAre(1, 2.5, -3, 4, 1, 2.5, -3, 4));
  ASSERT_OK_AND_ASSIGN(
      Tensor s,
      Eval("slice", {h}, {{"start", Ints{1, 0}}, {"size", Ints{1, 2}}}));
  EXPECT_THAT(ValuesAsDouble(s), ElementsAre(-3, 4));
}

}  // namespace
}  // namespace remotek
