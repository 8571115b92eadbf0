// server/chunk_assembly: the UploadTensor state machine without gRPC.
#include "server/chunk_assembly.h"

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace remotek::server {
namespace {

using ::remotek::testing::IsOk;
using ::remotek::testing::StatusIs;
using ::testing::HasSubstr;
using State = ChunkAssembly::State;

v1::UploadChunk Header(v1::DType dtype, std::vector<int64_t> shape,
                       v1::UploadHeader::Target target = v1::UploadHeader::NEW_VARIABLE) {
  v1::UploadChunk c;
  v1::UploadHeader* h = c.mutable_header();
  h->set_session_id("s");
  h->set_target(target);
  h->set_name("w");
  h->set_dtype(dtype);
  for (int64_t d : shape) h->add_shape(d);
  return c;
}

v1::UploadChunk Content(std::string bytes) {
  v1::UploadChunk c;
  c.set_content(std::move(bytes));
  return c;
}

std::string FloatBytes(const std::vector<float>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float));
}

class ChunkAssemblyTest : public ::testing::Test {
 protected:
  ChunkAssembly::Hooks Hooks() {
    return {.account_for = [this](const v1::UploadHeader&)
                -> absl::StatusOr<std::shared_ptr<MemoryAccount>> {
              if (!account_status_.ok()) return account_status_;
              return account_;
            },
            .admit = [this](const v1::UploadHeader&) { return admit_status_; }};
  }

  std::shared_ptr<MemoryAccount> account_ = std::make_shared<MemoryAccount>("test", 1 << 20);
  absl::Status account_status_;
  absl::Status admit_status_;
};

TEST_F(ChunkAssemblyTest, AssemblesChunksIntoOneChargedTensor) {
  ChunkAssembly a(0, Hooks());
  const std::string bytes = FloatBytes({1, 2, 3, 4, 5, 6});
  ASSERT_OK(a.Add(Header(v1::FLOAT32, {2, 3})));
  EXPECT_EQ(a.state(), State::kReceiving);
  EXPECT_EQ(a.expected_bytes(), 24);
  EXPECT_EQ(account_->current(), 24) << "charged before any content arrives";
  ASSERT_OK(a.Add(Content(bytes.substr(0, 5))));
  ASSERT_OK(a.Add(Content("")));
  ASSERT_OK(a.Add(v1::UploadChunk()));  // no part set: zero bytes
  ASSERT_OK(a.Add(Content(bytes.substr(5))));
  EXPECT_EQ(a.received_bytes(), 24);
  ASSERT_OK_AND_ASSIGN(Tensor t, a.Finish());
  EXPECT_EQ(a.state(), State::kComplete);
  EXPECT_EQ(t.dtype(), DType::kFloat32);
  EXPECT_EQ(t.shape(), Shape({2, 3}));
  EXPECT_EQ(std::memcmp(t.raw_data(), bytes.data(), 24), 0);
  EXPECT_EQ(a.header().name(), "w");
  EXPECT_EQ(account_->current(), 24);
  t = Tensor();
  EXPECT_EQ(account_->current(), 0);
}

TEST_F(ChunkAssemblyTest, EmptyTensorsAndScalarsComplete) {
  ChunkAssembly empty(0, Hooks());
  ASSERT_OK(empty.Add(Header(v1::INT32, {0, 5})));
  ASSERT_OK_AND_ASSIGN(Tensor e, empty.Finish());
  EXPECT_EQ(e.byte_size(), 0);

  ChunkAssembly scalar(0, Hooks());
  ASSERT_OK(scalar.Add(Header(v1::FLOAT64, {})));
  ASSERT_OK(scalar.Add(Content(std::string(8, '\0'))));
  ASSERT_OK_AND_ASSIGN(Tensor s, scalar.Finish());
  EXPECT_EQ(s.num_elements(), 1);
}

TEST_F(ChunkAssemblyTest, BoolsAreNormalisedToZeroAndOne) {
  ChunkAssembly a(0, Hooks());
  ASSERT_OK(a.Add(Header(v1::BOOL, {4})));
  ASSERT_OK(a.Add(Content(std::string("\x00\x02\xff\x01", 4))));
  ASSERT_OK_AND_ASSIGN(Tensor t, a.Finish());
  const uint8_t* p = static_cast<const uint8_t*>(t.raw_data());
  EXPECT_EQ(std::vector<uint8_t>(p, p + 4), (std::vector<uint8_t>{0, 1, 1, 1}));
}

TEST_F(ChunkAssemblyTest, ContentBeforeTheHeaderIsRefused) {
  ChunkAssembly a(0, Hooks());
  EXPECT_THAT(a.Add(Content("abcd")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("the first message must be the header")));
  EXPECT_EQ(a.state(), State::kFailed);
}

TEST_F(ChunkAssemblyTest, ASecondHeaderFailsAndFreesTheBuffer) {
  ChunkAssembly a(0, Hooks());
  ASSERT_OK(a.Add(Header(v1::FLOAT32, {16})));
  EXPECT_EQ(account_->current(), 64);
  EXPECT_THAT(a.Add(Header(v1::FLOAT32, {16})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("a second header arrived")));
  EXPECT_EQ(account_->current(), 0);
  // The first error is final.
  EXPECT_THAT(a.Add(Content("x")), StatusIs(absl::StatusCode::kInvalidArgument,
                                            HasSubstr("a second header arrived")));
  EXPECT_THAT(a.Finish().status(), StatusIs(absl::StatusCode::kInvalidArgument,
                                            HasSubstr("a second header arrived")));
}

TEST_F(ChunkAssemblyTest, TooManyBytesAreRefused) {
  ChunkAssembly a(0, Hooks());
  ASSERT_OK(a.Add(Header(v1::FLOAT32, {2})));
  ASSERT_OK(a.Add(Content("1234567")));
  EXPECT_THAT(a.Add(Content("89")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("chunks carry more than the 8 bytes")));
  EXPECT_EQ(account_->current(), 0);
}

TEST_F(ChunkAssemblyTest, TooFewBytesAtTheEndAreRefused) {
  ChunkAssembly a(0, Hooks());
  ASSERT_OK(a.Add(Header(v1::FLOAT32, {2})));
  ASSERT_OK(a.Add(Content("123")));
  EXPECT_THAT(a.Finish().status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("received 3 of the 8 bytes the header declares")));
  EXPECT_EQ(account_->current(), 0);
}

TEST_F(ChunkAssemblyTest, NoHeaderAtAllIsRefused) {
  ChunkAssembly a(0, Hooks());
  EXPECT_THAT(a.Finish().status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no header was sent")));
}

TEST_F(ChunkAssemblyTest, BadHeaderFieldsAreInvalidArgument) {
  v1::UploadChunk no_target = Header(v1::FLOAT32, {2}, v1::UploadHeader::TARGET_UNSPECIFIED);
  v1::UploadChunk junk_target = Header(v1::FLOAT32, {2});
  junk_target.mutable_header()->set_target(static_cast<v1::UploadHeader::Target>(42));
  const struct {
    v1::UploadChunk chunk;
    const char* message;
  } cases[] = {
      {no_target, "header.target=0 must be NEW_VARIABLE, NEW_CONSTANT or SET_VALUE"},
      {junk_target, "header.target=42"},
      {Header(v1::DTYPE_UNSPECIFIED, {2}), "header.dtype"},
      {Header(static_cast<v1::DType>(99), {2}), "header.dtype"},
      {Header(v1::FLOAT32, {-1}), "header.shape"},
      {Header(v1::FLOAT32, {INT64_MAX, 2}), "header.shape"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.message);
    ChunkAssembly a(0, Hooks());
    EXPECT_THAT(a.Add(c.chunk),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.message)));
    EXPECT_EQ(account_->current(), 0);
  }
}

TEST_F(ChunkAssemblyTest, LimitsAreResourceExhausted) {
  ChunkAssembly elements(10, Hooks());
  EXPECT_THAT(elements.Add(Header(v1::FLOAT32, {4, 4})),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       HasSubstr("header.shape has 16 elements, above the limit of "
                                 "max_tensor_elements=10")));
  ChunkAssembly quota(0, Hooks());
  EXPECT_THAT(quota.Add(Header(v1::FLOAT32, {1 << 20})),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("test")));
  ChunkAssembly huge(0, Hooks());
  EXPECT_THAT(huge.Add(Header(v1::INT8, {INT64_MAX})),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("test")));
  EXPECT_EQ(account_->current(), 0);
}

TEST_F(ChunkAssemblyTest, HooksRunInOrderAndTheirErrorsPassThrough) {
  account_status_ = absl::NotFoundError("session s not found");
  ChunkAssembly unknown(0, Hooks());
  // The session is looked up before the header's own fields are checked.
  EXPECT_THAT(unknown.Add(Header(v1::DTYPE_UNSPECIFIED, {-1})),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("session s")));

  account_status_ = absl::OkStatus();
  admit_status_ = absl::ResourceExhaustedError("max_graph_nodes=1");
  ChunkAssembly bad_shape(0, Hooks());
  // The budget is asked only about a header that passed its checks.
  EXPECT_THAT(bad_shape.Add(Header(v1::FLOAT32, {-1})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("header.shape[0]=-1 is negative")));
  ChunkAssembly refused(0, Hooks());
  EXPECT_THAT(refused.Add(Header(v1::FLOAT32, {2})),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("max_graph_nodes")));
  EXPECT_EQ(account_->current(), 0);
}

TEST_F(ChunkAssemblyTest, AbandonFreesThePartialBuffer) {
  ChunkAssembly a(0, Hooks());
  ASSERT_OK(a.Add(Header(v1::FLOAT32, {8})));
  ASSERT_OK(a.Add(Content("abc")));
  EXPECT_EQ(account_->current(), 32);
  a.Abandon();
  EXPECT_EQ(account_->current(), 0);
  EXPECT_EQ(a.state(), State::kFailed);
  EXPECT_THAT(a.Finish().status(), StatusIs(absl::StatusCode::kCancelled, HasSubstr("abandoned")));
}

TEST_F(ChunkAssemblyTest, NothingMoreAfterCompletion) {
  ChunkAssembly a(0, Hooks());
  ASSERT_OK(a.Add(Header(v1::INT8, {1})));
  ASSERT_OK(a.Add(Content("x")));
  ASSERT_OK_AND_ASSIGN(Tensor t, a.Finish());
  EXPECT_THAT(a.Add(Content("")), StatusIs(absl::StatusCode::kFailedPrecondition,
                                          HasSubstr("already assembled")));
  EXPECT_THAT(a.Finish().status(), StatusIs(absl::StatusCode::kFailedPrecondition,
                                           HasSubstr("already assembled")));
  a.Abandon();  // no effect: the tensor is the caller's now
  EXPECT_EQ(t.data<int8_t>()[0], 'x');
  EXPECT_EQ(account_->current(), 1);
}

TEST_F(ChunkAssemblyTest, DestroyingAnUnfinishedAssemblyFreesItsBuffer) {
  {
    ChunkAssembly a(0, Hooks());
    ASSERT_OK(a.Add(Header(v1::FLOAT32, {8})));
    EXPECT_EQ(account_->current(), 32);
  }
  EXPECT_EQ(account_->current(), 0);
}

}  // namespace
}  // namespace remotek::server
