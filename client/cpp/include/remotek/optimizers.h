// Optimizers as update lists, the way Keras 2.3's optimizers built them: from
// the session's gradients, a list of (variable, new value) updates to hand to
// Session::function(inputs, outputs, updates). Each call of that function
// then takes one optimizer step on the server; the server needs nothing
// special for it.
//
//   Node loss = ...;                       // e.g. categorical_crossentropy
//   Sgd sgd({.learning_rate = 0.1, .momentum = 0.9});
//   std::vector<Update> updates = sgd.get_updates(s, loss, {w, b}).value();
//   Function step = s.function({x, y}, {loss}, updates).value();
//   for (...) step({x_batch, y_batch});
//
// get_updates adds to the session the gradient nodes, the optimizer's slot
// variables (zeros shaped like each parameter, plus an `iterations` counter)
// and the nodes of the new values; clear_session drops them with the rest.
// Errors: those of Session::gradients, and INVALID_ARGUMENT when a parameter
// has no gradient (Keras raises then too) or `params` is empty.
//
// Thread-safety: an optimizer object is not thread-safe; build on one thread.
#ifndef REMOTEK_CLIENT_OPTIMIZERS_H_
#define REMOTEK_CLIENT_OPTIMIZERS_H_

#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "remotek/graph.h"
#include "remotek/session.h"

namespace remotek::client {

struct SgdOptions {
  double learning_rate = 0.01;
  double momentum = 0.0;
  bool nesterov = false;
};

// keras.optimizers.SGD: with velocity v (a zeros slot per parameter),
//   v' = momentum * v - lr * g
//   p' = p + v'                          (nesterov: p + momentum * v' - lr * g)
class Sgd {
 public:
  explicit Sgd(SgdOptions options = {}) : options_(options) {}
  absl::StatusOr<std::vector<Update>> get_updates(
      const Session& session, const Node& loss,
      const std::vector<Node>& params);
  // The step counter (a scalar of loss's dtype), set by get_updates.
  const std::optional<Node>& iterations() const { return iterations_; }

 private:
  SgdOptions options_;
  std::optional<Node> iterations_;
};

struct AdamOptions {
  double learning_rate = 0.001;
  double beta_1 = 0.9;
  double beta_2 = 0.999;
  double epsilon = 1e-7;  // Keras's K.epsilon()
};

// keras.optimizers.Adam (amsgrad=False): with t = iterations + 1 and moment
// slots m, v per parameter,
//   lr_t = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)
//   m'   = beta_1 * m + (1 - beta_1) * g
//   v'   = beta_2 * v + (1 - beta_2) * g^2
//   p'   = p - lr_t * m' / (sqrt(v') + epsilon)
// beta_1^t and beta_2^t are kept as two more scalar slots (multiplied by the
// betas each step), which equals the power of t without a pow per step.
class Adam {
 public:
  explicit Adam(AdamOptions options = {}) : options_(options) {}
  absl::StatusOr<std::vector<Update>> get_updates(
      const Session& session, const Node& loss,
      const std::vector<Node>& params);
  const std::optional<Node>& iterations() const { return iterations_; }

 private:
  AdamOptions options_;
  std::optional<Node> iterations_;
};

}  // namespace remotek::client

#endif  // REMOTEK_CLIENT_OPTIMIZERS_H_
