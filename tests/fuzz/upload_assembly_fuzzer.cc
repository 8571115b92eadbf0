// Fuzzes chunked upload assembly (server/chunk_assembly.h, the state machine
// behind the UploadTensor stream): fuzz bytes -> any sequence of headers,
// content chunks, empty chunks and raw protobuf chunks, ended by the end of
// the stream, an abandon, or nothing (the stream object is dropped).
//
// Input: byte 0 picks the limits and which owner hooks fail; then records of
// a tag byte and its payload (see Record). Header and raw chunks are binary
// protobuf, so the seeds in corpus/upload_assembly (make_seeds.py) spell real
// streams.
//
// Besides "no crash, no UB, no leak" it checks the documented guarantees:
// errors are INVALID_ARGUMENT or RESOURCE_EXHAUSTED (or a hook's own status);
// the whole declared size is charged once the header is accepted and given
// back the moment an assembly fails or is abandoned; a completed tensor has
// the header's dtype and shape, exactly the declared bytes, the bytes sent
// (bools as 0/1); and once it is dropped the session's and the tenant's
// accounts are back to exactly 0 bytes.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "server/chunk_assembly.h"
#include "server/tensor_codec.h"
#include "tests/fuzz/fuzz_inputs.h"

namespace remotek::fuzz {
namespace {

using server::ChunkAssembly;

// Reads the input front to back; past the end every read is empty/zero.
class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool done() const { return pos_ >= size_; }
  uint8_t Byte() { return done() ? 0 : data_[pos_++]; }
  std::string Bytes(size_t n) {
    n = std::min(n, size_ - std::min(pos_, size_));
    std::string s(reinterpret_cast<const char*>(data_ + pos_), n);
    pos_ += n;
    return s;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

// Record tags (the tag byte modulo 7).
enum Tag {
  kHeader = 0,    // length byte + binary v1::UploadHeader
  kContent = 1,   // length byte + that many content bytes
  kFill = 2,      // pattern byte: content for every byte still missing
  kEmpty = 3,     // an UploadChunk with no part set
  kRawChunk = 4,  // length byte + binary v1::UploadChunk (header or content)
  kEnd = 5,       // the client half-closes: Finish()
  kAbandon = 6,   // the client goes away: Abandon()
};

bool IsAllowedError(const absl::Status& s, const absl::Status& hook_error) {
  return s.code() == absl::StatusCode::kInvalidArgument ||
         s.code() == absl::StatusCode::kResourceExhausted ||
         (!hook_error.ok() && s == hook_error);
}

void CheckComplete(const Tensor& t, const v1::UploadHeader& header, const std::string& sent) {
  absl::StatusOr<DType> dtype = server::DecodeDType(header.dtype(), "dtype");
  Require(dtype.ok() && t.dtype() == *dtype, "a completed tensor has the header's dtype");
  Require(t.shape() == Shape(std::vector<int64_t>(header.shape().begin(), header.shape().end())),
          "a completed tensor has the header's shape");
  absl::StatusOr<int64_t> n = t.shape().NumElements();
  Require(n.ok() && t.num_elements() == *n, "element count matches the declared shape");
  Require(t.byte_size() == *n * static_cast<int64_t>(DTypeSize(t.dtype())),
          "a completed tensor holds exactly the declared shape's bytes");
  Require(static_cast<int64_t>(sent.size()) == t.byte_size(), "every byte sent was counted");
  const uint8_t* p = static_cast<const uint8_t*>(t.raw_data());
  for (int64_t i = 0; i < t.byte_size(); ++i) {
    const uint8_t want = t.dtype() == DType::kBool ? sent[i] != 0 : static_cast<uint8_t>(sent[i]);
    Require(p[i] == want, "a completed tensor holds the bytes sent (bools as 0/1)");
  }
}

void RunOne(const uint8_t* data, size_t size) {
  Reader in(data, size);
  const uint8_t config = in.Byte();
  const int64_t kElementLimits[] = {0, 64, 4096, 1};
  const int64_t max_elements = kElementLimits[config & 3];
  auto tenant = std::make_shared<MemoryAccount>(
      "fuzz tenant", (config & 4) ? 512 : MemoryAccount::kNoLimit);
  auto session = std::make_shared<MemoryAccount>(
      "fuzz session", (config & 8) ? 100 : int64_t{1} << 20, tenant);
  const absl::Status no_session = (config & 16) ? absl::NotFoundError("session not found")
                                                : absl::OkStatus();
  const absl::Status no_budget = (config & 32)
                                     ? absl::ResourceExhaustedError("max_graph_nodes")
                                     : absl::OkStatus();
  int hook_calls = 0;
  absl::Status hook_error;
  {
    ChunkAssembly assembly(
        max_elements,
        {.account_for = [&](const v1::UploadHeader&)
             -> absl::StatusOr<std::shared_ptr<MemoryAccount>> {
           ++hook_calls;
           hook_error = no_session;
           if (!no_session.ok()) return no_session;
           return session;
         },
         .admit = [&](const v1::UploadHeader& h) {
           if (h.target() == v1::UploadHeader::SET_VALUE) return absl::OkStatus();
           hook_error = no_budget;
           return no_budget;
         }});
    std::string sent;  // content bytes accepted so far
    Tensor result;
    bool stop = false;
    for (int records = 0; !in.done() && !stop && records < 64; ++records) {
      const Tag tag = static_cast<Tag>(in.Byte() % 7);
      v1::UploadChunk chunk;
      switch (tag) {
        case kHeader: {
          const std::string bytes = in.Bytes(in.Byte());
          (void)chunk.mutable_header()->ParseFromString(bytes);  // junk: a partial header
          break;
        }
        case kContent:
          chunk.set_content(in.Bytes(in.Byte()));
          break;
        case kFill: {
          const char pattern = static_cast<char>(in.Byte());
          const int64_t missing = assembly.expected_bytes() - assembly.received_bytes();
          chunk.set_content(std::string(std::max<int64_t>(missing, 0), pattern));
          break;
        }
        case kEmpty:
          break;
        case kRawChunk:
          (void)chunk.ParseFromString(in.Bytes(in.Byte()));
          break;
        case kEnd: {
          absl::StatusOr<Tensor> t = assembly.Finish();
          if (t.ok()) {
            Require(assembly.state() == ChunkAssembly::State::kComplete, "Finish completes");
            CheckComplete(*t, assembly.header(), sent);
            Require(session->current() == t->byte_size(),
                    "a completed tensor is still charged to the session");
            result = *std::move(t);
          } else {
            Require(IsAllowedError(t.status(), hook_error),
                    "Finish fails with INVALID_ARGUMENT or RESOURCE_EXHAUSTED only");
            Require(session->current() == 0, "a failed assembly has given its bytes back");
          }
          stop = true;
          continue;
        }
        case kAbandon:
          assembly.Abandon();
          Require(session->current() == 0, "an abandoned assembly has given its bytes back");
          stop = true;
          continue;
      }
      const bool before_header = assembly.state() == ChunkAssembly::State::kAwaitingHeader;
      const absl::Status s = assembly.Add(chunk);
      if (!s.ok()) {
        // The reactor finishes the RPC at the first error.
        Require(IsAllowedError(s, hook_error),
                "Add fails with INVALID_ARGUMENT or RESOURCE_EXHAUSTED only");
        Require(assembly.state() == ChunkAssembly::State::kFailed, "an error is final");
        Require(session->current() == 0 && tenant->current() == 0,
                "a failed assembly has given its bytes back at once");
        stop = true;
        continue;
      }
      Require(assembly.state() == ChunkAssembly::State::kReceiving, "accepted: receiving");
      if (before_header) {
        Require(session->current() == assembly.expected_bytes(),
                "the declared size is charged when the header is accepted");
        Require(max_elements == 0 ||
                    assembly.expected_bytes() <=
                        max_elements * static_cast<int64_t>(sizeof(double)),
                "max_tensor_elements bounds what a header can charge");
      } else {
        sent += chunk.content();
      }
      Require(assembly.received_bytes() == static_cast<int64_t>(sent.size()) &&
                  assembly.received_bytes() <= assembly.expected_bytes(),
              "never more bytes received than declared");
    }
    Require(hook_calls <= 1, "the owner is asked about one header at most");
    result = Tensor();
  }
  // The assembly (and any tensor it built) is gone, whichever way it ended.
  Require(session->current() == 0, "the session account is back to 0 bytes");
  Require(tenant->current() == 0, "the tenant account is back to 0 bytes");
}

}  // namespace
}  // namespace remotek::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  remotek::fuzz::RunOne(data, size);
  return 0;
}
