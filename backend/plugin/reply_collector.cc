#include "backend/plugin/reply_collector.h"

#include "absl/strings/str_cat.h"
#include "backend/core/status_macros.h"
#include "backend/plugin/abi_convert.h"

namespace remotek::plugin {

ReplyCollector::ReplyCollector(std::string backend, std::string entry,
                               std::shared_ptr<MemoryAccount> account)
    : backend_(std::move(backend)), entry_(std::move(entry)), account_(std::move(account)) {
  reply_.host = this;
  reply_.set_error = &SetError;
  reply_.set_node = &SetNode;
  reply_.add_tensor = &AddTensor;
  reply_.set_handle = &SetHandle;
  reply_.add_spec = &AddSpec;
  reply_.add_op = &AddOp;
}

void ReplyCollector::Fail(absl::Status status) {
  if (problem_.ok()) problem_ = std::move(status);
}

absl::StatusOr<TensorSpec> ReplyCollector::SpecFrom(int32_t dtype, int32_t rank,
                                                    const int64_t* dims) const {
  TensorSpec spec;
  REMOTEK_ASSIGN_OR_RETURN(spec.dtype, DTypeFromAbi(dtype, "dtype"));
  REMOTEK_ASSIGN_OR_RETURN(spec.shape, ShapeFromAbi(rank, dims, true, "shape"));
  return spec;
}

void ReplyCollector::SetError(void* host, RkCode code, const char* message) {
  auto* self = static_cast<ReplyCollector*>(host);
  self->error_ = {code, message ? message : ""};
}

void ReplyCollector::SetNode(void* host, const char* handle, int32_t kind, int32_t dtype,
                             int32_t rank, const int64_t* dims) {
  auto* self = static_cast<ReplyCollector*>(host);
  absl::StatusOr<TensorSpec> spec = self->SpecFrom(dtype, rank, dims);
  absl::StatusOr<NodeKind> node_kind = NodeKindFromAbi(kind);
  if (handle == nullptr || *handle == '\0') {
    self->Fail(absl::InternalError("set_node without a handle"));
  } else if (!spec.ok()) {
    self->Fail(absl::InternalError(absl::StrCat("set_node: ", spec.status().message())));
  } else if (!node_kind.ok()) {
    self->Fail(absl::InternalError(absl::StrCat("set_node: ", node_kind.status().message())));
  } else {
    self->nodes_.push_back(NodeInfo{handle, *node_kind, *std::move(spec)});
  }
}

void* ReplyCollector::AddTensor(void* host, int32_t dtype, int32_t rank, const int64_t* dims) {
  auto* self = static_cast<ReplyCollector*>(host);
  absl::StatusOr<DType> type = DTypeFromAbi(dtype, "dtype");
  absl::StatusOr<Shape> shape = ShapeFromAbi(rank, dims, false, "shape");
  if (!type.ok() || !shape.ok()) {
    self->Fail(absl::InternalError(absl::StrCat(
        "add_tensor: ", (!type.ok() ? type.status() : shape.status()).message())));
    return nullptr;
  }
  absl::StatusOr<Tensor> tensor = Tensor::Allocate(*type, *shape, self->account_);
  if (!tensor.ok()) {
    self->Fail(tensor.status());  // RESOURCE_EXHAUSTED passes through as such
    return nullptr;
  }
  void* data = tensor->raw_data();
  self->tensors_.push_back(*std::move(tensor));
  // A valid pointer even for empty tensors, so "NULL" always means refused.
  static char empty;
  return data != nullptr ? data : &empty;
}

void ReplyCollector::SetHandle(void* host, const char* handle) {
  auto* self = static_cast<ReplyCollector*>(host);
  if (handle == nullptr || *handle == '\0') {
    self->Fail(absl::InternalError("set_handle with an empty handle"));
    return;
  }
  self->handle_ = handle;
}

void ReplyCollector::AddSpec(void* host, int32_t is_output, int32_t dtype, int32_t rank,
                             const int64_t* dims) {
  auto* self = static_cast<ReplyCollector*>(host);
  absl::StatusOr<TensorSpec> spec = self->SpecFrom(dtype, rank, dims);
  if (!spec.ok()) {
    self->Fail(absl::InternalError(absl::StrCat("add_spec: ", spec.status().message())));
    return;
  }
  (is_output ? self->output_specs_ : self->input_specs_).push_back(*std::move(spec));
}

void ReplyCollector::AddOp(void* host, const char* op, uint32_t dtype_mask) {
  auto* self = static_cast<ReplyCollector*>(host);
  if (op == nullptr || *op == '\0') {
    self->Fail(absl::InternalError("add_op without an op name"));
    return;
  }
  self->ops_.emplace_back(op, dtype_mask);
}

absl::Status ReplyCollector::Finish(RkCode code) {
  const std::string where = absl::StrCat("backend \"", backend_, "\" ", entry_);
  if (code != 0) {
    if (code < 1 || code > 16) {
      return absl::InternalError(absl::StrCat(where, " returned the invalid status code ", code));
    }
    std::string message = error_.has_value() && !error_->second.empty()
                              ? error_->second
                              : absl::StrCat(where, " failed without a message");
    // Our own allocation refusal is the real cause when the library passes it on.
    if (!problem_.ok() && problem_.code() == absl::StatusCode::kResourceExhausted) return problem_;
    return absl::Status(static_cast<absl::StatusCode>(code), message);
  }
  if (!problem_.ok()) {
    if (problem_.code() == absl::StatusCode::kInternal) {
      return absl::InternalError(absl::StrCat(where, ": ", problem_.message()));
    }
    return problem_;
  }
  return absl::OkStatus();
}

absl::Status ReplyCollector::ExpectNodes(size_t n) const {
  if (nodes_.size() == n) return absl::OkStatus();
  return absl::InternalError(absl::StrCat("backend \"", backend_, "\" ", entry_, " reported ",
                                          nodes_.size(), " nodes, expected ", n));
}

absl::Status ReplyCollector::ExpectTensors(size_t n) const {
  if (tensors_.size() == n) return absl::OkStatus();
  return absl::InternalError(absl::StrCat("backend \"", backend_, "\" ", entry_, " returned ",
                                          tensors_.size(), " tensors, expected ", n));
}

}  // namespace remotek::plugin
