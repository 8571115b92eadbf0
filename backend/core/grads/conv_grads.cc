// Gradients of conv2d, pool2d and bias_add, through the backward ops of
// backend/core/ops/conv_ops.cc (which take the forward op's attrs):
//   conv2d    x      <- conv2d_backprop_input(g, kernel, x)
//             kernel <- conv2d_backprop_filter(g, x, kernel)
//   pool2d    x      <- pool2d_grad(g, x)  (max: to each window's first
//                       maximal cell; avg: spread over the cells inside x)
//   bias_add  x      <- g
//             bias   <- sum(g) over every axis but the channel axis, for a
//                       rank-1 bias. A bias of rank x.rank - 1 (reshaped onto
//                       x, as Keras does) has no gradient yet: refused naming
//                       the node.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "backend/core/gradient_registry.h"
#include "backend/core/ops/conv_geometry.h"
#include "backend/core/status_macros.h"

namespace remotek {
namespace {

using Grads = std::vector<std::optional<int>>;

absl::StatusOr<Grads> Conv2DGrad(GradBuilder& b, int g) {
  const int x = b.input(0), kernel = b.input(1);
  Grads out(2);
  if (b.needs(0)) {
    REMOTEK_ASSIGN_OR_RETURN(out[0], b.Op("conv2d_backprop_input", {g, kernel, x}, b.attrs()));
  }
  if (b.needs(1)) {
    REMOTEK_ASSIGN_OR_RETURN(out[1],
                             b.Op("conv2d_backprop_filter", {g, x, kernel}, b.attrs()));
  }
  return out;
}

absl::StatusOr<Grads> Pool2DGrad(GradBuilder& b, int g) {
  Grads out(1);
  REMOTEK_ASSIGN_OR_RETURN(out[0], b.Op("pool2d_grad", {g, b.input(0)}, b.attrs()));
  return out;
}

absl::StatusOr<Grads> BiasAddGrad(GradBuilder& b, int g) {
  const int x = b.input(0), bias = b.input(1);
  Grads out(2);
  out[0] = g;
  if (!b.needs(1)) return out;
  const int rank = b.spec(x).shape.rank();
  if (b.spec(bias).shape.rank() != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "gradients: no gradient defined for op \"bias_add\" (node \"", b.forward().name,
        "\") with a bias of rank ", b.spec(bias).shape.rank(), " (only a rank-1 bias yet)"));
  }
  const auto format = b.attrs().find("data_format");
  const bool channels_first = format != b.attrs().end() &&
                              std::get<std::string>(format->second) == "channels_first";
  const int channel = BiasChannelAxis(rank, channels_first);
  std::vector<int64_t> axes;
  for (int i = 0; i < rank; ++i) {
    if (i != channel) axes.push_back(i);
  }
  REMOTEK_ASSIGN_OR_RETURN(out[1], b.Op("sum", {g}, {{"axis", axes}}));
  return out;
}

}  // namespace

void RegisterConvGrads(GradientRegistry& r) {
  r.Register("conv2d", Conv2DGrad);
  r.Register("pool2d", Pool2DGrad);
  r.Register("bias_add", BiasAddGrad);
}

}  // namespace remotek
