// server/tensor_codec: wire tensors and attributes <-> engine types.
#include "server/tensor_codec.h"

#include <cstring>
#include <memory>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace remotek::server {
namespace {

using ::remotek::testing::IsOk;
using ::remotek::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

v1::Tensor Wire(int dtype, std::vector<int64_t> shape, std::string content) {
  v1::Tensor t;
  t.set_dtype(static_cast<v1::DType>(dtype));
  for (int64_t d : shape) t.add_shape(d);
  t.set_content(std::move(content));
  return t;
}

std::string Bytes(const std::vector<float>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()),
                     v.size() * sizeof(float));
}

TEST(TensorCodec, DecodesIntoACountedTensorAndEncodesBack) {
  auto account = std::make_shared<MemoryAccount>("test");
  const v1::Tensor wire =
      Wire(v1::FLOAT32, {2, 2}, Bytes({1.5f, -2, 3, 4.25f}));
  ASSERT_OK_AND_ASSIGN(Tensor t, DecodeTensor(wire, "value", account));
  EXPECT_EQ(t.dtype(), DType::kFloat32);
  EXPECT_EQ(t.shape(), Shape({2, 2}));
  EXPECT_EQ(t.data<float>()[3], 4.25f);
  EXPECT_EQ(account->current(), 16);

  v1::Tensor back;
  EncodeTensor(t, &back);
  EXPECT_EQ(back.dtype(), v1::FLOAT32);
  EXPECT_THAT(back.shape(), ElementsAre(2, 2));
  EXPECT_EQ(back.content(), wire.content());
  EXPECT_GE(EncodedSize(t), 16);
  t = Tensor();
  EXPECT_EQ(account->current(), 0);
}

TEST(TensorCodec, ScalarAndEmptyTensors) {
  ASSERT_OK_AND_ASSIGN(
      Tensor scalar,
      DecodeTensor(Wire(v1::INT64, {}, std::string(8, '\0')), "s", nullptr));
  EXPECT_EQ(scalar.shape().rank(), 0);
  EXPECT_EQ(scalar.num_elements(), 1);
  ASSERT_OK_AND_ASSIGN(
      Tensor empty, DecodeTensor(Wire(v1::FLOAT64, {3, 0}, ""), "e", nullptr));
  EXPECT_EQ(empty.num_elements(), 0);
}

TEST(TensorCodec, BoolsAreNormalisedToZeroAndOne) {
  ASSERT_OK_AND_ASSIGN(
      Tensor t,
      DecodeTensor(Wire(v1::BOOL, {3}, std::string("\x00\x02\xff", 3)), "b",
                   nullptr));
  const uint8_t* p = static_cast<const uint8_t*>(t.raw_data());
  EXPECT_EQ(p[0], 0);
  EXPECT_EQ(p[1], 1);
  EXPECT_EQ(p[2], 1);
}

TEST(TensorCodec, RefusesBadTensorsNamingTheField) {
  auto account = std::make_shared<MemoryAccount>("test");
  EXPECT_THAT(DecodeTensor(Wire(0, {1}, "abcd"), "feeds[2]", account),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("feeds[2].dtype is required")));
  EXPECT_THAT(DecodeTensor(Wire(10, {1}, "abcd"), "feeds[2]", account),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("feeds[2].dtype=10 is not a known dtype")));
  EXPECT_THAT(DecodeTensor(Wire(v1::FLOAT32, {2, -1}, ""), "value", account),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("value.shape[1]=-1 is negative")));
  EXPECT_THAT(
      DecodeTensor(Wire(v1::FLOAT32, {3}, "abcd"), "value", account),
      StatusIs(
          absl::StatusCode::kInvalidArgument,
          HasSubstr(
              "value.content has 4 bytes but float32(3,) needs 3 x 4 bytes")));
  EXPECT_THAT(
      DecodeTensor(Wire(v1::INT8, {3}, "abcd"), "value", account),
      StatusIs(
          absl::StatusCode::kInvalidArgument,
          HasSubstr(
              "value.content has 4 bytes but int8(3,) needs 3 x 1 bytes")));
  EXPECT_THAT(
      DecodeTensor(Wire(v1::FLOAT32, {int64_t{1} << 40, int64_t{1} << 40}, ""),
                   "value", account),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("more elements than fit in int64")));
  // Fits in int64 elements, not in int64 bytes.
  EXPECT_THAT(
      DecodeTensor(Wire(v1::FLOAT64, {int64_t{1} << 61}, ""), "value", account),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("value.content has 0 bytes")));
  std::vector<int64_t> deep(33, 1);
  EXPECT_THAT(
      DecodeTensor(Wire(v1::FLOAT32, deep, Bytes({1})), "value", account),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("value.shape has rank 33")));
  // Nothing was charged by the failures.
  EXPECT_EQ(account->current(), 0);
  EXPECT_EQ(account->peak(), 0);
}

TEST(TensorCodec, DTypes) {
  ASSERT_OK_AND_ASSIGN(DType d, DecodeDType(v1::FLOAT16, "dtype"));
  EXPECT_EQ(d, DType::kFloat16);
  ASSERT_OK_AND_ASSIGN(DType unspecified, DecodeOptionalDType(0, "dtype"));
  EXPECT_EQ(unspecified, DType::kInvalid);
  EXPECT_THAT(DecodeDType(0, "x.dtype"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("x.dtype is required")));
  EXPECT_THAT(DecodeOptionalDType(-3, "floatx"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("floatx=-3 is not a known dtype")));
  for (DType dtype : kAllDTypes) {
    EXPECT_EQ(static_cast<int>(EncodeDType(dtype)), static_cast<int>(dtype));
    EXPECT_TRUE(v1::DType_IsValid(EncodeDType(dtype)));
  }
}

TEST(TensorCodec, AttrsOfEveryKind) {
  google::protobuf::Map<std::string, v1::AttrValue> wire;
  wire["i"].set_i(-3);
  wire["f"].set_f(0.25);
  wire["b"].set_b(true);
  wire["s"].set_s("channels_first");
  wire["ints"].mutable_ints()->add_values(2);
  wire["ints"].mutable_ints()->add_values(-1);
  wire["floats"].mutable_floats()->add_values(1.5);
  wire["empty_ints"].mutable_ints();
  ASSERT_OK_AND_ASSIGN(AttrMap attrs, DecodeAttrs(wire));
  EXPECT_EQ(std::get<int64_t>(attrs.at("i")), -3);
  EXPECT_EQ(std::get<double>(attrs.at("f")), 0.25);
  EXPECT_EQ(std::get<bool>(attrs.at("b")), true);
  EXPECT_EQ(std::get<std::string>(attrs.at("s")), "channels_first");
  EXPECT_THAT(std::get<std::vector<int64_t>>(attrs.at("ints")),
              ElementsAre(2, -1));
  EXPECT_THAT(std::get<std::vector<double>>(attrs.at("floats")),
              ElementsAre(1.5));
  EXPECT_TRUE(std::get<std::vector<int64_t>>(attrs.at("empty_ints")).empty());

  google::protobuf::Map<std::string, v1::AttrValue> unset;
  unset["axes"];
  EXPECT_THAT(DecodeAttrs(unset),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("attrs[\"axes\"] has no value")));
}

TEST(TensorCodec, Specs) {
  v1::TensorSpec spec;
  EncodeSpec({DType::kInt32, Shape({-1, 4})}, &spec);
  EXPECT_EQ(spec.dtype(), v1::INT32);
  EXPECT_THAT(spec.shape(), ElementsAre(-1, 4));
}

}  // namespace
}  // namespace remotek::server
