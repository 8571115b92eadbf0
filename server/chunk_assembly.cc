#include "server/chunk_assembly.h"

#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "backend/core/shape.h"
#include "backend/core/status_macros.h"
#include "server/tensor_codec.h"

namespace remotek::server {

ChunkAssembly::ChunkAssembly(int64_t max_tensor_elements, Hooks hooks)
    : max_tensor_elements_(max_tensor_elements), hooks_(std::move(hooks)) {}

absl::Status ChunkAssembly::Add(const v1::UploadChunk& chunk) {
  switch (state_) {
    case State::kFailed:
      return failure_;
    case State::kComplete:
      return absl::FailedPreconditionError("upload: the tensor was already assembled");
    case State::kAwaitingHeader:
      if (!chunk.has_header()) {
        return Fail(absl::InvalidArgumentError("upload: the first message must be the header"));
      }
      return Fail(Start(chunk.header()));
    case State::kReceiving:
      if (chunk.has_header()) {
        return Fail(absl::InvalidArgumentError("upload: a second header arrived"));
      }
      return Fail(Append(chunk.content()));  // no part set: zero bytes
  }
  return absl::OkStatus();
}

// The checks run in the order the service has always answered them: the
// session first (an unknown one is NOT_FOUND whatever the rest says), then
// the header's own fields, then the owner's budget, then the allocation.
absl::Status ChunkAssembly::Start(const v1::UploadHeader& header) {
  header_ = header;
  REMOTEK_ASSIGN_OR_RETURN(std::shared_ptr<MemoryAccount> account,
                           hooks_.account_for(header_));
  if (header_.target() == v1::UploadHeader::TARGET_UNSPECIFIED ||
      !v1::UploadHeader::Target_IsValid(header_.target())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "header.target=", static_cast<int>(header_.target()),
        " must be NEW_VARIABLE, NEW_CONSTANT or SET_VALUE"));
  }
  REMOTEK_ASSIGN_OR_RETURN(DType dtype, DecodeDType(header_.dtype(), "header.dtype"));
  const std::vector<int64_t> dims(header_.shape().begin(), header_.shape().end());
  REMOTEK_RETURN_IF_ERROR(ValidateDims(dims, false, "header.shape"));
  REMOTEK_RETURN_IF_ERROR(CheckElementLimit(dims, "header.shape", max_tensor_elements_));
  if (hooks_.admit) REMOTEK_RETURN_IF_ERROR(hooks_.admit(header_));
  REMOTEK_ASSIGN_OR_RETURN(tensor_, Tensor::Allocate(dtype, Shape(dims), std::move(account)));
  expected_ = tensor_.byte_size();
  state_ = State::kReceiving;
  return absl::OkStatus();
}

absl::Status ChunkAssembly::Append(const std::string& content) {
  const int64_t n = static_cast<int64_t>(content.size());
  if (n > expected_ - received_) {
    return absl::InvalidArgumentError(absl::StrCat(
        "upload: chunks carry more than the ", expected_, " bytes ",
        tensor_.DebugString(), " needs"));
  }
  if (n > 0) std::memcpy(static_cast<char*>(tensor_.raw_data()) + received_, content.data(), n);
  received_ += n;
  return absl::OkStatus();
}

absl::StatusOr<Tensor> ChunkAssembly::Finish() {
  switch (state_) {
    case State::kFailed:
      return failure_;
    case State::kComplete:
      return absl::FailedPreconditionError("upload: the tensor was already assembled");
    case State::kAwaitingHeader:
      return Fail(absl::InvalidArgumentError("upload: no header was sent"));
    case State::kReceiving:
      break;
  }
  if (received_ != expected_) {
    return Fail(absl::InvalidArgumentError(absl::StrCat(
        "upload: received ", received_, " of the ", expected_, " bytes the header declares")));
  }
  // The wire decoder's guarantee for inline tensors holds for uploads too.
  if (tensor_.dtype() == DType::kBool) {
    uint8_t* p = static_cast<uint8_t*>(tensor_.raw_data());
    for (int64_t i = 0; i < tensor_.num_elements(); ++i) p[i] = p[i] != 0;
  }
  state_ = State::kComplete;
  Tensor out = std::move(tensor_);
  tensor_ = Tensor();
  return out;
}

void ChunkAssembly::Abandon() {
  if (state_ == State::kAwaitingHeader || state_ == State::kReceiving) {
    (void)Fail(absl::CancelledError("upload: abandoned"));
  }
}

absl::Status ChunkAssembly::Fail(absl::Status status) {
  if (status.ok()) return status;
  tensor_ = Tensor();  // the partial buffer's bytes go back to the account now
  state_ = State::kFailed;
  failure_ = status;
  return status;
}

}  // namespace remotek::server
