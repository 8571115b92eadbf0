// ChunkAssembly: the state machine behind the UploadTensor stream, apart from
// gRPC so that unit tests and a fuzzer can drive it with any chunk sequence.
//
// The stream is one v1::UploadChunk with a header (session, target, name,
// dtype, shape), then any number of content chunks whose bytes, in order, are
// the tensor's raw little-endian row-major content, then the end of the
// stream. The tensor's buffer is allocated, and charged to the account the
// owner names, as soon as the header passes its checks — before a byte of
// content arrives — and content is copied straight into it.
//
// Example (what UploadReactor does, minus gRPC):
//   ChunkAssembly assembly(max_tensor_elements, {
//       .account_for = [&](const v1::UploadHeader& h) { return AccountOf(h.session_id()); },
//       .admit = [&](const v1::UploadHeader& h) { return CheckNodeBudget(h); }});
//   for (const v1::UploadChunk& chunk : stream) {
//     if (absl::Status s = assembly.Add(chunk); !s.ok()) return s;
//   }
//   REMOTEK_ASSIGN_OR_RETURN(Tensor value, assembly.Finish());
//
// Errors: INVALID_ARGUMENT (no header first, a second header, a bad target,
// dtype or shape, more or fewer content bytes than the shape needs),
// RESOURCE_EXHAUSTED (max_tensor_elements, the account's quota, a failed
// allocation), or whatever status a hook returns. The first error is final:
// the partial buffer is freed at once (its bytes go back to the account) and
// every later Add/Finish returns the same status.
//
// Thread-safety: none; one stream, one thread at a time (gRPC never runs two
// callbacks of one reactor at once).
#ifndef REMOTEK_SERVER_CHUNK_ASSEMBLY_H_
#define REMOTEK_SERVER_CHUNK_ASSEMBLY_H_

#include <cstdint>
#include <functional>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "backend/core/memory_account.h"
#include "backend/core/tensor.h"
#include "remotek/v1/remotek.pb.h"

namespace remotek::server {

class ChunkAssembly {
 public:
  // What only the owner of the stream (the service) can decide.
  struct Hooks {
    // Called with the header before it is checked: the account that pays for
    // the tensor (null: charged to nobody), or an error (NOT_FOUND for an
    // unknown session, UNAUTHENTICATED, ...). Required.
    std::function<absl::StatusOr<std::shared_ptr<MemoryAccount>>(const v1::UploadHeader&)>
        account_for;
    // Called once the header passed its checks, before the buffer is
    // allocated (the session's node budget). Optional.
    std::function<absl::Status(const v1::UploadHeader&)> admit;
  };

  enum class State {
    kAwaitingHeader,  // nothing received yet
    kReceiving,       // header accepted, buffer allocated, content arriving
    kComplete,        // Finish() handed the tensor out
    kFailed,          // an error; the buffer is freed
  };

  // `max_tensor_elements`: 0 is unlimited.
  ChunkAssembly(int64_t max_tensor_elements, Hooks hooks);

  ChunkAssembly(const ChunkAssembly&) = delete;
  ChunkAssembly& operator=(const ChunkAssembly&) = delete;

  // The next message of the stream. The first must carry the header; every
  // later one content. Content beyond the declared byte size is refused.
  // FAILED_PRECONDITION after Finish() succeeded.
  absl::Status Add(const v1::UploadChunk& chunk);

  // The end of the stream: the assembled tensor (bools normalised to 0/1),
  // still charged to the account, once exactly the declared bytes arrived.
  // FAILED_PRECONDITION if called again after it succeeded.
  absl::StatusOr<Tensor> Finish();

  // Gives up (the client went away): frees the partial buffer; later
  // Add/Finish calls return CANCELLED. No effect once complete or failed.
  void Abandon();

  State state() const { return state_; }
  // The accepted header. REQUIRES: state() is kReceiving or kComplete.
  const v1::UploadHeader& header() const { return header_; }
  int64_t received_bytes() const { return received_; }
  // The bytes the header declares (0 before the header was accepted).
  int64_t expected_bytes() const { return expected_; }

 private:
  absl::Status Start(const v1::UploadHeader& header);
  absl::Status Append(const std::string& content);
  absl::Status Fail(absl::Status status);

  const int64_t max_tensor_elements_;
  const Hooks hooks_;
  State state_ = State::kAwaitingHeader;
  absl::Status failure_;
  v1::UploadHeader header_;
  Tensor tensor_;
  int64_t expected_ = 0;
  int64_t received_ = 0;
};

}  // namespace remotek::server

#endif  // REMOTEK_SERVER_CHUNK_ASSEMBLY_H_
