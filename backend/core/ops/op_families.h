// Registration entry points, one per op family file. RegisterAllOps is the
// only caller; adding an op is one Register line in its family's function.
#ifndef REMOTEK_BACKEND_CORE_OPS_OP_FAMILIES_H_
#define REMOTEK_BACKEND_CORE_OPS_OP_FAMILIES_H_

namespace remotek {

class OpRegistry;

void RegisterAllOps(OpRegistry& registry);

void RegisterLinalgOps(OpRegistry& registry);       // dot, batch_dot, transpose
void RegisterElementwiseOps(OpRegistry& registry);  // broadcasting binary ops, logical_not
void RegisterUnaryOps(OpRegistry& registry);        // negative .. softmax
void RegisterCastOp(OpRegistry& registry);          // cast
void RegisterReductionOps(OpRegistry& registry);    // sum .. logsumexp
void RegisterShapeOps(OpRegistry& registry);        // reshape .. slice
void RegisterIndexingOps(OpRegistry& registry);     // gather, one_hot
void RegisterLossOps(OpRegistry& registry);         // mean_squared_error, *_crossentropy
void RegisterConvOps(OpRegistry& registry);         // conv2d, pool2d, bias_add, their grads
void RegisterGradientOps(OpRegistry& registry);     // ones_like, stop_gradient, gradient helpers

}  // namespace remotek

#endif  // REMOTEK_BACKEND_CORE_OPS_OP_FAMILIES_H_
