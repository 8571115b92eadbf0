// Session::upload / Session::download: tensors as streams of chunks
// (UploadTensor / DownloadTensor), for values above one message.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "client/cpp/wire.h"
#include "remotek/session.h"

namespace remotek::client {

absl::StatusOr<Node> Session::upload(const HostTensor& value,
                                     UploadTarget target,
                                     const std::string& name) const {
  RK_CLIENT_RETURN_IF_ERROR(CheckOpen());
  absl::Status valid = value.Validate();
  if (!valid.ok())
    return absl::InvalidArgumentError(
        absl::StrCat("upload: ", valid.message()));
  const internal::Connection& connection = *core_->connection;
  // Each chunk must fit the server's message limit.
  const int64_t step = internal::MaxPayloadBytes(
      connection, std::max<int64_t>(connection.options.chunk_bytes, 1));
  grpc::ClientContext context;
  internal::PrepareContext(connection, core_->id, /*unary=*/false, &context);
  v1::Node resp;
  std::unique_ptr<grpc::ClientWriter<v1::UploadChunk>> writer =
      connection.stub->UploadTensor(&context, &resp);

  v1::UploadChunk chunk;
  v1::UploadHeader* header = chunk.mutable_header();
  header->set_session_id(core_->id);
  header->set_target(
      static_cast<v1::UploadHeader::Target>(static_cast<int>(target)));
  header->set_name(name);
  header->set_dtype(internal::EncodeDType(value.dtype()));
  header->mutable_shape()->Assign(value.shape().begin(), value.shape().end());
  bool open = writer->Write(chunk);
  // A failed Write means the server has finished the call; Finish says why.
  const std::string& bytes = value.bytes();
  for (int64_t offset = 0; open && offset < value.byte_size(); offset += step) {
    const int64_t n = std::min(step, value.byte_size() - offset);
    chunk.set_content(bytes.data() + offset, static_cast<size_t>(n));
    open = writer->Write(chunk);
  }
  if (open) writer->WritesDone();
  RK_CLIENT_RETURN_IF_ERROR(internal::FromGrpcStatus(writer->Finish()));
  return internal::DecodeNode(resp);
}

absl::StatusOr<HostTensor> Session::download(NodeRef x,
                                             int64_t chunk_bytes) const {
  RK_CLIENT_RETURN_IF_ERROR(CheckOpen());
  const internal::Connection& connection = *core_->connection;
  v1::DownloadTensorRequest req;
  req.set_session_id(core_->id);
  req.set_handle(x.handle());
  req.set_chunk_bytes(chunk_bytes > 0 ? chunk_bytes
                                      : connection.options.chunk_bytes);
  grpc::ClientContext context;
  internal::PrepareContext(connection, core_->id, /*unary=*/false, &context);
  std::unique_ptr<grpc::ClientReader<v1::DownloadChunk>> reader =
      connection.stub->DownloadTensor(&context, req);

  v1::DownloadChunk chunk;
  absl::Status error;
  bool have_header = false;
  DType dtype = DType::kInvalid;
  Dims dims;
  int64_t expected = 0;
  std::string bytes;
  while (error.ok() && reader->Read(&chunk)) {
    if (chunk.has_header()) {
      if (have_header) {
        error = absl::DataLossError("download: a second header arrived");
        break;
      }
      have_header = true;
      dtype = internal::DecodeDType(chunk.header().dtype());
      dims.assign(chunk.header().shape().begin(), chunk.header().shape().end());
      absl::StatusOr<int64_t> size = internal::ExpectedBytes(dtype, dims);
      if (!size.ok()) {
        error = absl::DataLossError(
            absl::StrCat("download: header: ", size.status().message()));
        break;
      }
      expected = *size;
      bytes.reserve(static_cast<size_t>(expected));
      continue;
    }
    const std::string& content = chunk.content();
    if (!have_header) {
      error =
          absl::DataLossError("download: content arrived before the header");
    } else if (static_cast<int64_t>(content.size()) >
               expected - static_cast<int64_t>(bytes.size())) {
      error = absl::DataLossError(
          absl::StrCat("download: chunks carry more than the ", expected,
                       " bytes declared"));
    } else {
      bytes.append(content);
    }
  }
  if (!error.ok()) {
    context.TryCancel();
    reader->Finish().ok();
    return error;
  }
  RK_CLIENT_RETURN_IF_ERROR(internal::FromGrpcStatus(reader->Finish()));
  if (!have_header || static_cast<int64_t>(bytes.size()) != expected) {
    return absl::DataLossError(absl::StrCat("download: received ", bytes.size(),
                                            " of ", expected, " bytes of \"",
                                            x.handle(), "\""));
  }
  return HostTensor(dtype, std::move(dims), std::move(bytes));
}

}  // namespace remotek::client
