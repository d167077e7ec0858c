// Transposed 2-D convolution (Keras Conv2DTranspose), NCHW, weight [C_in, C_out, KH, KW] (PyTorch
// ConvTranspose2d layout): defined as the exact adjoint (input gradient) of the conv2d with the same kernel,
// stride and TF padding whose input is this op's output. GPU recording and the CPU reference.
//
// Output size: 'same' H_out = H * stride; 'valid' H_out = H * stride + max(KH - stride, 0) (Keras).
// PyTorch equivalence (worked out from the index maps, checked against torch 1.13): TF 'same' pads
// pad_total = max(KH - stride, 0) with pad_top = floor(pad_total / 2), the odd one at the END, so
//   y_tf[i] = y_torch(padding = pad_top, output_padding = max(stride - K, 0))[i] for i < H * stride
// (torch's output is one longer when pad_total is odd: crop its end).
// For K = 3, s = 2 (pad_total 1, pad_top 0): y_tf = torch ConvTranspose2d(padding=0) cropped to its first
// 2H rows/cols, which is torch ConvTranspose2d(padding=1, output_padding=1) SHIFTED by one pixel:
//   y_tf[i] = y_torch(p=1, op=1)[i - 1] for i >= 1 (per axis); y_tf's first row/col holds terms torch
//   drops, torch's last row/col holds terms TF drops. For odd K with s = 1, or K = 4 with s = 2, pad_total is
//   even and TF equals torch(padding = pad_top, output_padding = 0) exactly.
#pragma once
#include "nn/ops/conv2d.hpp"

namespace vkae::nn {

struct ConvTranspose2dShape {
  uint32_t N = 0, C_in = 0, H = 0, W = 0;  // x [N, C_in, H, W]
  uint32_t C_out = 0, KH = 0, KW = 0;      // w [C_in, C_out, KH, KW], b [C_out]
  uint32_t stride = 2;
  Padding padding = Padding::Same;

  uint32_t H_out() const noexcept;  // y [N, C_out, H_out, W_out]
  uint32_t W_out() const noexcept;
  // The conv2d this op is the adjoint of: its x is our y, its y is our x, its weight is ours.
  Conv2dShape as_conv() const noexcept;
  uint64_t x_count() const noexcept { return uint64_t{N} * C_in * H * W; }
  uint64_t w_count() const noexcept { return uint64_t{C_in} * C_out * KH * KW; }
  uint64_t y_count() const noexcept { return uint64_t{N} * C_out * H_out() * W_out(); }
  std::string str() const;
  void validate(std::string_view op) const;  // throws InputError naming `op` and the shapes
};

extern const rt::PipelineDesc kConvTranspose2dForward;        // y, x, w, b
extern const rt::PipelineDesc kConvTranspose2dBackwardInput;  // dx, dy, w

// y [N, C_out, H_out, W_out] = f(conv_transpose(x [N, C_in, H, W], w [C_in, C_out, KH, KW]) + b)
// (overwritten), f the fused activation (identity unless given).
void record_conv_transpose2d_forward(rt::Recorder& rec, rt::BufferView y, rt::BufferView x, rt::BufferView w,
                                     rt::BufferView b, const ConvTranspose2dShape& s, FusedActivation f = {});
// dx [N, C_in, H, W], dw [C_in, C_out, KH, KW], db [C_out] from dy [N, C_out, H_out, W_out], overwritten or
// accumulated per `grad`; an empty dx view skips the input gradient.
void record_conv_transpose2d_backward(rt::Recorder& rec, rt::BufferView dx, rt::BufferView dw,
                                      rt::BufferView db, rt::BufferView dy, rt::BufferView x,
                                      rt::BufferView w, const ConvTranspose2dShape& s,
                                      Grad grad = Grad::Overwrite);

template <typename T>
void conv_transpose2d_forward_ref(std::span<T> y, std::span<const T> x, std::span<const T> w,
                                  std::span<const T> b, const ConvTranspose2dShape& s);
// Overwrites dx (skipped when empty), dw and db.
template <typename T>
void conv_transpose2d_backward_ref(std::span<T> dx, std::span<T> dw, std::span<T> db, std::span<const T> dy,
                                   std::span<const T> x, std::span<const T> w, const ConvTranspose2dShape& s);

}  // namespace vkae::nn
