// Large tensors through the streaming RPCs: a 256 MiB upload and download in
// chunks (checksummed, MB/s reported), the unary message limit and the
// client's fallback to DownloadTensor, and broken uploads that must leave the
// session's memory exactly as it was.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "remotek/client.h"
#include "remotek/v1/remotek.grpc.pb.h"
#include "tests/support/server_process.h"
#include "tests/support/status_matchers.h"

namespace rk = remotek::client;

namespace remotek::testing {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::SizeIs;

uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// `bytes` pseudo-random bytes (a multiple of 8).
std::string RandomBytes(int64_t bytes, uint64_t seed) {
  std::string out(static_cast<size_t>(bytes), '\0');
  for (int64_t i = 0; i < bytes / 8; ++i) {
    const uint64_t w = SplitMix64(seed + i);
    std::memcpy(out.data() + i * 8, &w, 8);
  }
  return out;
}

// FNV-1a over 64-bit words (order-sensitive, fast enough for 256 MiB).
uint64_t Checksum(const std::string& bytes) {
  uint64_t h = 0xcbf29ce484222325ull;
  const size_t words = bytes.size() / 8;
  for (size_t i = 0; i < words; ++i) {
    uint64_t w;
    std::memcpy(&w, bytes.data() + i * 8, 8);
    h = (h ^ w) * 0x100000001b3ull;
  }
  for (size_t i = words * 8; i < bytes.size(); ++i) {
    h = (h ^ static_cast<uint8_t>(bytes[i])) * 0x100000001b3ull;
  }
  return h;
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since)
      .count();
}

TEST(Streaming, Uploads256MiBAndDownloadsItBackIdentical) {
  ASSERT_OK_AND_ASSIGN(auto server, ServerProcess::Start({"--threads=2"}));
  rk::Client client(server->address());
  ASSERT_OK_AND_ASSIGN(rk::Session s, client.create_session());

  constexpr int64_t kBytes = int64_t{256} << 20;
  const rk::HostTensor value(rk::DType::kFloat32, {64, 1024, 1024},
                             RandomBytes(kBytes, 17));
  const uint64_t sent_sum = Checksum(value.bytes());

  auto start = std::chrono::steady_clock::now();
  ASSERT_OK_AND_ASSIGN(rk::Node node,
                       s.upload(value, rk::UploadTarget::kNewVariable, "big"));
  const double up_s = Seconds(start);
  EXPECT_EQ(node.handle, "big");
  EXPECT_EQ(node.kind, "variable");
  EXPECT_EQ(node.dtype, rk::DType::kFloat32);
  EXPECT_EQ(node.shape, (rk::Dims{64, 1024, 1024}));
  ASSERT_OK_AND_ASSIGN(rk::SessionStats stats, s.stats());
  EXPECT_GE(stats.bytes_held, kBytes);
  EXPECT_LT(stats.bytes_held, kBytes + (1 << 20));

  start = std::chrono::steady_clock::now();
  ASSERT_OK_AND_ASSIGN(rk::HostTensor back, s.download(node));
  const double down_s = Seconds(start);
  EXPECT_EQ(back.dtype(), rk::DType::kFloat32);
  EXPECT_EQ(back.shape(), value.shape());
  ASSERT_EQ(back.byte_size(), kBytes);
  const uint64_t received_sum = Checksum(back.bytes());
  EXPECT_EQ(received_sum, sent_sum);
  EXPECT_TRUE(back.bytes() == value.bytes());

  const double mb = static_cast<double>(kBytes) / (1 << 20);
  std::printf(
      "[ streaming ] 256 MiB in %lld-byte chunks: upload %.3f s (%.0f MB/s), "
      "download %.3f s (%.0f MB/s), checksum %016llx\n",
      static_cast<long long>(client.options().chunk_bytes), up_s, mb / up_s,
      down_s, mb / down_s, static_cast<unsigned long long>(received_sum));
  ::testing::Test::RecordProperty("upload_MBps", static_cast<int>(mb / up_s));
  ::testing::Test::RecordProperty("download_MBps",
                                  static_cast<int>(mb / down_s));

  ASSERT_OK_AND_ASSIGN(rk::SessionInfo cleared, s.clear_session());
  EXPECT_EQ(cleared.stats.bytes_held, 0);
}

// A server with a 1 MiB message limit and a 2 MiB variable.
class MessageLimitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(
        server_,
        ServerProcess::Start({"--threads=2", "--max_message_bytes=1048576"}));
    big_ = rk::HostTensor(rk::DType::kFloat32, {512, 1024},
                          RandomBytes(2 << 20, 5));
  }

  std::unique_ptr<ServerProcess> server_;
  rk::HostTensor big_;
};

TEST_F(MessageLimitTest, UnaryGetValueIsRefusedAndTheClientStreamsInstead) {
  // The client streams values above its threshold on the way up...
  rk::Client client(server_->address(), {.stream_threshold_bytes = 512 << 10});
  ASSERT_OK_AND_ASSIGN(rk::ServerInfo info, client.server_info());
  EXPECT_EQ(info.max_message_bytes, 1 << 20);
  ASSERT_OK_AND_ASSIGN(rk::Session s, client.create_session());
  ASSERT_OK_AND_ASSIGN(rk::Node big, s.variable(big_, "big"));
  EXPECT_EQ(big.shape, (rk::Dims{512, 1024}));
  ASSERT_OK_AND_ASSIGN(
      rk::Node small,
      s.variable(rk::HostTensor::FromVector<int32_t>({2}, {1, 2}), "small"));

  // ...and plain unary GetValue is refused, naming the value and the way out.
  auto stub = v1::RemoteK::NewStub(server_->Channel());
  v1::GetValueRequest req;
  req.set_session_id(s.id());
  req.set_handle("big");
  v1::Tensor resp;
  grpc::ClientContext ctx;
  ctx.AddMetadata(rk::kSessionIdHeader, s.id());
  const grpc::Status raw = stub->GetValue(&ctx, req, &resp);
  EXPECT_EQ(raw.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(raw.error_message(),
              AllOf(HasSubstr("\"big\""), HasSubstr("2097152 bytes"),
                    HasSubstr("1048576 bytes"), HasSubstr("DownloadTensor")));

  // get_value / batch_get_value fall back to the stream and return the bytes.
  ASSERT_OK_AND_ASSIGN(rk::HostTensor got, s.get_value(big));
  EXPECT_EQ(got, big_);
  ASSERT_OK_AND_ASSIGN(std::vector<rk::HostTensor> both,
                       s.batch_get_value({small, big}));
  ASSERT_THAT(both, SizeIs(2));
  EXPECT_EQ(both[0].values<int32_t>(), (std::vector<int32_t>{1, 2}));
  EXPECT_EQ(both[1], big_);
  // Download chunks are capped below the server's limit whatever is asked for.
  ASSERT_OK_AND_ASSIGN(rk::HostTensor streamed, s.download(big, 8 << 20));
  EXPECT_EQ(streamed, big_);

  // An eager result above the limit is refused the same way; keep it instead.
  EXPECT_THAT(s.run_op("negative", {big}).status(),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       AllOf(HasSubstr("negative result"),
                             HasSubstr("DownloadTensor"))));
  ASSERT_OK_AND_ASSIGN(
      rk::EagerResult kept,
      s.run_op("negative", {big}, {}, {.keep = true, .skip_result = true}));
  ASSERT_TRUE(kept.kept.has_value());
  ASSERT_OK_AND_ASSIGN(rk::HostTensor negated, s.get_value(*kept.kept));
  const std::vector<float> a = big_.values<float>();
  const std::vector<float> b = negated.values<float>();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); i += 4099) {
    if (!std::isnan(a[i])) {
      ASSERT_EQ(b[i], -a[i]) << i;
    }
  }

  // set_value above the threshold streams too (SET_VALUE).
  const rk::HostTensor replacement(rk::DType::kFloat32, {512, 1024},
                                   RandomBytes(2 << 20, 6));
  ASSERT_OK(s.set_value(big, replacement));
  ASSERT_OK_AND_ASSIGN(got, s.get_value(big));
  EXPECT_EQ(got, replacement);
}

TEST_F(MessageLimitTest, TheClientStreamsWhatWouldNotFitOneMessage) {
  // Default threshold (8 MiB), but the client caps it below the server's
  // 1 MiB limit, so the 2 MiB variable still arrives (through UploadTensor).
  rk::Client client(server_->address());
  ASSERT_OK_AND_ASSIGN(rk::Session s, client.create_session());
  ASSERT_OK_AND_ASSIGN(rk::Node big, s.variable(big_, "big"));
  ASSERT_OK_AND_ASSIGN(rk::SessionStats stats, s.stats());
  EXPECT_GE(stats.bytes_held, 2 << 20);
  ASSERT_OK_AND_ASSIGN(rk::HostTensor got, s.get_value(big));
  EXPECT_EQ(got, big_);

  // The same value as one raw unary Variable request is refused by gRPC.
  auto stub = v1::RemoteK::NewStub(server_->Channel());
  v1::VariableRequest req;
  req.set_session_id(s.id());
  req.set_name("unary");
  v1::Tensor* value = req.mutable_value();
  value->set_dtype(v1::FLOAT32);
  value->mutable_shape()->Assign(big_.shape().begin(), big_.shape().end());
  value->set_content(big_.bytes());
  v1::Node resp;
  grpc::ClientContext ctx;
  const grpc::Status raw = stub->Variable(&ctx, req, &resp);
  EXPECT_EQ(raw.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(raw.error_message(), HasSubstr("larger than max"));
  ASSERT_OK_AND_ASSIGN(rk::SessionStats after, s.stats());
  EXPECT_EQ(after.bytes_held, stats.bytes_held);
  EXPECT_EQ(after.nodes, 1);
}

// ------------------------------------------------------------ broken uploads

class BrokenUploadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(server_, ServerProcess::Start({"--threads=2"}));
    client_ = std::make_unique<rk::Client>(server_->address());
    ASSERT_OK_AND_ASSIGN(session_, client_->create_session());
    stub_ = v1::RemoteK::NewStub(server_->Channel());
    // Something held, so "back to what it was" is not trivially zero.
    ASSERT_OK(session_
                  ->variable(rk::HostTensor::Zeros(rk::DType::kFloat32, {1024}),
                             "keep")
                  .status());
    ASSERT_OK_AND_ASSIGN(baseline_, session_->stats());
    ASSERT_GT(baseline_.bytes_held, 0);
  }

  v1::UploadChunk Header(v1::UploadHeader::Target target,
                         std::vector<int64_t> shape,
                         const std::string& name = "broken") const {
    v1::UploadChunk chunk;
    v1::UploadHeader* h = chunk.mutable_header();
    h->set_session_id(session_->id());
    h->set_target(target);
    h->set_name(name);
    h->set_dtype(v1::FLOAT32);
    h->mutable_shape()->Assign(shape.begin(), shape.end());
    return chunk;
  }
  static v1::UploadChunk Content(size_t bytes) {
    v1::UploadChunk chunk;
    chunk.set_content(std::string(bytes, '\x01'));
    return chunk;
  }

  // Sends `messages` on one UploadTensor stream; returns the server's status.
  absl::Status Upload(const std::vector<v1::UploadChunk>& messages) const {
    grpc::ClientContext ctx;
    ctx.AddMetadata(rk::kSessionIdHeader, session_->id());
    v1::Node resp;
    auto writer = stub_->UploadTensor(&ctx, &resp);
    for (const v1::UploadChunk& m : messages) {
      if (!writer->Write(m)) break;  // the server already finished
    }
    writer->WritesDone();
    const grpc::Status status = writer->Finish();
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                        status.error_message());
  }

  void ExpectSessionAsBefore() {
    ASSERT_OK_AND_ASSIGN(rk::SessionStats now, session_->stats());
    EXPECT_EQ(now.bytes_held, baseline_.bytes_held);
    EXPECT_EQ(now.nodes, baseline_.nodes);
    EXPECT_THAT(session_->get_value("broken").status(),
                StatusIs(absl::StatusCode::kNotFound, HasSubstr("broken")));
  }

  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<rk::Client> client_;
  std::optional<rk::Session> session_;
  std::unique_ptr<v1::RemoteK::Stub> stub_;
  rk::SessionStats baseline_;
};

TEST_F(BrokenUploadTest, TooFewBytes) {
  EXPECT_THAT(Upload({Header(v1::UploadHeader::NEW_VARIABLE, {1024}),
                      Content(2000), Content(2000)}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("received 4000 of the 4096 bytes")));
  ExpectSessionAsBefore();
}

TEST_F(BrokenUploadTest, TooManyBytes) {
  EXPECT_THAT(Upload({Header(v1::UploadHeader::NEW_VARIABLE, {1024}),
                      Content(4096), Content(8)}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("more than the 4096 bytes")));
  ExpectSessionAsBefore();
  // A large overrun in big chunks ends the same way, without growing anything.
  EXPECT_THAT(Upload({Header(v1::UploadHeader::NEW_CONSTANT, {256, 1024}),
                      Content(1 << 20), Content(1 << 20)}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("more than the 1048576 bytes")));
  ExpectSessionAsBefore();
}

TEST_F(BrokenUploadTest, NoHeader) {
  EXPECT_THAT(Upload({Content(16)}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("the first message must be the header")));
  ExpectSessionAsBefore();
  EXPECT_THAT(Upload({}), StatusIs(absl::StatusCode::kInvalidArgument,
                                   HasSubstr("no header was sent")));
  ExpectSessionAsBefore();
}

TEST_F(BrokenUploadTest, BadHeaders) {
  EXPECT_THAT(
      Upload({Header(v1::UploadHeader::NEW_VARIABLE, {4}), Content(8),
              Header(v1::UploadHeader::NEW_VARIABLE, {4})}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("second header")));
  ExpectSessionAsBefore();
  EXPECT_THAT(
      Upload({Header(v1::UploadHeader::TARGET_UNSPECIFIED, {4}), Content(16)}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("header.target")));
  ExpectSessionAsBefore();
  EXPECT_THAT(
      Upload({Header(v1::UploadHeader::NEW_VARIABLE, {4, -3})}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("header.shape")));
  ExpectSessionAsBefore();
  // SET_VALUE of a variable that does not exist, with every byte sent.
  EXPECT_THAT(Upload({Header(v1::UploadHeader::SET_VALUE, {4}), Content(16)}),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("broken")));
  ExpectSessionAsBefore();
  v1::UploadChunk stranger = Header(v1::UploadHeader::NEW_VARIABLE, {4});
  stranger.mutable_header()->set_session_id("ffffffffffffffffffffffffffffffff");
  EXPECT_THAT(
      Upload({stranger, Content(16)}),
      StatusIs(absl::StatusCode::kNotFound, HasSubstr("unknown session")));
  ExpectSessionAsBefore();
}

TEST_F(BrokenUploadTest, AGoodUploadAfterBrokenOnesStillWorks) {
  ASSERT_THAT(
      Upload({Header(v1::UploadHeader::NEW_VARIABLE, {1024}), Content(100)}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("received 100")));
  // Replacing "keep" with a value of its size leaves bytes_held unchanged.
  ASSERT_OK(Upload(
      {Header(v1::UploadHeader::SET_VALUE, {1024}, "keep"), Content(4096)}));
  ASSERT_OK_AND_ASSIGN(rk::SessionStats now, session_->stats());
  EXPECT_EQ(now.bytes_held, baseline_.bytes_held);
  ASSERT_OK_AND_ASSIGN(rk::HostTensor keep, session_->get_value("keep"));
  EXPECT_EQ(keep.bytes(), std::string(4096, '\x01'));
}

}  // namespace
}  // namespace remotek::testing
