// Gradients of cast and the indexing ops. A cast between floating dtypes
// casts the gradient back to x's dtype; a cast to an integer or bool dtype
// has a non-floating output, which never carries a gradient, so x gets none.
// one_hot is non-differentiable. gather's reference gets g's rows summed
// into zeros of its shape at the indices (a dense tf.IndexedSlices); the
// indices are integers and get none.
#include <string>

#include "backend/core/gradient_registry.h"
#include "backend/core/status_macros.h"

namespace remotek {
namespace {

absl::StatusOr<std::vector<std::optional<int>>> CastGrad(GradBuilder& b, int g) {
  const DType dtype = b.spec(b.input(0)).dtype;
  REMOTEK_ASSIGN_OR_RETURN(int gx, b.Op("cast", {g}, {{"dtype", std::string(DTypeName(dtype))}}));
  return std::vector<std::optional<int>>{gx};
}

absl::StatusOr<std::vector<std::optional<int>>> GatherGrad(GradBuilder& b, int g) {
  REMOTEK_ASSIGN_OR_RETURN(
      int gx, b.Op("scatter_sum_to_shape_of", {g, b.input(1), b.input(0)}));
  return std::vector<std::optional<int>>{gx, std::nullopt};
}

}  // namespace

void RegisterCastGrads(GradientRegistry& r) {
  r.Register("cast", CastGrad);
  r.RegisterNonDifferentiable("one_hot");
  r.Register("gather", GatherGrad);
}

}  // namespace remotek
