#include "backend/core/ops/conv_geometry.h"

#include <algorithm>
#include <limits>
#include <string>
#include <variant>

namespace remotek {
namespace {

const std::vector<int64_t>& Ints(const AttrMap& attrs, const char* name) {
  return std::get<std::vector<int64_t>>(attrs.at(name));
}

bool ChannelsFirst(const AttrMap& attrs) {
  return std::get<std::string>(attrs.at("data_format")) == "channels_first";
}

bool Same(const AttrMap& attrs) {
  return std::get<std::string>(attrs.at("padding")) == "same";
}

// Fills the spatial part of `g` from x's dims and the window already set.
void FillSpatial(const AttrMap& attrs, const Shape& x, Conv2DGeometry& g) {
  g.channels_first = ChannelsFirst(attrs);
  g.batch = x.dim(0);
  g.channels = x.dim(g.channels_first ? 1 : 3);
  g.in_h = x.dim(g.channels_first ? 2 : 1);
  g.in_w = x.dim(g.channels_first ? 3 : 2);
  const std::vector<int64_t>& strides = Ints(attrs, "strides");
  g.stride_h = strides[0];
  g.stride_w = strides[1];
  SpatialAxis h, w;
  // Infer accepted these shapes, so neither call fails here.
  ComputeSpatialAxis(g.in_h, g.k_h, g.stride_h, g.dilation_h, Same(attrs), &h);
  ComputeSpatialAxis(g.in_w, g.k_w, g.stride_w, g.dilation_w, Same(attrs), &w);
  g.out_h = h.out;
  g.pad_top = h.pad_before;
  g.out_w = w.out;
  g.pad_left = w.pad_before;
}

}  // namespace

bool ComputeSpatialAxis(int64_t in, int64_t k, int64_t stride, int64_t dilation,
                        bool same, SpatialAxis* axis) {
  int64_t span = 0;
  if (!CheckedMul(k - 1, dilation, &span) ||
      span == std::numeric_limits<int64_t>::max()) {
    return false;
  }
  span += 1;
  if (!same) {
    if (span > in) return false;
    axis->out = (in - span) / stride + 1;
    axis->pad_before = 0;
    return true;
  }
  axis->out = in == 0 ? 0 : (in - 1) / stride + 1;
  int64_t reach = 0;
  if (axis->out > 0) {
    if (!CheckedMul(axis->out - 1, stride, &reach) ||
        reach > std::numeric_limits<int64_t>::max() - span) {
      return false;
    }
    reach += span;
  }
  axis->pad_before = std::max<int64_t>(reach - in, 0) / 2;
  return true;
}

Conv2DGeometry ConvGeometry(const AttrMap& attrs, const Shape& x,
                            const Shape& kernel) {
  Conv2DGeometry g;
  g.k_h = kernel.dim(0);
  g.k_w = kernel.dim(1);
  g.out_channels = kernel.dim(3);
  const std::vector<int64_t>& dilation = Ints(attrs, "dilation_rate");
  g.dilation_h = dilation[0];
  g.dilation_w = dilation[1];
  FillSpatial(attrs, x, g);
  return g;
}

Conv2DGeometry PoolGeometry(const AttrMap& attrs, const Shape& x) {
  Conv2DGeometry g;
  const std::vector<int64_t>& pool = Ints(attrs, "pool_size");
  g.k_h = pool[0];
  g.k_w = pool[1];
  FillSpatial(attrs, x, g);
  g.out_channels = g.channels;
  return g;
}

int BiasChannelAxis(int rank, bool channels_first) {
  return channels_first && rank >= 3 && rank <= 5 ? 1 : rank - 1;
}

BiasAddLayout BiasAddLayoutFor(const AttrMap& attrs, const Shape& x,
                               const Shape& bias) {
  const bool channels_first = ChannelsFirst(attrs);
  const int rank = x.rank();
  BiasAddLayout layout;
  if (bias.rank() == 1) {
    const int axis = BiasChannelAxis(rank, channels_first);
    for (int i = 0; i < axis; ++i) layout.pre *= x.dim(i);
    layout.channels = x.dim(axis);
    for (int i = axis + 1; i < rank; ++i) layout.post *= x.dim(i);
    return layout;
  }
  layout.full_rank = true;
  layout.x_dims = x.dims();
  // The bias buffer as Keras reshapes it, one dim per axis 1.. of x.
  std::vector<int64_t> effective = bias.dims();
  if (channels_first) {
    effective.insert(effective.begin(), effective.back());
    effective.pop_back();
  }
  layout.bias_strides.assign(rank, 0);
  int64_t stride = 1;
  for (int i = rank - 1; i >= 1; --i) {
    const int64_t e = effective[i - 1];
    layout.bias_strides[i] = (e == 1 && x.dim(i) != 1) ? 0 : stride;
    stride *= e;
  }
  return layout;
}

}  // namespace remotek
