#include "backend/core/op_registry.h"
#include "backend/core/ops/op_families.h"

namespace remotek {

void RegisterAllOps(OpRegistry& registry) {
  RegisterLinalgOps(registry);
  RegisterElementwiseOps(registry);
  RegisterUnaryOps(registry);
  RegisterCastOp(registry);
  RegisterReductionOps(registry);
  RegisterShapeOps(registry);
  RegisterIndexingOps(registry);
  RegisterLossOps(registry);
  RegisterConvOps(registry);
  RegisterGradientOps(registry);
}

}  // namespace remotek
