// The requests and results of a Keras session's operations (KerasSession):
// node requests, node descriptions, eager arguments and session statistics.
#ifndef REMOTEK_BACKEND_CORE_SESSION_REQUESTS_H_
#define REMOTEK_BACKEND_CORE_SESSION_REQUESTS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "backend/core/attrs.h"
#include "backend/core/graph.h"
#include "backend/core/initializers.h"
#include "backend/core/tensor.h"

namespace remotek {

// One node to add. `name` empty means a Keras-style generated handle.
struct PlaceholderRequest {
  std::string name;
  DType dtype = DType::kInvalid;   // kInvalid: the session's floatx
  std::optional<Shape> shape;      // dims may be kUnknownDim
  int ndim = -1;                   // used when shape is absent: all dims unknown
};
struct VariableRequest {
  std::string name;
  DType dtype = DType::kInvalid;   // kInvalid: value's dtype, or floatx for an initializer
  std::optional<Tensor> value;     // either a value...
  std::optional<InitializerSpec> initializer;  // ...or an initializer with `shape`
  Shape shape;
};
struct ConstantRequest {
  std::string name;
  Tensor value;
  DType dtype = DType::kInvalid;   // kInvalid: keep value's dtype, else cast
};
struct OpNodeRequest {
  std::string name;
  std::string op;
  std::vector<std::string> inputs;  // handles
  AttrMap attrs;
};
using NodeRequest =
    std::variant<PlaceholderRequest, VariableRequest, ConstantRequest, OpNodeRequest>;

struct NodeInfo {
  std::string handle;
  NodeKind kind;
  TensorSpec spec;
};

// An argument of an eager op: an inline tensor or a handle whose value the
// session holds (variable or constant).
using EagerArg = std::variant<Tensor, std::string>;

struct SessionStats {
  int64_t bytes_held = 0;
  int64_t peak_bytes = 0;
  int nodes = 0;
  int variables = 0;
  int functions = 0;
};

}  // namespace remotek

#endif  // REMOTEK_BACKEND_CORE_SESSION_REQUESTS_H_
