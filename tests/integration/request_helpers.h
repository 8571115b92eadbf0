// Helpers shared by the bad-request catalogues (bad_requests_test.cc,
// hostile_requests_test.cc): request builders, one call per RPC returning only
// the status, and the row type with its check. Every call carries a 20 s
// deadline, the remotek-session-id header and, when Env::token is set, a
// bearer token.
#ifndef REMOTEK_TESTS_INTEGRATION_REQUEST_HELPERS_H_
#define REMOTEK_TESTS_INTEGRATION_REQUEST_HELPERS_H_

#include <chrono>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "remotek/v1/remotek.grpc.pb.h"

namespace remotek::testing {

using Stub = v1::RemoteK::Stub;


inline v1::Tensor F32(std::vector<int64_t> shape, const std::vector<float>& values) {
  v1::Tensor t;
  t.set_dtype(v1::FLOAT32);
  for (int64_t d : shape) t.add_shape(d);
  t.set_content(reinterpret_cast<const char*>(values.data()),
                values.size() * sizeof(float));
  return t;
}

inline v1::Tensor I32(std::vector<int64_t> shape, const std::vector<int32_t>& values) {
  v1::Tensor t;
  t.set_dtype(v1::INT32);
  for (int64_t d : shape) t.add_shape(d);
  t.set_content(reinterpret_cast<const char*>(values.data()),
                values.size() * sizeof(int32_t));
  return t;
}

// A tensor whose fields are set verbatim, valid or not.
inline v1::Tensor Raw(int dtype, std::vector<int64_t> shape, size_t content_bytes) {
  v1::Tensor t;
  t.set_dtype(static_cast<v1::DType>(dtype));
  for (int64_t d : shape) t.add_shape(d);
  t.set_content(std::string(content_bytes, '\0'));
  return t;
}

inline std::vector<float> Floats(const v1::Tensor& t) {
  std::vector<float> out(t.content().size() / sizeof(float));
  if (!out.empty())
    std::memcpy(out.data(), t.content().data(), t.content().size());
  return out;
}

inline v1::AttrValue Ints(std::vector<int64_t> values) {
  v1::AttrValue a;
  for (int64_t v : values) a.mutable_ints()->add_values(v);
  return a;
}

inline v1::AttrValue Str(const std::string& s) {
  v1::AttrValue a;
  a.set_s(s);
  return a;
}

// A context with a 20 s deadline, the session routing header and, when
// `token` is set, bearer-token metadata.
inline std::unique_ptr<grpc::ClientContext> Ctx(const std::string& session_id = "",
                                                const std::string& token = "") {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::seconds(20));
  if (!session_id.empty()) ctx->AddMetadata("remotek-session-id", session_id);
  if (!token.empty()) ctx->AddMetadata("authorization", "Bearer " + token);
  return ctx;
}

// What one row needs: a stub, the failing session and its fixture handles.
struct Env {
  Stub* stub;
  std::string sid;    // the session all failing requests go to
  std::string token;  // bearer token of the caller ("" without auth)
};

inline v1::PlaceholderRequest PlaceholderReq(const std::string& sid,
                                      const std::string& name,
                                      std::vector<int64_t> dims,
                                      v1::DType dtype = v1::FLOAT32) {
  v1::PlaceholderRequest r;
  r.set_session_id(sid);
  r.set_name(name);
  r.set_dtype(dtype);
  for (int64_t d : dims) r.mutable_shape()->add_dims(d);
  return r;
}

inline v1::OpNodeRequest OpReq(const std::string& sid, const std::string& name,
                        const std::string& op,
                        std::vector<std::string> inputs) {
  v1::OpNodeRequest r;
  r.set_session_id(sid);
  r.set_name(name);
  r.set_op(op);
  for (const std::string& in : inputs) r.add_inputs(in);
  return r;
}

inline v1::VariableRequest VarReq(const std::string& sid, const std::string& name,
                           v1::Tensor value) {
  v1::VariableRequest r;
  r.set_session_id(sid);
  r.set_name(name);
  *r.mutable_value() = std::move(value);
  return r;
}

inline v1::VariableRequest InitReq(const std::string& sid, const std::string& name,
                            v1::Initializer::Kind kind,
                            std::vector<int64_t> shape,
                            v1::DType dtype = v1::DTYPE_UNSPECIFIED) {
  v1::VariableRequest r;
  r.set_session_id(sid);
  r.set_name(name);
  r.set_dtype(dtype);
  v1::Initializer* init = r.mutable_initializer();
  init->set_kind(kind);
  for (int64_t d : shape) init->add_shape(d);
  init->set_has_seed(true);
  init->set_seed(7);
  return r;
}

inline v1::ConstantRequest ConstReq(const std::string& sid, const std::string& name,
                             v1::Tensor value) {
  v1::ConstantRequest r;
  r.set_session_id(sid);
  r.set_name(name);
  *r.mutable_value() = std::move(value);
  return r;
}

// --- one call per RPC, returning only the status ---

inline grpc::Status Placeholder(Env& e, const v1::PlaceholderRequest& r) {
  v1::Node out;
  return e.stub->Placeholder(Ctx(r.session_id(), e.token).get(), r, &out);
}
inline grpc::Status Variable(Env& e, const v1::VariableRequest& r) {
  v1::Node out;
  return e.stub->Variable(Ctx(r.session_id(), e.token).get(), r, &out);
}
inline grpc::Status Constant(Env& e, const v1::ConstantRequest& r) {
  v1::Node out;
  return e.stub->Constant(Ctx(r.session_id(), e.token).get(), r, &out);
}
inline grpc::Status OpNode(Env& e, const v1::OpNodeRequest& r) {
  v1::Node out;
  return e.stub->OpNode(Ctx(r.session_id(), e.token).get(), r, &out);
}
inline grpc::Status BuildGraph(Env& e, const v1::BuildGraphRequest& r) {
  v1::BuildGraphResponse out;
  return e.stub->BuildGraph(Ctx(r.session_id(), e.token).get(), r, &out);
}
inline grpc::Status GetValue(Env& e, const std::string& sid,
                      const std::string& handle) {
  v1::GetValueRequest r;
  r.set_session_id(sid);
  r.set_handle(handle);
  v1::Tensor out;
  return e.stub->GetValue(Ctx(sid, e.token).get(), r, &out);
}
inline grpc::Status SetValue(Env& e, const std::string& handle, v1::Tensor value) {
  v1::SetValueRequest r;
  r.set_session_id(e.sid);
  r.set_handle(handle);
  *r.mutable_value() = std::move(value);
  v1::Empty out;
  return e.stub->SetValue(Ctx(e.sid, e.token).get(), r, &out);
}
inline grpc::Status Function(
    Env& e, std::vector<std::string> inputs, std::vector<std::string> outputs,
    std::vector<std::pair<std::string, std::string>> updates = {}) {
  v1::FunctionRequest r;
  r.set_session_id(e.sid);
  for (const auto& s : inputs) r.add_inputs(s);
  for (const auto& s : outputs) r.add_outputs(s);
  for (const auto& [var, value] : updates) {
    v1::Update* u = r.add_updates();
    u->set_variable(var);
    u->set_value(value);
  }
  v1::FunctionInfo out;
  return e.stub->Function(Ctx(e.sid, e.token).get(), r, &out);
}
inline grpc::Status Call(Env& e, const std::string& sid, const std::string& fn,
                  std::vector<v1::Tensor> feeds) {
  v1::CallRequest r;
  r.set_session_id(sid);
  r.set_function(fn);
  for (auto& f : feeds) *r.add_feeds() = std::move(f);
  v1::CallResponse out;
  return e.stub->Call(Ctx(sid, e.token).get(), r, &out);
}
inline grpc::Status RunOp(Env& e, const v1::RunOpRequest& r) {
  v1::RunOpResponse out;
  return e.stub->RunOp(Ctx(r.session_id(), e.token).get(), r, &out);
}
inline v1::RunOpRequest RunOpReq(const std::string& sid, const std::string& op,
                          std::vector<v1::Tensor> args) {
  v1::RunOpRequest r;
  r.set_session_id(sid);
  r.set_op(op);
  for (auto& a : args) *r.add_args()->mutable_tensor() = std::move(a);
  return r;
}
inline grpc::Status CreateSession(Env& e, const v1::CreateSessionRequest& r) {
  v1::SessionInfo out;
  grpc::Status s = e.stub->CreateSession(Ctx("", e.token).get(), r, &out);
  // A row that unexpectedly succeeds must not leave a session behind.
  if (s.ok()) {
    v1::SessionRequest close;
    close.set_session_id(out.session_id());
    v1::Empty empty;
    e.stub->CloseSession(Ctx(out.session_id(), e.token).get(), close, &empty);
  }
  return s;
}

// Sends `chunks` on one UploadTensor stream and returns the final status.
inline grpc::Status Upload(Env& e, const std::vector<v1::UploadChunk>& chunks) {
  auto ctx = Ctx(e.sid, e.token);
  v1::Node out;
  std::unique_ptr<grpc::ClientWriter<v1::UploadChunk>> writer =
      e.stub->UploadTensor(ctx.get(), &out);
  for (const v1::UploadChunk& c : chunks) {
    if (!writer->Write(c)) break;  // the server already finished the call
  }
  writer->WritesDone();
  return writer->Finish();
}

inline v1::UploadChunk Header(const std::string& sid, v1::UploadHeader::Target target,
                       const std::string& name, int dtype,
                       std::vector<int64_t> shape) {
  v1::UploadChunk c;
  v1::UploadHeader* h = c.mutable_header();
  h->set_session_id(sid);
  h->set_target(target);
  h->set_name(name);
  h->set_dtype(static_cast<v1::DType>(dtype));
  for (int64_t d : shape) h->add_shape(d);
  return c;
}

inline v1::UploadChunk Content(size_t bytes) {
  v1::UploadChunk c;
  c.set_content(std::string(bytes, '\x01'));
  return c;
}

inline grpc::Status Download(Env& e, const std::string& handle, int64_t chunk_bytes) {
  auto ctx = Ctx(e.sid, e.token);
  v1::DownloadTensorRequest r;
  r.set_session_id(e.sid);
  r.set_handle(handle);
  r.set_chunk_bytes(chunk_bytes);
  auto reader = e.stub->DownloadTensor(ctx.get(), r);
  v1::DownloadChunk chunk;
  while (reader->Read(&chunk)) {
  }
  return reader->Finish();
}

inline v1::GraphNode GPlaceholder(const std::string& name, std::vector<int64_t> dims) {
  v1::GraphNode n;
  *n.mutable_placeholder() = PlaceholderReq("", name, std::move(dims));
  return n;
}
inline v1::GraphNode GOp(const std::string& name, const std::string& op,
                  std::vector<std::string> inputs) {
  v1::GraphNode n;
  *n.mutable_op() = OpReq("", name, op, std::move(inputs));
  return n;
}
inline v1::GraphNode GVariable(const std::string& name, v1::Tensor value) {
  v1::GraphNode n;
  *n.mutable_variable() = VarReq("", name, std::move(value));
  return n;
}
inline v1::BuildGraphRequest Graph(const std::string& sid,
                            std::vector<v1::GraphNode> nodes) {
  v1::BuildGraphRequest r;
  r.set_session_id(sid);
  for (auto& n : nodes) *r.add_nodes() = std::move(n);
  return r;
}

// ---------------------------------------------------------------- the table

struct BadRequest {
  std::string name;
  std::function<grpc::Status(Env&)> run;
  grpc::StatusCode code;
  std::vector<std::string> substrings;  // every one must appear in the message
};

using C = grpc::StatusCode;
inline constexpr C kInvalid = C::INVALID_ARGUMENT;
inline constexpr C kNotFound = C::NOT_FOUND;

inline const std::string kGhostSession = "00000000000000000000000000000000";

// Checks one answer: the exact code and every substring of the message.
inline void ExpectAnswer(const std::string& name, grpc::StatusCode code,
                         const std::vector<std::string>& substrings,
                         const grpc::Status& status) {
  EXPECT_EQ(status.error_code(), code)
      << name << ": got code " << status.error_code() << " \""
      << status.error_message().substr(0, 2000) << "\"";
  for (const std::string& sub : substrings) {
    EXPECT_THAT(status.error_message(), ::testing::HasSubstr(sub)) << name;
  }
}

inline void ExpectRowAnswer(const BadRequest& row, const grpc::Status& status) {
  ExpectAnswer(row.name, row.code, row.substrings, status);
}

}  // namespace remotek::testing

#endif  // REMOTEK_TESTS_INTEGRATION_REQUEST_HELPERS_H_
