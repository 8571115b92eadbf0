// Registered gradients, one per differentiable op, in the way TensorFlow
// registers them: a GradFn builds the gradients of an op node's inputs from
// the gradient of its output, out of ordinary ops appended to the graph
// through a GradBuilder. Families live in backend/core/grads/*_grads.cc.
//
// An op is in one of three states here:
//   registered with a GradFn           differentiable;
//   registered as non-differentiable   (argmax, comparisons, round, ...) its
//                                      inputs get no gradient (None), never a
//                                      silent zero;
//   absent                             a gradient through it is refused
//                                      (INVALID_ARGUMENT naming op and node).
//
// Thread-safety: the global registry is filled once, read-only after.
#ifndef REMOTEK_BACKEND_CORE_GRADIENT_REGISTRY_H_
#define REMOTEK_BACKEND_CORE_GRADIENT_REGISTRY_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "backend/core/backend.h"
#include "backend/core/graph.h"
#include "backend/core/memory_account.h"

namespace remotek {

// Appends the nodes of one op's gradient to the graph. Every node it makes is
// an ordinary op (or scalar constant) node, named
// "gradients/<forward op>_grad/<op>_<N>" through Graph::UniqueName, with its
// spec from the op's Infer on static shapes.
//
// Thread-safety: none; used under the session's graph lock.
class GradBuilder {
 public:
  // REQUIRES: `forward` is an op node of `graph`; everything outlives this.
  // `backend` may be null (no support check).
  GradBuilder(Graph& graph, const OpConfig& config, const Backend* backend,
              std::shared_ptr<MemoryAccount> account, int forward);

  // The node being differentiated, its inputs, and its canonical attrs (from
  // its op's Infer, defaults filled in).
  const Node& forward() const { return graph_.node(forward_); }
  int output() const { return forward_; }
  int input(int i) const { return forward().inputs[i]; }
  int num_inputs() const { return static_cast<int>(forward().inputs.size()); }
  const AttrMap& attrs() const { return attrs_; }
  // Whether input i needs a gradient (it is floating and on a path from an
  // x); a GradFn may skip the others.
  bool needs(int i) const { return needs_[i]; }
  void set_needs(std::vector<bool> needs) { needs_ = std::move(needs); }
  const TensorSpec& spec(int id) const { return graph_.node(id).spec; }

  // Appends op node `op(inputs, attrs)`. Errors are those of the op's Infer
  // (a bug in a GradFn) or UNIMPLEMENTED when the backend lacks the op.
  absl::StatusOr<int> Op(const std::string& op, std::vector<int> inputs,
                         AttrMap attrs = {});
  // Appends a scalar constant of `dtype` (a floating dtype).
  absl::StatusOr<int> Constant(double value, DType dtype);

  // Shorthands for common ops.
  absl::StatusOr<int> Add(int a, int b) { return Op("add", {a, b}); }
  absl::StatusOr<int> Sub(int a, int b) { return Op("subtract", {a, b}); }
  absl::StatusOr<int> Mul(int a, int b) { return Op("multiply", {a, b}); }
  absl::StatusOr<int> Div(int a, int b) { return Op("divide", {a, b}); }
  absl::StatusOr<int> Neg(int a) { return Op("negative", {a}); }
  // a * scalar constant of a's dtype.
  absl::StatusOr<int> Scale(int a, double factor);
  // cast(op(a, scalar b), a's dtype): 1 where the comparison holds, else 0.
  absl::StatusOr<int> MaskScalar(const std::string& comparison, int a, double b);
  // cast(op(a, b), a's dtype).
  absl::StatusOr<int> Mask(const std::string& comparison, int a, int b);
  // g summed down to the runtime shape of `like` (undoing a broadcast); g
  // itself when the static shapes show no broadcast can have happened.
  absl::StatusOr<int> SumTo(int g, int like);
  // g (reduced over sorted `axes`, keepdims false) with those axes put back
  // as size-1 dims, so that it broadcasts against the unreduced input.
  absl::StatusOr<int> ExpandReduced(int g, const std::vector<int64_t>& axes,
                                    bool keepdims);

 private:
  std::string Prefix(const std::string& op) const;

  Graph& graph_;
  const OpConfig& config_;
  const Backend* backend_;
  std::shared_ptr<MemoryAccount> account_;
  int forward_;
  AttrMap attrs_;
  std::vector<bool> needs_;
};

// Builds the gradients of the forward node's inputs from `grad`, the gradient
// of its output (same dtype and static shape as the output). Returns one
// entry per input: the id of its gradient (same dtype, static shape
// compatible with the input's), or nullopt for no gradient. Entries for
// inputs where !needs(i) are ignored.
using GradFn = std::function<absl::StatusOr<std::vector<std::optional<int>>>(
    GradBuilder& b, int grad)>;

class GradientRegistry {
 public:
  struct Entry {
    GradFn fn;  // empty for a non-differentiable op
  };

  static const GradientRegistry& Global();

  // REQUIRES: `op` not yet registered (aborts otherwise: a bug here).
  void Register(const std::string& op, GradFn fn);
  void RegisterNonDifferentiable(const std::string& op);
  // nullptr when the op has no registration at all.
  const Entry* Find(const std::string& op) const;
  std::vector<std::string> DifferentiableOps() const;

 private:
  std::map<std::string, Entry> entries_;
};

// One per family file in backend/core/grads/.
void RegisterElementwiseGrads(GradientRegistry& r);
void RegisterUnaryGrads(GradientRegistry& r);
void RegisterLinalgGrads(GradientRegistry& r);
void RegisterReductionGrads(GradientRegistry& r);
void RegisterShapeGrads(GradientRegistry& r);
void RegisterLossGrads(GradientRegistry& r);
void RegisterCastGrads(GradientRegistry& r);  // cast, one_hot, gather indices
void RegisterConvGrads(GradientRegistry& r);  // conv2d, pool2d, bias_add

}  // namespace remotek

#endif  // REMOTEK_BACKEND_CORE_GRADIENT_REGISTRY_H_
