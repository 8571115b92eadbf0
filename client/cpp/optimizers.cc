#include "remotek/optimizers.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "client/cpp/wire.h"

namespace remotek::client {
namespace {

// Gradients of loss for every parameter; INVALID_ARGUMENT for a parameter
// without one, as Keras's Optimizer.get_gradients raises.
absl::StatusOr<std::vector<Node>> GradientsOf(const Session& s,
                                              const Node& loss,
                                              const std::vector<Node>& params) {
  if (params.empty()) {
    return absl::InvalidArgumentError("optimizer: params is empty");
  }
  RK_CLIENT_ASSIGN_OR_RETURN(
      std::vector<std::optional<Node>> grads,
      s.gradients(loss, std::vector<NodeRef>(params.begin(), params.end())));
  std::vector<Node> out;
  out.reserve(grads.size());
  for (size_t i = 0; i < grads.size(); ++i) {
    if (!grads[i].has_value()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "optimizer: params[", i, "] (\"", params[i].handle,
          "\") has no gradient: loss does not depend on it through "
          "differentiable ops"));
    }
    out.push_back(*std::move(grads[i]));
  }
  return out;
}

// A scalar constant of `dtype`.
absl::StatusOr<Node> Scalar(const Session& s, double value, DType dtype) {
  return s.constant(HostTensor::Scalar<double>(value), "", dtype);
}

// Zeros shaped like `p`, for a slot.
absl::StatusOr<Node> ZerosLike(const Session& s, const Node& p) {
  return s.zeros(p.shape, p.dtype);
}

// iterations' = iterations + 1, Keras's update_add(self.iterations, 1).
absl::StatusOr<Node> AddIterations(const Session& s, DType dtype,
                                   std::vector<Update>* updates) {
  RK_CLIENT_ASSIGN_OR_RETURN(Node iterations, s.zeros({}, dtype));
  RK_CLIENT_ASSIGN_OR_RETURN(Node one, Scalar(s, 1.0, dtype));
  RK_CLIENT_ASSIGN_OR_RETURN(Node next, s.add(iterations, one));
  updates->push_back({iterations, next});
  return iterations;
}

}  // namespace

absl::StatusOr<std::vector<Update>> Sgd::get_updates(
    const Session& s, const Node& loss, const std::vector<Node>& params) {
  RK_CLIENT_ASSIGN_OR_RETURN(std::vector<Node> grads,
                             GradientsOf(s, loss, params));
  std::vector<Update> updates;
  RK_CLIENT_ASSIGN_OR_RETURN(iterations_,
                             AddIterations(s, loss.dtype, &updates));
  for (size_t i = 0; i < params.size(); ++i) {
    const Node& p = params[i];
    RK_CLIENT_ASSIGN_OR_RETURN(Node lr,
                               Scalar(s, options_.learning_rate, p.dtype));
    RK_CLIENT_ASSIGN_OR_RETURN(Node lr_g, s.multiply(lr, grads[i]));
    if (options_.momentum == 0.0 && !options_.nesterov) {
      // Keras keeps (unused) moments here; plain SGD needs no slot.
      RK_CLIENT_ASSIGN_OR_RETURN(Node next, s.subtract(p, lr_g));
      updates.push_back({p, next});
      continue;
    }
    RK_CLIENT_ASSIGN_OR_RETURN(Node m, ZerosLike(s, p));
    RK_CLIENT_ASSIGN_OR_RETURN(Node mu, Scalar(s, options_.momentum, p.dtype));
    RK_CLIENT_ASSIGN_OR_RETURN(Node mu_m, s.multiply(mu, m));
    RK_CLIENT_ASSIGN_OR_RETURN(Node v, s.subtract(mu_m, lr_g));
    updates.push_back({m, v});
    Node next;
    if (options_.nesterov) {
      RK_CLIENT_ASSIGN_OR_RETURN(Node mu_v, s.multiply(mu, v));
      RK_CLIENT_ASSIGN_OR_RETURN(Node ahead, s.add(p, mu_v));
      RK_CLIENT_ASSIGN_OR_RETURN(next, s.subtract(ahead, lr_g));
    } else {
      RK_CLIENT_ASSIGN_OR_RETURN(next, s.add(p, v));
    }
    updates.push_back({p, next});
  }
  return updates;
}

absl::StatusOr<std::vector<Update>> Adam::get_updates(
    const Session& s, const Node& loss, const std::vector<Node>& params) {
  RK_CLIENT_ASSIGN_OR_RETURN(std::vector<Node> grads,
                             GradientsOf(s, loss, params));
  const DType dt = loss.dtype;
  std::vector<Update> updates;
  RK_CLIENT_ASSIGN_OR_RETURN(iterations_, AddIterations(s, dt, &updates));
  // beta^t for t = iterations + 1: the slots hold beta^iterations.
  RK_CLIENT_ASSIGN_OR_RETURN(Node b1p, s.ones({}, dt));
  RK_CLIENT_ASSIGN_OR_RETURN(Node b2p, s.ones({}, dt));
  RK_CLIENT_ASSIGN_OR_RETURN(Node beta_1, Scalar(s, options_.beta_1, dt));
  RK_CLIENT_ASSIGN_OR_RETURN(Node beta_2, Scalar(s, options_.beta_2, dt));
  RK_CLIENT_ASSIGN_OR_RETURN(Node b1p_t, s.multiply(b1p, beta_1));
  RK_CLIENT_ASSIGN_OR_RETURN(Node b2p_t, s.multiply(b2p, beta_2));
  updates.push_back({b1p, b1p_t});
  updates.push_back({b2p, b2p_t});
  RK_CLIENT_ASSIGN_OR_RETURN(Node one, Scalar(s, 1.0, dt));
  RK_CLIENT_ASSIGN_OR_RETURN(Node lr, Scalar(s, options_.learning_rate, dt));
  RK_CLIENT_ASSIGN_OR_RETURN(Node c2, s.subtract(one, b2p_t));
  RK_CLIENT_ASSIGN_OR_RETURN(c2, s.sqrt(c2));
  RK_CLIENT_ASSIGN_OR_RETURN(Node c1, s.subtract(one, b1p_t));
  RK_CLIENT_ASSIGN_OR_RETURN(Node lr_t, s.multiply(lr, c2));
  RK_CLIENT_ASSIGN_OR_RETURN(lr_t, s.divide(lr_t, c1));
  RK_CLIENT_ASSIGN_OR_RETURN(Node one_b1, Scalar(s, 1.0 - options_.beta_1, dt));
  RK_CLIENT_ASSIGN_OR_RETURN(Node one_b2, Scalar(s, 1.0 - options_.beta_2, dt));
  RK_CLIENT_ASSIGN_OR_RETURN(Node eps, Scalar(s, options_.epsilon, dt));
  for (size_t i = 0; i < params.size(); ++i) {
    const Node& p = params[i];
    const Node& g = grads[i];
    RK_CLIENT_ASSIGN_OR_RETURN(Node m, ZerosLike(s, p));
    RK_CLIENT_ASSIGN_OR_RETURN(Node v, ZerosLike(s, p));
    RK_CLIENT_ASSIGN_OR_RETURN(Node m_a, s.multiply(beta_1, m));
    RK_CLIENT_ASSIGN_OR_RETURN(Node m_b, s.multiply(one_b1, g));
    RK_CLIENT_ASSIGN_OR_RETURN(Node m_t, s.add(m_a, m_b));
    RK_CLIENT_ASSIGN_OR_RETURN(Node g2, s.square(g));
    RK_CLIENT_ASSIGN_OR_RETURN(Node v_a, s.multiply(beta_2, v));
    RK_CLIENT_ASSIGN_OR_RETURN(Node v_b, s.multiply(one_b2, g2));
    RK_CLIENT_ASSIGN_OR_RETURN(Node v_t, s.add(v_a, v_b));
    RK_CLIENT_ASSIGN_OR_RETURN(Node denom, s.sqrt(v_t));
    RK_CLIENT_ASSIGN_OR_RETURN(denom, s.add(denom, eps));
    RK_CLIENT_ASSIGN_OR_RETURN(Node step, s.multiply(lr_t, m_t));
    RK_CLIENT_ASSIGN_OR_RETURN(step, s.divide(step, denom));
    RK_CLIENT_ASSIGN_OR_RETURN(Node p_t, s.subtract(p, step));
    updates.push_back({m, m_t});
    updates.push_back({v, v_t});
    updates.push_back({p, p_t});
  }
  return updates;
}

}  // namespace remotek::client
