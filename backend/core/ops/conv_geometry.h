// The geometry of 2-D convolution and pooling (and the layout of bias_add),
// shared by the Infer steps in conv_ops.cc and by every backend's kernels, so
// that output sizes and padding are computed in exactly one place.
//
// Padding follows TensorFlow exactly, per spatial axis with input size `in`,
// window size `k`, stride `s` and dilation `d` (effective window
// e = (k - 1) * d + 1):
//   'valid': out = ceil((in - e + 1) / s), no padding (refused when e > in);
//   'same':  out = ceil(in / s), pad_total = max((out - 1) * s + e - in, 0),
//            pad_before = pad_total / 2, the odd cell goes after.
//
// Thread-safety: free functions and plain values.
#ifndef REMOTEK_BACKEND_CORE_OPS_CONV_GEOMETRY_H_
#define REMOTEK_BACKEND_CORE_OPS_CONV_GEOMETRY_H_

#include <cstdint>
#include <vector>

#include "backend/core/attrs.h"
#include "backend/core/shape.h"

namespace remotek {

// One spatial axis: output size and the padding before the first input cell.
struct SpatialAxis {
  int64_t out = 0;
  int64_t pad_before = 0;
};

// The output size and leading pad of one axis. False when the sizes overflow
// int64 or, for 'valid', when the effective window is larger than `in`
// (out would be <= 0 for in > 0, or the window does not fit in an empty axis).
// REQUIRES: in >= 0, k >= 1, stride >= 1, dilation >= 1.
bool ComputeSpatialAxis(int64_t in, int64_t k, int64_t stride, int64_t dilation,
                        bool same, SpatialAxis* axis);

// A concrete conv2d / pool2d problem. Positions of x and of the output are
// (n, h, w, c) in either layout; the kernel of conv2d is always
// (k_h, k_w, channels, out_channels) row-major. For pool2d out_channels ==
// channels and dilations are 1.
struct Conv2DGeometry {
  bool channels_first = false;
  int64_t batch = 0, in_h = 0, in_w = 0, channels = 0;
  int64_t k_h = 1, k_w = 1, out_channels = 0;
  int64_t stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  int64_t out_h = 0, out_w = 0, pad_top = 0, pad_left = 0;

  // Flat offsets of x[n, h, w, c] and out[n, h, w, c] in their layouts.
  int64_t InputIndex(int64_t n, int64_t h, int64_t w, int64_t c) const {
    return channels_first ? ((n * channels + c) * in_h + h) * in_w + w
                          : ((n * in_h + h) * in_w + w) * channels + c;
  }
  int64_t OutputIndex(int64_t n, int64_t h, int64_t w, int64_t c) const {
    return channels_first ? ((n * out_channels + c) * out_h + h) * out_w + w
                          : ((n * out_h + h) * out_w + w) * out_channels + c;
  }
};

// From conv2d's canonical attrs (strides, dilation_rate, padding,
// data_format) and the concrete shapes Infer accepted.
Conv2DGeometry ConvGeometry(const AttrMap& attrs, const Shape& x,
                            const Shape& kernel);
// From pool2d's canonical attrs (pool_size, strides, padding, data_format).
Conv2DGeometry PoolGeometry(const AttrMap& attrs, const Shape& x);

// bias_add as out[o, i] = x[o, i] + bias[index(i)] over x viewed as
// (outer, inner) with inner = x.shape[1:] flattened, which covers both Keras
// forms:
//   - rank-1 bias along the channel axis a: x is (pre, C, post) and
//     index = (i / post) % C;
//   - bias of rank x.rank - 1: the bias buffer read row-major as the shape
//     `effective` (Keras reshapes, never transposes, it: for channels_first,
//     (b[-1],) + b[:-1]), broadcast where effective has a 1.
struct BiasAddLayout {
  bool full_rank = false;
  int64_t pre = 1, channels = 0, post = 1;  // rank-1 bias
  std::vector<int64_t> x_dims;              // full rank: x's concrete dims
  std::vector<int64_t>
      bias_strides;  // full rank: per x axis >= 1, 0 broadcasts
};
// From bias_add's canonical attrs (data_format) and the accepted shapes.
BiasAddLayout BiasAddLayoutFor(const AttrMap& attrs, const Shape& x,
                               const Shape& bias);
// The channel axis of a rank-1 bias for x of `rank` (Keras: axis 1 for
// channels_first ranks 3..5, otherwise the last axis).
int BiasChannelAxis(int rank, bool channels_first);

}  // namespace remotek

#endif  // REMOTEK_BACKEND_CORE_OPS_CONV_GEOMETRY_H_
