// The registry of op definitions: for each op, its arity and an Infer step
// that validates inputs and attributes and computes the output's dtype and
// shape. Infer is the only place an op's rules live; it runs on static shapes
// when a graph node is built (unknown dims carried through) and again on
// concrete shapes just before a kernel runs, so kernels trust their inputs.
#ifndef REMOTEK_BACKEND_CORE_OP_REGISTRY_H_
#define REMOTEK_BACKEND_CORE_OP_REGISTRY_H_

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "backend/core/attrs.h"
#include "backend/core/dtype.h"
#include "backend/core/op_config.h"
#include "backend/core/shape.h"

namespace remotek {

struct TensorSpec {
  DType dtype = DType::kInvalid;
  Shape shape;
};

struct InferContext {
  const std::string& op;
  absl::Span<const TensorSpec> inputs;
  const AttrMap& attrs;  // as the client sent them
  const OpConfig& config;
};

struct InferResult {
  TensorSpec output;
  // Canonical attributes for the kernel: defaults filled in, axes normalised
  // to non-negative values, epsilon copied from the config where used. Kernels
  // read only these.
  AttrMap attrs;
};

using InferFn = std::function<absl::StatusOr<InferResult>(const InferContext&)>;

struct OpDef {
  std::string name;
  int min_inputs = 1;
  int max_inputs = 1;  // kVariadic for concatenate / stack
  InferFn infer;
  // When true the output is input 0's buffer under the inferred shape (reshape
  // and friends): no kernel runs and no bytes are copied.
  bool aliases_input = false;
  // float16 inputs are widened to float32 for the kernel and the output
  // narrowed back. Every op does this today; kept as a flag for kernels that
  // may one day compute in half natively.
  bool widen_float16 = true;
  std::string summary;  // one line for ListBackends / docs
};

inline constexpr int kVariadic = 1 << 20;

// Thread-safety: filled once at start-up by RegisterAllOps, read-only after.
class OpRegistry {
 public:
  // The process-wide registry holding every built-in op.
  static const OpRegistry& Global();

  // REQUIRES: name not yet registered (a programming error otherwise).
  void Register(OpDef def);
  // NOT_FOUND naming the op when it is unknown.
  absl::StatusOr<const OpDef*> Find(const std::string& name) const;
  std::vector<std::string> Names() const;

 private:
  std::map<std::string, OpDef> ops_;
};

// Validates arity and runs the op's Infer. Errors name the op.
absl::StatusOr<InferResult> InferOp(const OpDef& def,
                                    absl::Span<const TensorSpec> inputs,
                                    const AttrMap& attrs, const OpConfig& config);

}  // namespace remotek

#endif  // REMOTEK_BACKEND_CORE_OP_REGISTRY_H_
