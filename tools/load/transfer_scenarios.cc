// upload and download: move --bytes of float32 to or from a variable the
// worker's session holds, per request.
//   --transfer stream (default): UploadTensor / DownloadTensor streams in
//       chunks of --chunk-bytes — the large-tensor path.
//   --transfer unary: one SetValue / GetValue message.
// Both measure transfer throughput (bytes in the report) and latency.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "tools/load/scenario_factories.h"
#include "tools/load/session_scenario.h"

namespace remotek::load {
namespace {

class UploadScenario : public SessionScenario {
 public:
  UploadScenario(const WorkerContext& context, client::Session session,
                 const std::string& variable, const client::HostTensor& value)
      : SessionScenario(ScenarioKind::kUpload, context, std::move(session)) {
    set_value_.set_session_id(session_id());
    set_value_.set_handle(variable);
    ToWire(value, set_value_.mutable_value());
    set_value_bytes_ = static_cast<int64_t>(set_value_.ByteSizeLong());
    // The stream's messages are built once; each request only writes them.
    v1::UploadChunk header;
    v1::UploadHeader* h = header.mutable_header();
    h->set_session_id(session_id());
    h->set_target(v1::UploadHeader::SET_VALUE);
    h->set_name(variable);
    h->set_dtype(v1::FLOAT32);
    h->mutable_shape()->Assign(value.shape().begin(), value.shape().end());
    chunks_.push_back(std::move(header));
    const std::string& bytes = value.bytes();
    const size_t step = static_cast<size_t>(options_.chunk_bytes);
    for (size_t offset = 0; offset < bytes.size(); offset += step) {
      v1::UploadChunk chunk;
      chunk.set_content(
          bytes.substr(offset, std::min(step, bytes.size() - offset)));
      chunks_.push_back(std::move(chunk));
    }
    for (const v1::UploadChunk& c : chunks_) stream_bytes_ += c.ByteSizeLong();
  }

  RequestOutcome RunOnce() override {
    if (!options_.transfer_streaming) {
      return TimedUnary(&v1::RemoteK::Stub::SetValue, set_value_,
                        set_value_bytes_);
    }
    grpc::ClientContext context;
    PrepareContext(options_, session_id(), &context);
    v1::Node response;
    auto writer = stub_->UploadTensor(&context, &response);
    // A failed Write means the server ended the call; Finish says why.
    bool open = true;
    for (size_t i = 0; open && i < chunks_.size(); ++i)
      open = writer->Write(chunks_[i]);
    if (open) writer->WritesDone();
    RequestOutcome outcome;
    outcome.scenario = kind_;
    outcome.status = writer->Finish();
    outcome.bytes_sent = stream_bytes_;
    if (outcome.status.ok()) outcome.bytes_received = response.ByteSizeLong();
    return outcome;
  }

 private:
  v1::SetValueRequest set_value_;
  int64_t set_value_bytes_ = 0;
  std::vector<v1::UploadChunk> chunks_;
  int64_t stream_bytes_ = 0;
};

class DownloadScenario : public SessionScenario {
 public:
  DownloadScenario(const WorkerContext& context, client::Session session,
                   const std::string& variable)
      : SessionScenario(ScenarioKind::kDownload, context, std::move(session)) {
    get_value_.set_session_id(session_id());
    get_value_.set_handle(variable);
    get_value_bytes_ = static_cast<int64_t>(get_value_.ByteSizeLong());
    download_.set_session_id(session_id());
    download_.set_handle(variable);
    download_.set_chunk_bytes(options_.chunk_bytes);
    download_bytes_ = static_cast<int64_t>(download_.ByteSizeLong());
  }

  RequestOutcome RunOnce() override {
    if (!options_.transfer_streaming) {
      return TimedUnary(&v1::RemoteK::Stub::GetValue, get_value_,
                        get_value_bytes_);
    }
    grpc::ClientContext context;
    PrepareContext(options_, session_id(), &context);
    auto reader = stub_->DownloadTensor(&context, download_);
    RequestOutcome outcome;
    outcome.scenario = kind_;
    outcome.bytes_sent = download_bytes_;
    v1::DownloadChunk chunk;
    int64_t content_bytes = 0;
    while (reader->Read(&chunk)) {
      outcome.bytes_received += chunk.ByteSizeLong();
      content_bytes += chunk.content().size();
    }
    outcome.status = reader->Finish();
    // A short stream that still ends OK would make the figures lie.
    if (outcome.status.ok() && content_bytes != options_.bytes) {
      outcome.status =
          grpc::Status(grpc::StatusCode::DATA_LOSS,
                       absl::StrCat("download: received ", content_bytes,
                                    " of ", options_.bytes, " bytes"));
    }
    return outcome;
  }

 private:
  v1::GetValueRequest get_value_;
  int64_t get_value_bytes_ = 0;
  v1::DownloadTensorRequest download_;
  int64_t download_bytes_ = 0;
};

// The session and its --bytes float32 variable both scenarios start from.
absl::StatusOr<std::pair<client::Session, client::Node>> OpenWithVariable(
    const WorkerContext& context, const client::HostTensor& value) {
  auto session = SessionScenario::OpenSession(context);
  if (!session.ok()) return session.status();
  // variable() streams values above the client's threshold by itself.
  auto variable = session->variable(value);
  if (!variable.ok()) return variable.status();
  return std::make_pair(*std::move(session), *std::move(variable));
}

}  // namespace

absl::StatusOr<std::unique_ptr<Scenario>> CreateUploadScenario(
    const WorkerContext& context) {
  const client::HostTensor value = RampTensor({context.options->bytes / 4});
  auto opened = OpenWithVariable(context, value);
  if (!opened.ok()) return opened.status();
  return std::make_unique<UploadScenario>(context, std::move(opened->first),
                                          opened->second.handle, value);
}

absl::StatusOr<std::unique_ptr<Scenario>> CreateDownloadScenario(
    const WorkerContext& context) {
  auto opened =
      OpenWithVariable(context, RampTensor({context.options->bytes / 4}));
  if (!opened.ok()) return opened.status();
  return std::make_unique<DownloadScenario>(context, std::move(opened->first),
                                            opened->second.handle);
}

}  // namespace remotek::load
