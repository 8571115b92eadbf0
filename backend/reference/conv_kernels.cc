// Reference conv2d, pool2d, bias_add and the backward ops
// conv2d_backprop_input, conv2d_backprop_filter, pool2d_grad (rules in
// backend/core/ops/conv_ops.cc): direct loops over every output element and
// window cell, accumulating in double and rounding once. Padded cells are
// skipped, never read.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "backend/core/ops/conv_geometry.h"
#include "backend/reference/reference_kernels.h"

namespace remotek {
namespace {

// Runs f(TypeTag<T>) for the float dtype the kernel sees (float32/float64).
template <typename F>
void DispatchFloat(DType dtype, F&& f) {
  DispatchComputeDType(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_floating_point_v<T>) f(tag);
  });
}

bool Inside(int64_t i, int64_t size) { return i >= 0 && i < size; }

// The filters are the innermost loop (one accumulator each) so that the
// kernel is read contiguously; the large conformance rows stay quick.
template <typename T>
void Conv2D(const Conv2DGeometry& g, const T* x, const T* kernel, T* out) {
  std::vector<double> acc(static_cast<size_t>(g.out_channels));
  for (int64_t n = 0; n < g.batch; ++n) {
    for (int64_t oh = 0; oh < g.out_h; ++oh) {
      for (int64_t ow = 0; ow < g.out_w; ++ow) {
        std::fill(acc.begin(), acc.end(), 0.0);
        for (int64_t i = 0; i < g.k_h; ++i) {
          const int64_t h = oh * g.stride_h - g.pad_top + i * g.dilation_h;
          if (!Inside(h, g.in_h)) continue;
          for (int64_t j = 0; j < g.k_w; ++j) {
            const int64_t w = ow * g.stride_w - g.pad_left + j * g.dilation_w;
            if (!Inside(w, g.in_w)) continue;
            for (int64_t c = 0; c < g.channels; ++c) {
              const double a = static_cast<double>(x[g.InputIndex(n, h, w, c)]);
              const T* k =
                  kernel + ((i * g.k_w + j) * g.channels + c) * g.out_channels;
              for (int64_t o = 0; o < g.out_channels; ++o) {
                acc[o] += a * static_cast<double>(k[o]);
              }
            }
          }
        }
        for (int64_t o = 0; o < g.out_channels; ++o) {
          out[g.OutputIndex(n, oh, ow, o)] = static_cast<T>(acc[o]);
        }
      }
    }
  }
}

absl::Status Conv2DKernel(const KernelContext& ctx, absl::Span<const Tensor> in,
                          Tensor& out) {
  const Conv2DGeometry g =
      ConvGeometry(ctx.attrs, in[0].shape(), in[1].shape());
  DispatchFloat(out.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    Conv2D(g, in[0].data<T>(), in[1].data<T>(), out.data<T>());
  });
  return absl::OkStatus();
}

// Max (NaN propagates) or mean over the window's cells inside x. A window
// always holds at least one such cell (conv_geometry.h's padding rule keeps
// pad_before below the window size).
template <typename T>
void Pool2D(const Conv2DGeometry& g, bool max, const T* x, T* out) {
  for (int64_t n = 0; n < g.batch; ++n) {
    for (int64_t oh = 0; oh < g.out_h; ++oh) {
      for (int64_t ow = 0; ow < g.out_w; ++ow) {
        for (int64_t c = 0; c < g.channels; ++c) {
          double best = -std::numeric_limits<double>::infinity();
          double sum = 0;
          int64_t count = 0;
          for (int64_t i = 0; i < g.k_h; ++i) {
            const int64_t h = oh * g.stride_h - g.pad_top + i;
            if (!Inside(h, g.in_h)) continue;
            for (int64_t j = 0; j < g.k_w; ++j) {
              const int64_t w = ow * g.stride_w - g.pad_left + j;
              if (!Inside(w, g.in_w)) continue;
              const double v = static_cast<double>(x[g.InputIndex(n, h, w, c)]);
              // The first NaN met is kept (bits included).
              if (!std::isnan(best) && (std::isnan(v) || v > best)) best = v;
              sum += v;
              ++count;
            }
          }
          out[g.OutputIndex(n, oh, ow, c)] =
              static_cast<T>(max ? best : sum / static_cast<double>(count));
        }
      }
    }
  }
}

absl::Status Pool2DKernel(const KernelContext& ctx, absl::Span<const Tensor> in,
                          Tensor& out) {
  const Conv2DGeometry g = PoolGeometry(ctx.attrs, in[0].shape());
  const bool max = std::get<std::string>(ctx.attrs.at("pool_mode")) == "max";
  DispatchFloat(out.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    Pool2D(g, max, in[0].data<T>(), out.data<T>());
  });
  return absl::OkStatus();
}

template <typename T>
void BiasAdd(const BiasAddLayout& layout, const T* x, const T* bias, T* out,
             int64_t count) {
  if (!layout.full_rank) {
    for (int64_t e = 0; e < count; ++e) {
      out[e] = x[e] + bias[(e / layout.post) % layout.channels];
    }
    return;
  }
  // Walk x's multi-index (axes 1..) and add the bias at its strided offset.
  const int rank = static_cast<int>(layout.x_dims.size());
  std::vector<int64_t> idx(rank, 0);
  for (int64_t e = 0; e < count; ++e) {
    int64_t b = 0;
    for (int i = 1; i < rank; ++i) b += idx[i] * layout.bias_strides[i];
    out[e] = x[e] + bias[b];
    for (int i = rank - 1; i >= 0; --i) {
      if (++idx[i] < layout.x_dims[i]) break;
      idx[i] = 0;
    }
  }
}

absl::Status BiasAddKernel(const KernelContext& ctx,
                           absl::Span<const Tensor> in, Tensor& out) {
  const BiasAddLayout layout =
      BiasAddLayoutFor(ctx.attrs, in[0].shape(), in[1].shape());
  DispatchFloat(out.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    BiasAdd(layout, in[0].data<T>(), in[1].data<T>(), out.data<T>(),
            out.num_elements());
  });
  return absl::OkStatus();
}

// ---- backward ops: the forward loops with each product's contribution
// sent back to the input it came from, accumulated in double. ----

template <typename T>
void Conv2DBackprop(const Conv2DGeometry& g, const T* grad, const T* x,
                    const T* kernel, std::vector<double>* dx,
                    std::vector<double>* dkernel) {
  for (int64_t n = 0; n < g.batch; ++n) {
    for (int64_t oh = 0; oh < g.out_h; ++oh) {
      for (int64_t ow = 0; ow < g.out_w; ++ow) {
        for (int64_t o = 0; o < g.out_channels; ++o) {
          const double dy =
              static_cast<double>(grad[g.OutputIndex(n, oh, ow, o)]);
          for (int64_t i = 0; i < g.k_h; ++i) {
            const int64_t h = oh * g.stride_h - g.pad_top + i * g.dilation_h;
            if (!Inside(h, g.in_h)) continue;
            for (int64_t j = 0; j < g.k_w; ++j) {
              const int64_t w = ow * g.stride_w - g.pad_left + j * g.dilation_w;
              if (!Inside(w, g.in_w)) continue;
              for (int64_t c = 0; c < g.channels; ++c) {
                const int64_t xi = g.InputIndex(n, h, w, c);
                const int64_t ki =
                    ((i * g.k_w + j) * g.channels + c) * g.out_channels + o;
                if (dx != nullptr)
                  (*dx)[xi] += dy * static_cast<double>(kernel[ki]);
                if (dkernel != nullptr)
                  (*dkernel)[ki] += dy * static_cast<double>(x[xi]);
              }
            }
          }
        }
      }
    }
  }
}

template <typename T>
void Store(const std::vector<double>& acc, T* out) {
  for (size_t i = 0; i < acc.size(); ++i) out[i] = static_cast<T>(acc[i]);
}

// conv2d_backprop_input(grad, kernel, x) and conv2d_backprop_filter(grad, x,
// kernel): `filter` picks which.
KernelFn Conv2DBackpropKernel(bool filter) {
  return [filter](const KernelContext& ctx, absl::Span<const Tensor> in,
                  Tensor& out) -> absl::Status {
    const Tensor& grad = in[0];
    const Tensor& x = filter ? in[1] : in[2];
    const Tensor& kernel = filter ? in[2] : in[1];
    const Conv2DGeometry g = ConvGeometry(ctx.attrs, x.shape(), kernel.shape());
    std::vector<double> acc(static_cast<size_t>(out.num_elements()), 0.0);
    DispatchFloat(out.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      // The input whose shape is all that is used may be any tensor of it.
      Conv2DBackprop(g, grad.data<T>(), filter ? x.data<T>() : nullptr,
                     filter ? nullptr : kernel.data<T>(),
                     filter ? nullptr : &acc, filter ? &acc : nullptr);
      Store(acc, out.data<T>());
    });
    return absl::OkStatus();
  };
}

template <typename T>
void Pool2DGrad(const Conv2DGeometry& g, bool max, const T* grad, const T* x,
                std::vector<double>& dx) {
  for (int64_t n = 0; n < g.batch; ++n) {
    for (int64_t oh = 0; oh < g.out_h; ++oh) {
      for (int64_t ow = 0; ow < g.out_w; ++ow) {
        for (int64_t c = 0; c < g.channels; ++c) {
          const double dy =
              static_cast<double>(grad[g.OutputIndex(n, oh, ow, c)]);
          std::vector<int64_t> cells;
          int64_t best_cell = -1;
          double best = 0;
          for (int64_t i = 0; i < g.k_h; ++i) {
            const int64_t h = oh * g.stride_h - g.pad_top + i;
            if (!Inside(h, g.in_h)) continue;
            for (int64_t j = 0; j < g.k_w; ++j) {
              const int64_t w = ow * g.stride_w - g.pad_left + j;
              if (!Inside(w, g.in_w)) continue;
              const int64_t cell = g.InputIndex(n, h, w, c);
              const double v = static_cast<double>(x[cell]);
              // The same first-max rule as the forward kernel.
              if (best_cell < 0 ||
                  (!std::isnan(best) && (std::isnan(v) || v > best))) {
                best = v;
                best_cell = cell;
              }
              cells.push_back(cell);
            }
          }
          if (max) {
            dx[best_cell] += dy;
          } else {
            for (int64_t cell : cells)
              dx[cell] += dy / static_cast<double>(cells.size());
          }
        }
      }
    }
  }
}

absl::Status Pool2DGradKernel(const KernelContext& ctx,
                              absl::Span<const Tensor> in, Tensor& out) {
  const Conv2DGeometry g = PoolGeometry(ctx.attrs, in[1].shape());
  const bool max = std::get<std::string>(ctx.attrs.at("pool_mode")) == "max";
  std::vector<double> acc(static_cast<size_t>(out.num_elements()), 0.0);
  DispatchFloat(out.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    Pool2DGrad(g, max, in[0].data<T>(), in[1].data<T>(), acc);
    Store(acc, out.data<T>());
  });
  return absl::OkStatus();
}

}  // namespace

void AddReferenceConvKernels(Backend& backend) {
  backend.AddKernel("conv2d", Conv2DKernel);
  backend.AddKernel("pool2d", Pool2DKernel);
  backend.AddKernel("bias_add", BiasAddKernel);
  backend.AddKernel("conv2d_backprop_input", Conv2DBackpropKernel(false));
  backend.AddKernel("conv2d_backprop_filter", Conv2DBackpropKernel(true));
  backend.AddKernel("pool2d_grad", Pool2DGradKernel);
}

}  // namespace remotek
