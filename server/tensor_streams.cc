// UploadTensor / DownloadTensor: tensors larger than one message travel as a
// stream of chunks. Upload assembles straight into the tensor's own buffer,
// charged to the session before the first content byte arrives
// (ChunkAssembly); these reactors only move messages.

#include "absl/strings/str_cat.h"
#include "backend/core/status_macros.h"
#include "server/chunk_assembly.h"
#include "server/remotek_service.h"
#include "server/status_mapping.h"
#include "server/tensor_codec.h"

namespace remotek::server {
namespace {

// A thin gRPC shell over ChunkAssembly (server/chunk_assembly.h), which owns
// the header checks, the buffer and the byte counts.
class UploadReactor : public grpc::ServerReadReactor<v1::UploadChunk> {
 public:
  UploadReactor(RemoteKService* service, grpc::CallbackServerContext* ctx, v1::Node* response)
      : service_(service),
        ctx_(ctx),
        response_(response),
        assembly_(service->options().max_tensor_elements,
                  {.account_for = [this](const v1::UploadHeader& h) { return AccountFor(h); },
                   .admit = [this](const v1::UploadHeader& h) { return Admit(h); }}) {
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
    if (absl::Status status = assembly_.Add(chunk_); !status.ok()) {
      Finish(ToGrpcStatus(status));  // the assembly already freed the partial buffer
      return;
    }
    StartRead(&chunk_);
  }

  void OnDone() override { delete this; }
  void OnCancel() override {}

 private:
  absl::StatusOr<std::shared_ptr<MemoryAccount>> AccountFor(const v1::UploadHeader& header) {
    REMOTEK_ASSIGN_OR_RETURN(session_, service_->FindSession(ctx_, header.session_id()));
    return session_->state().account();
  }

  absl::Status Admit(const v1::UploadHeader& header) {
    if (header.target() == v1::UploadHeader::SET_VALUE) return absl::OkStatus();
    return service_->CheckNodeBudget(*session_, 1);
  }

  // Hands the assembled tensor to the session as the header's target.
  absl::Status Complete() {
    REMOTEK_ASSIGN_OR_RETURN(Tensor value, assembly_.Finish());
    const v1::UploadHeader& header = assembly_.header();
    KerasSession& state = session_->state();
    NodeInfo info;
    switch (header.target()) {
      case v1::UploadHeader::NEW_VARIABLE: {
        VariableRequest r;
        r.name = header.name();
        r.value = std::move(value);
        REMOTEK_ASSIGN_OR_RETURN(info, state.AddNode(r));
        break;
      }
      case v1::UploadHeader::NEW_CONSTANT: {
        ConstantRequest r;
        r.name = header.name();
        r.value = std::move(value);
        REMOTEK_ASSIGN_OR_RETURN(info, state.AddNode(r));
        break;
      }
      default: {
        REMOTEK_RETURN_IF_ERROR(state.SetValue(header.name(), value));
        REMOTEK_ASSIGN_OR_RETURN(info, state.Describe(header.name()));
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
  std::shared_ptr<Session> session_;  // set by AccountFor
  ChunkAssembly assembly_;
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
