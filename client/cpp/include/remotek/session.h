// A RemoteK session: the Keras backend API (`from keras import backend as K`)
// against one server-side session, with Keras's names for methods and
// arguments.
//
//   Session s = client.create_session().value();
//   Node x = s.placeholder({-1, 20, 1}, DType::kFloat32, "x").value();
//   Node y = s.random_uniform_variable({32, 30, 20}, 0, 1, /*seed=*/7).value();
//   Node xy = s.batch_dot(x, y, {1, 2}).value();               // (?, 1, 30)
//   Function f = s.function({x}, {xy}).value();
//   std::vector<HostTensor> out = f({x_value}).value();
//   s.clear_session();
//
// Errors are absl::Status values carrying the server's gRPC code (mapped to
// the absl code of the same meaning) and its message: INVALID_ARGUMENT for a
// bad argument (the message names op, argument and value), NOT_FOUND for an
// unknown handle or a closed session, RESOURCE_EXHAUSTED over a quota,
// UNAVAILABLE when the server cannot be reached. Calls on a moved-from
// Session return FAILED_PRECONDITION.
//
// Every session-scoped call also sends the session id as the
// `remotek-session-id` metadata header, for session-affine proxies.
//
// Thread-safety: all const methods may be called concurrently from many
// threads (the server serialises graph edits and runs calls concurrently).
// Moving, close() and destruction need exclusive access.
#ifndef REMOTEK_CLIENT_SESSION_H_
#define REMOTEK_CLIENT_SESSION_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "remotek/graph.h"
#include "remotek/host_tensor.h"

namespace remotek::client {

namespace internal {
struct SessionCore;
}  // namespace internal

// The metadata header that carries the session id on every session call.
inline constexpr char kSessionIdHeader[] = "remotek-session-id";

// Whether `id` may travel in kSessionIdHeader. gRPC aborts the client process
// on a metadata value outside printable ASCII; such an id is never a real
// session id (those are 32 hex digits), so the header is left out and the
// server answers the id in the request body.
inline bool SessionIdFitsHeader(const std::string& id) {
  if (id.empty()) return false;
  for (char c : id) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

struct KerasConfig {
  DType floatx = DType::kInvalid;
  double epsilon = 0;
  std::string image_data_format;  // "channels_last" | "channels_first"
  std::string backend;
};

struct SessionStats {
  int64_t bytes_held = 0;  // bytes the session's account holds now
  int64_t peak_bytes = 0;
  int32_t nodes = 0;
  int32_t variables = 0;
  int32_t functions = 0;
  int64_t created_unix_ms = 0;
  int64_t last_used_unix_ms = 0;
};

struct SessionInfo {
  std::string session_id;
  KerasConfig config;  // the session's effective config
  SessionStats stats;
};

// Static dtype and shape of a function input or output.
struct TensorSpec {
  DType dtype = DType::kInvalid;
  Dims shape;
};

// An argument of an eager op: an inline tensor or a handle of a value the
// session holds (variable or constant).
class EagerArg {
 public:
  EagerArg(HostTensor tensor) : tensor_(std::move(tensor)) {}   // NOLINT
  EagerArg(const Node& node) : handle_(node.handle) {}          // NOLINT
  EagerArg(NodeRef ref) : handle_(ref.handle()) {}              // NOLINT
  EagerArg(std::string handle) : handle_(std::move(handle)) {}  // NOLINT
  EagerArg(const char* handle) : handle_(handle) {}             // NOLINT
  const std::optional<HostTensor>& tensor() const { return tensor_; }
  const std::string& handle() const { return handle_; }

 private:
  std::optional<HostTensor> tensor_;
  std::string handle_;
};

struct RunOpOptions {
  bool keep = false;      // also keep the result in the session as a constant
  std::string keep_name;  // its name ("" generates one)
  bool skip_result = false;  // with keep: do not send the value back
};

struct EagerResult {
  HostTensor value;          // empty when skip_result
  std::optional<Node> kept;  // set with keep
};

// Where UploadTensor puts the uploaded value.
enum class UploadTarget {
  kNewVariable = 1,
  kNewConstant = 2,
  kSetValue = 3,  // of the existing variable named by `name`
};

// K.function(inputs, outputs, updates): a compiled plan in the session.
// Copyable; copies name the same server-side function.
// Thread-safety: may be called concurrently; each call's updates land
// atomically on the server.
class Function {
 public:
  const std::string& handle() const { return handle_; }
  const std::vector<TensorSpec>& inputs() const { return inputs_; }
  const std::vector<TensorSpec>& outputs() const { return outputs_; }

  // Runs the function with `feeds` in input order and returns the outputs.
  // INVALID_ARGUMENT for a feed of the wrong count, dtype or shape.
  absl::StatusOr<std::vector<HostTensor>> operator()(
      const std::vector<HostTensor>& feeds) const;
  absl::StatusOr<std::vector<HostTensor>> call(
      const std::vector<HostTensor>& feeds) const {
    return (*this)(feeds);
  }
  // Drops the compiled plan on the server; later calls give NOT_FOUND.
  absl::Status release() const;

 private:
  friend class Session;
  std::shared_ptr<const internal::SessionCore> core_;
  std::string handle_;
  std::vector<TensorSpec> inputs_;
  std::vector<TensorSpec> outputs_;
};

class Session {
 public:
  Session(Session&& other) noexcept;
  Session& operator=(Session&& other) noexcept;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  // Closes the server-side session (best effort, a short deadline) unless it
  // was closed or detached, or ClientOptions::close_sessions_on_destruction
  // is false.
  ~Session();

  const std::string& id() const;

  // ------------------------------------------------------------ lifetime
  // The session's effective config and stats (GetSession).
  absl::StatusOr<SessionInfo> info() const;
  absl::StatusOr<SessionStats> stats() const;
  // Marks the session used, so idle collection leaves it alone.
  absl::Status keep_alive() const;
  // K.clear_session(): drops graph, variables, functions and name counters;
  // returns the session's info afterwards (stats.bytes_held == 0).
  absl::StatusOr<SessionInfo> clear_session() const;
  // Ends the server-side session. Later calls give NOT_FOUND.
  absl::Status close();
  // Stops the destructor from closing the session and returns its id (to
  // attach to it later with Client::attach_session).
  std::string detach();

  // --------------------------------------------------------------- graph
  // K.placeholder(shape=..., dtype=..., name=...): -1 dims are unknown.
  // DType::kInvalid: the session's floatx. An empty name is generated like
  // Keras's ("placeholder_1").
  absl::StatusOr<Node> placeholder(Dims shape, DType dtype = DType::kInvalid,
                                   const std::string& name = "") const;
  // K.placeholder(ndim=...): `ndim` unknown dims, as placeholder(Ndim{3}).
  // (A template only so that a braced shape such as {2} never means Ndim.)
  template <typename N, typename = std::enable_if_t<std::is_same_v<N, Ndim>>>
  absl::StatusOr<Node> placeholder(N ndim, DType dtype = DType::kInvalid,
                                   const std::string& name = "") const {
    return PlaceholderNdim(ndim.value, dtype, name);
  }
  // K.variable(value, dtype, name). dtype kInvalid keeps the value's dtype;
  // another dtype casts it. Values above ClientOptions::stream_threshold_bytes
  // (or the server's message limit) travel through UploadTensor (then `dtype`
  // must be kInvalid or the value's own).
  absl::StatusOr<Node> variable(const HostTensor& value,
                                const std::string& name = "",
                                DType dtype = DType::kInvalid) const;
  absl::StatusOr<Node> zeros(Dims shape, DType dtype = DType::kInvalid,
                             const std::string& name = "") const;
  absl::StatusOr<Node> ones(Dims shape, DType dtype = DType::kInvalid,
                            const std::string& name = "") const;
  // K.eye(size): a size x size identity variable.
  absl::StatusOr<Node> eye(int64_t size, DType dtype = DType::kInvalid,
                           const std::string& name = "") const;
  // K.random_uniform_variable(shape, low, high, dtype, name, seed). A seed
  // gives the same values on every backend, run and platform; no seed gives
  // fresh random values, as Keras does.
  absl::StatusOr<Node> random_uniform_variable(
      Dims shape, double low, double high,
      std::optional<uint64_t> seed = std::nullopt,
      DType dtype = DType::kInvalid, const std::string& name = "") const;
  // K.random_normal_variable(shape, mean, scale, dtype, name, seed).
  absl::StatusOr<Node> random_normal_variable(
      Dims shape, double mean, double scale,
      std::optional<uint64_t> seed = std::nullopt,
      DType dtype = DType::kInvalid, const std::string& name = "") const;
  // K.constant(value, dtype, name); streamed above the threshold like
  // variable().
  absl::StatusOr<Node> constant(const HostTensor& value,
                                const std::string& name = "",
                                DType dtype = DType::kInvalid) const;
  // Any registered op as a graph node: op("batch_dot", {x, y}, {{"axes", {1,
  // 2}}}).
  absl::StatusOr<Node> op(const std::string& op, std::vector<NodeRef> inputs,
                          const Attrs& attrs = {},
                          const std::string& name = "") const;
  // Adds every node of `graph` in one request, all or nothing; the result is
  // parallel to the builder's nodes.
  absl::StatusOr<std::vector<Node>> build_graph(
      const GraphBuilder& graph) const;
  // K.gradients(loss, variables), as gradients(loss, {w, b}): adds the nodes of d(sum(loss))/dv for each
  // v (a variable, placeholder or op node) in one request, all or nothing.
  // The result is parallel to `variables`: the gradient node (same dtype and
  // shape as v), or nullopt where Keras returns None (loss does not depend on
  // v through differentiable ops). INVALID_ARGUMENT for an empty `variables`,
  // a non-floating loss or a path through an op without a gradient;
  // NOT_FOUND for unknown handles; FAILED_PRECONDITION on a backend without
  // gradients.
  absl::StatusOr<std::vector<std::optional<Node>>> gradients(
      NodeRef loss, const std::vector<NodeRef>& variables) const;

  // ---------------------------------------------- typed op wrappers (Keras)
  absl::StatusOr<Node> dot(NodeRef x, NodeRef y) const;
  // axes: {} for Keras's default, {a} for an int, {ax, ay} for a pair.
  absl::StatusOr<Node> batch_dot(NodeRef x, NodeRef y,
                                 std::vector<int64_t> axes = {}) const;
  absl::StatusOr<Node> transpose(NodeRef x) const;
  absl::StatusOr<Node> reshape(NodeRef x, Dims shape) const;
  absl::StatusOr<Node> permute_dimensions(NodeRef x,
                                          std::vector<int64_t> pattern) const;
  absl::StatusOr<Node> expand_dims(NodeRef x, int64_t axis = -1) const;
  absl::StatusOr<Node> squeeze(NodeRef x, int64_t axis) const;
  absl::StatusOr<Node> flatten(NodeRef x) const;
  absl::StatusOr<Node> batch_flatten(NodeRef x) const;
  absl::StatusOr<Node> concatenate(std::vector<NodeRef> tensors,
                                   int64_t axis = -1) const;
  absl::StatusOr<Node> add(NodeRef x, NodeRef y) const;
  absl::StatusOr<Node> subtract(NodeRef x, NodeRef y) const;
  absl::StatusOr<Node> multiply(NodeRef x, NodeRef y) const;
  absl::StatusOr<Node> divide(NodeRef x, NodeRef y) const;
  absl::StatusOr<Node> maximum(NodeRef x, NodeRef y) const;
  absl::StatusOr<Node> minimum(NodeRef x, NodeRef y) const;
  absl::StatusOr<Node> equal(NodeRef x, NodeRef y) const;
  // Reductions: axis {} reduces over all axes (Keras's axis=None).
  absl::StatusOr<Node> sum(NodeRef x, std::vector<int64_t> axis = {},
                           bool keepdims = false) const;
  absl::StatusOr<Node> mean(NodeRef x, std::vector<int64_t> axis = {},
                            bool keepdims = false) const;
  absl::StatusOr<Node> prod(NodeRef x, std::vector<int64_t> axis = {},
                            bool keepdims = false) const;
  absl::StatusOr<Node> max(NodeRef x, std::vector<int64_t> axis = {},
                           bool keepdims = false) const;
  absl::StatusOr<Node> min(NodeRef x, std::vector<int64_t> axis = {},
                           bool keepdims = false) const;
  absl::StatusOr<Node> argmax(NodeRef x, int64_t axis = -1) const;
  absl::StatusOr<Node> cast(NodeRef x, DType dtype) const;
  absl::StatusOr<Node> abs(NodeRef x) const;
  absl::StatusOr<Node> negative(NodeRef x) const;
  absl::StatusOr<Node> square(NodeRef x) const;
  absl::StatusOr<Node> sqrt(NodeRef x) const;
  absl::StatusOr<Node> exp(NodeRef x) const;
  absl::StatusOr<Node> log(NodeRef x) const;
  absl::StatusOr<Node> tanh(NodeRef x) const;
  absl::StatusOr<Node> sigmoid(NodeRef x) const;
  absl::StatusOr<Node> relu(NodeRef x) const;
  absl::StatusOr<Node> softmax(NodeRef x, int64_t axis = -1) const;

  // ----------------------------------------------------------- variables
  // K.get_value: a variable's or constant's value. Values above the server's
  // message limit are fetched through DownloadTensor automatically.
  absl::StatusOr<HostTensor> get_value(NodeRef x) const;
  absl::StatusOr<std::vector<HostTensor>> batch_get_value(
      const std::vector<NodeRef>& xs) const;
  // K.set_value: cast to the variable's dtype; the shape must match.
  absl::Status set_value(NodeRef x, const HostTensor& value) const;

  // ----------------------------------------------------------- functions
  // K.function(inputs, outputs, updates).
  absl::StatusOr<Function> function(std::vector<NodeRef> inputs,
                                    std::vector<NodeRef> outputs,
                                    std::vector<Update> updates = {},
                                    const std::string& name = "") const;

  // --------------------------------------------------------------- eager
  // Runs one op now on inline tensors and/or held values; returns its value.
  absl::StatusOr<HostTensor> run_op(const std::string& op,
                                    std::vector<EagerArg> args,
                                    const Attrs& attrs = {}) const;
  absl::StatusOr<EagerResult> run_op(const std::string& op,
                                     std::vector<EagerArg> args,
                                     const Attrs& attrs,
                                     const RunOpOptions& options) const;

  // ------------------------------------------------------- large tensors
  // Streams `value` in chunks of ClientOptions::chunk_bytes (UploadTensor).
  absl::StatusOr<Node> upload(const HostTensor& value, UploadTarget target,
                              const std::string& name = "") const;
  // Streams a held value back (DownloadTensor); chunk_bytes 0 uses
  // ClientOptions::chunk_bytes.
  absl::StatusOr<HostTensor> download(NodeRef x, int64_t chunk_bytes = 0) const;

 private:
  friend class Client;
  explicit Session(std::shared_ptr<const internal::SessionCore> core);
  absl::Status CheckOpen() const;
  absl::StatusOr<Node> PlaceholderNdim(int ndim, DType dtype,
                                       const std::string& name) const;
  absl::StatusOr<Node> AddInitVariable(int kind, Dims shape, double a, double b,
                                       std::optional<uint64_t> seed,
                                       DType dtype,
                                       const std::string& name) const;
  absl::StatusOr<Node> Unary(const char* op, NodeRef x,
                             const Attrs& attrs = {}) const;
  absl::StatusOr<Node> Binary(const char* op, NodeRef x, NodeRef y) const;
  absl::StatusOr<Node> Reduce(const char* op, NodeRef x,
                              std::vector<int64_t> axis, bool keepdims) const;

  std::shared_ptr<const internal::SessionCore> core_;
  bool owns_ = true;  // close on destruction
};

}  // namespace remotek::client

#endif  // REMOTEK_CLIENT_SESSION_H_
