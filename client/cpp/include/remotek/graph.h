// Graph vocabulary of the RemoteK client: nodes and references to them, op
// attributes, updates, and GraphBuilder for whole-graph requests.
#ifndef REMOTEK_CLIENT_GRAPH_H_
#define REMOTEK_CLIENT_GRAPH_H_

#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "remotek/host_tensor.h"

namespace remotek::client {

namespace internal {
struct GraphRequest;
}  // namespace internal

// A node the session holds: its handle (unique within the session), kind
// ("placeholder" | "variable" | "constant" | "op") and the static dtype and
// shape the engine inferred (-1 for unknown dims, as Keras's None).
struct Node {
  std::string handle;
  std::string kind;
  DType dtype = DType::kInvalid;
  Dims shape;
};

// Names a node by handle: built from a Node, or from a handle / request name
// as a string.
class NodeRef {
 public:
  NodeRef(const Node& node)
      : handle_(node.handle) {}  // NOLINT: implicit by design
  NodeRef(std::string handle) : handle_(std::move(handle)) {}  // NOLINT
  NodeRef(const char* handle) : handle_(handle) {}             // NOLINT
  const std::string& handle() const { return handle_; }

 private:
  std::string handle_;
};

// One op attribute, named as Keras names it (axis, keepdims, axes, dtype,
// alpha, ...): an int, a float, a bool, a string, or a list of ints / floats.
//   Attrs{{"axes", {1, 2}}, {"keepdims", true}, {"dtype", "float32"}}
class AttrValue {
 public:
  using Value = std::variant<int64_t, double, bool, std::string,
                             std::vector<int64_t>, std::vector<double>>;
  AttrValue(int v) : value_(int64_t{v}) {}                     // NOLINT
  AttrValue(long v) : value_(int64_t{v}) {}                    // NOLINT
  AttrValue(long long v) : value_(int64_t{v}) {}               // NOLINT
  AttrValue(double v) : value_(v) {}                           // NOLINT
  AttrValue(bool v) : value_(v) {}                             // NOLINT
  AttrValue(const char* v) : value_(std::string(v)) {}         // NOLINT
  AttrValue(std::string v) : value_(std::move(v)) {}           // NOLINT
  AttrValue(std::vector<int64_t> v) : value_(std::move(v)) {}  // NOLINT
  AttrValue(std::initializer_list<int64_t> v)
      : value_(std::vector<int64_t>(v)) {}                    // NOLINT
  AttrValue(std::vector<double> v) : value_(std::move(v)) {}  // NOLINT
  const Value& value() const { return value_; }

 private:
  Value value_;
};
using Attrs = std::map<std::string, AttrValue>;

// `ndim` unknown dims, for placeholder(Ndim{3}) — Keras's placeholder(ndim=3).
struct Ndim {
  int value = 0;
};

// A function update: after each call, `variable` takes the value of `value`.
struct Update {
  NodeRef variable;
  NodeRef value;
};

// Collects nodes for Session::build_graph, which adds them all in one
// request, all or nothing. Nodes reference each other (and nodes the
// session already holds) by name, in any order; every method returns a
// NodeRef of the name it was given. Arguments mean what they mean on the
// Session methods of the same name.
//
//   GraphBuilder g;
//   NodeRef x = g.placeholder("x", {-1, 20, 1});
//   NodeRef y = g.random_uniform_variable("y", {32, 30, 20}, 0, 1, 42);
//   g.op("xy", "batch_dot", {x, y}, {{"axes", {1, 2}}});
//   std::vector<Node> nodes = session.build_graph(g).value();  // parallel
//
// Thread-safety: none; build on one thread, then hand to build_graph.
class GraphBuilder {
 public:
  GraphBuilder();
  ~GraphBuilder();
  GraphBuilder(GraphBuilder&&) noexcept;
  GraphBuilder& operator=(GraphBuilder&&) noexcept;

  NodeRef placeholder(const std::string& name, Dims shape,
                      DType dtype = DType::kInvalid);
  template <typename N, typename = std::enable_if_t<std::is_same_v<N, Ndim>>>
  NodeRef placeholder(const std::string& name, N ndim,
                      DType dtype = DType::kInvalid) {
    return PlaceholderNdim(name, ndim.value, dtype);
  }
  NodeRef variable(const std::string& name, const HostTensor& value,
                   DType dtype = DType::kInvalid);
  NodeRef zeros(const std::string& name, Dims shape,
                DType dtype = DType::kInvalid);
  NodeRef ones(const std::string& name, Dims shape,
               DType dtype = DType::kInvalid);
  NodeRef eye(const std::string& name, int64_t size,
              DType dtype = DType::kInvalid);
  NodeRef random_uniform_variable(const std::string& name, Dims shape,
                                  double low, double high,
                                  std::optional<uint64_t> seed = std::nullopt,
                                  DType dtype = DType::kInvalid);
  NodeRef random_normal_variable(const std::string& name, Dims shape,
                                 double mean, double scale,
                                 std::optional<uint64_t> seed = std::nullopt,
                                 DType dtype = DType::kInvalid);
  NodeRef constant(const std::string& name, const HostTensor& value,
                   DType dtype = DType::kInvalid);
  NodeRef op(const std::string& name, const std::string& op,
             std::vector<NodeRef> inputs, const Attrs& attrs = {});

  int size() const;
  // The first invalid tensor handed to this builder, if any (build_graph
  // returns it without sending anything).
  const absl::Status& status() const;

 private:
  friend class Session;
  NodeRef PlaceholderNdim(const std::string& name, int ndim, DType dtype);
  std::unique_ptr<internal::GraphRequest> request_;
};

}  // namespace remotek::client

#endif  // REMOTEK_CLIENT_GRAPH_H_
