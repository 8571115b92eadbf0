// UploadTensor / DownloadTensor: tensors larger than one message travel as a
// stream of chunks. Upload assembles straight into the tensor's own buffer,
// charged to the session before the first content byte arrives.
#include <cstring>

#include "absl/strings/str_cat.h"
#include "backend/core/status_macros.h"
#include "server/remotek_service.h"
#include "server/status_mapping.h"
#include "server/tensor_codec.h"

namespace remotek::server {
namespace {

class UploadReactor : public grpc::ServerReadReactor<v1::UploadChunk> {
 public:
  UploadReactor(RemoteKService* service, grpc::CallbackServerContext* ctx, v1::Node* response)
      : service_(service), ctx_(ctx), response_(response) {
    // Refused before a byte of content is read.
    if (absl::Status auth = service_->TenantOf(ctx_).status(); !auth.ok()) {
      Finish(ToGrpcStatus(auth));
      return;
    }
    StartRead(&chunk_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {  // the client half-closed: the tensor must be complete
      Finish(ToGrpcStatus(Complete()));
      return;
    }
    absl::Status status = Consume();
    if (!status.ok()) {
      tensor_ = Tensor();  // free the partial buffer now
      Finish(ToGrpcStatus(status));
      return;
    }
    StartRead(&chunk_);
  }

  void OnDone() override { delete this; }
  void OnCancel() override {}

 private:
  absl::Status Consume() {
    if (chunk_.has_header()) {
      if (session_ != nullptr) {
        return absl::InvalidArgumentError("upload: a second header arrived");
      }
      return StartTensor(chunk_.header());
    }
    if (session_ == nullptr) {
      return absl::InvalidArgumentError("upload: the first message must be the header");
    }
    const std::string& content = chunk_.content();
    if (static_cast<int64_t>(content.size()) > tensor_.byte_size() - received_) {
      return absl::InvalidArgumentError(absl::StrCat(
          "upload: chunks carry more than the ", tensor_.byte_size(), " bytes ",
          tensor_.DebugString(), " needs"));
    }
    std::memcpy(static_cast<char*>(tensor_.raw_data()) + received_, content.data(),
                content.size());
    received_ += static_cast<int64_t>(content.size());
    return absl::OkStatus();
  }

  absl::Status StartTensor(const v1::UploadHeader& header) {
    header_ = header;
    REMOTEK_ASSIGN_OR_RETURN(session_, service_->FindSession(ctx_, header.session_id()));
    if (header.target() == v1::UploadHeader::TARGET_UNSPECIFIED ||
        !v1::UploadHeader::Target_IsValid(header.target())) {
      return absl::InvalidArgumentError(absl::StrCat(
          "header.target=", static_cast<int>(header.target()),
          " must be NEW_VARIABLE, NEW_CONSTANT or SET_VALUE"));
    }
    REMOTEK_ASSIGN_OR_RETURN(DType dtype, DecodeDType(header.dtype(), "header.dtype"));
    const std::vector<int64_t> dims(header.shape().begin(), header.shape().end());
    REMOTEK_RETURN_IF_ERROR(ValidateDims(dims, false, "header.shape"));
    REMOTEK_RETURN_IF_ERROR(CheckElementLimit(dims, "header.shape",
                                              service_->options().max_tensor_elements));
    if (header.target() != v1::UploadHeader::SET_VALUE) {
      REMOTEK_RETURN_IF_ERROR(service_->CheckNodeBudget(*session_, 1));
    }
    REMOTEK_ASSIGN_OR_RETURN(tensor_, Tensor::Allocate(dtype, Shape(dims),
                                                       session_->state().account()));
    return absl::OkStatus();
  }

  absl::Status Complete() {
    if (session_ == nullptr) return absl::InvalidArgumentError("upload: no header was sent");
    if (received_ != tensor_.byte_size()) {
      const int64_t need = tensor_.byte_size();
      tensor_ = Tensor();
      return absl::InvalidArgumentError(absl::StrCat(
          "upload: received ", received_, " of the ", need, " bytes the header declares"));
    }
    if (tensor_.dtype() == DType::kBool) {
      uint8_t* p = static_cast<uint8_t*>(tensor_.raw_data());
      for (int64_t i = 0; i < tensor_.num_elements(); ++i) p[i] = p[i] != 0;
    }
    Tensor value = std::move(tensor_);
    KerasSession& state = session_->state();
    NodeInfo info;
    switch (header_.target()) {
      case v1::UploadHeader::NEW_VARIABLE: {
        VariableRequest r;
        r.name = header_.name();
        r.value = std::move(value);
        REMOTEK_ASSIGN_OR_RETURN(info, state.AddNode(r));
        break;
      }
      case v1::UploadHeader::NEW_CONSTANT: {
        ConstantRequest r;
        r.name = header_.name();
        r.value = std::move(value);
        REMOTEK_ASSIGN_OR_RETURN(info, state.AddNode(r));
        break;
      }
      default: {
        REMOTEK_RETURN_IF_ERROR(state.SetValue(header_.name(), value));
        REMOTEK_ASSIGN_OR_RETURN(info, state.Describe(header_.name()));
        break;
      }
    }
    EncodeNode(info, response_);
    return absl::OkStatus();
  }

  RemoteKService* const service_;
  grpc::CallbackServerContext* const ctx_;
  v1::Node* const response_;
  v1::UploadChunk chunk_;
  v1::UploadHeader header_;
  std::shared_ptr<Session> session_;
  Tensor tensor_;
  int64_t received_ = 0;
};

class DownloadReactor : public grpc::ServerWriteReactor<v1::DownloadChunk> {
 public:
  DownloadReactor(RemoteKService* service, grpc::CallbackServerContext* ctx,
                  const v1::DownloadTensorRequest* request) {
    absl::Status status = Start(service, ctx, *request);
    if (!status.ok()) {
      Finish(ToGrpcStatus(status));
      return;
    }
    StartWrite(&chunk_);
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "download: the client went away"));
      return;
    }
    if (offset_ >= tensor_.byte_size()) {
      tensor_ = Tensor();
      Finish(grpc::Status::OK);
      return;
    }
    const int64_t n = std::min(chunk_bytes_, tensor_.byte_size() - offset_);
    chunk_.set_content(static_cast<const char*>(tensor_.raw_data()) + offset_, n);
    offset_ += n;
    StartWrite(&chunk_);
  }

  void OnDone() override { delete this; }

 private:
  absl::Status Start(RemoteKService* service, grpc::CallbackServerContext* ctx,
                     const v1::DownloadTensorRequest& request) {
    REMOTEK_RETURN_IF_ERROR(service->TenantOf(ctx).status());
    if (request.chunk_bytes() < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("chunk_bytes=", request.chunk_bytes(), " is negative"));
    }
    chunk_bytes_ = request.chunk_bytes() == 0 ? service->options().default_chunk_bytes
                                              : request.chunk_bytes();
    // Leave room for framing inside the message limit.
    chunk_bytes_ = std::min(chunk_bytes_, service->options().max_message_bytes - 1024);
    REMOTEK_ASSIGN_OR_RETURN(auto session, service->FindSession(ctx, request.session_id()));
    REMOTEK_ASSIGN_OR_RETURN(tensor_, session->state().GetValue(request.handle()));
    v1::DownloadHeader* header = chunk_.mutable_header();
    header->set_dtype(EncodeDType(tensor_.dtype()));
    header->mutable_shape()->Assign(tensor_.shape().dims().begin(), tensor_.shape().dims().end());
    return absl::OkStatus();
  }

  v1::DownloadChunk chunk_;
  Tensor tensor_;  // pins the value; variables are replaced, never mutated
  int64_t chunk_bytes_ = 0;
  int64_t offset_ = 0;
};

}  // namespace

grpc::ServerReadReactor<v1::UploadChunk>* RemoteKService::UploadTensor(Ctx* ctx,
                                                                       v1::Node* response) {
  return new UploadReactor(this, ctx, response);
}

grpc::ServerWriteReactor<v1::DownloadChunk>* RemoteKService::DownloadTensor(
    Ctx* ctx, const v1::DownloadTensorRequest* request) {
  return new DownloadReactor(this, ctx, request);
}

}  // namespace remotek::server
