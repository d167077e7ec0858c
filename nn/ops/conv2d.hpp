// 2-D convolution, NCHW, weight [C_out, C_in, KH, KW] (PyTorch layout), with TensorFlow/Keras 'same' or
// 'valid' padding: the shape rules, GPU forward/backward recording and the CPU reference. The gather and
// weight-gradient shaders are shared with conv_transpose2d (its adjoint); that op's file says how.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "nn/ops/activation.hpp"
#include "nn/ops/common.hpp"
#include "runtime/commands.hpp"
#include "shaders/conv_blocks.h"

namespace vkae::nn {

// 'same': H_out = ceil(H / stride), TensorFlow's rule puts the odd padding row/column at the bottom/right.
// 'valid': no padding, H_out = (H - KH) / stride + 1.
enum class Padding : uint32_t { Same = 0, Valid = 1 };

const char* padding_name(Padding p) noexcept;

struct Conv2dShape {
  uint32_t N = 0, C_in = 0, H = 0, W = 0;  // x [N, C_in, H, W]
  uint32_t C_out = 0, KH = 0, KW = 0;      // w [C_out, C_in, KH, KW], b [C_out]
  uint32_t stride = 1;                     // the same along H and W
  Padding padding = Padding::Same;

  uint32_t H_out() const noexcept;  // y [N, C_out, H_out, W_out]
  uint32_t W_out() const noexcept;
  // TF 'same': pad_total = max((H_out - 1) * stride + KH - H, 0), pad_top = pad_total / 2 (floor).
  uint32_t pad_top() const noexcept;
  uint32_t pad_left() const noexcept;
  uint64_t x_count() const noexcept { return uint64_t{N} * C_in * H * W; }
  uint64_t w_count() const noexcept { return uint64_t{C_out} * C_in * KH * KW; }
  // The shape the specialised kernels serve (every conv of the models): 3x3, stride 1, either padding.
  bool is_3x3_stride1() const noexcept { return KH == 3 && KW == 3 && stride == 1; }
  uint64_t y_count() const noexcept { return uint64_t{N} * C_out * H_out() * W_out(); }
  // "x [3, 5, 7, 9], w [4, 5, 3, 3], stride 2, same -> y [3, 4, 4, 5]" for messages.
  std::string str() const;
  // Throws InputError naming `op` and the shapes when a dimension is 0 or a 'valid' kernel exceeds the input.
  void validate(std::string_view op) const;
};

// Push constants of every conv shader (conv.glsl declares the same block).
struct ConvPush {
  uint32_t N, C_in, H, W;
  uint32_t C_out, KH, KW, stride;
  uint32_t H_out, W_out, pad_top, pad_left;
  uint32_t accumulate;  // Grad: 1 adds into the output
  uint32_t variant;     // shader-specific switch (conv2d_backward_weight_3x3.comp), else 0
  uint32_t n_first;     // first image of a dispatch's batch slice (same shader), else 0
  uint32_t act;         // forward shaders: the fused activation (nn::Activation), else 0
  float alpha;          // its leaky_relu slope
  uint32_t pad2;
};
static_assert(sizeof(ConvPush) == 72);
ConvPush make_conv_push(const Conv2dShape& s, Grad grad) noexcept;
// Workgroup counts of the two gather shaders for the conv2d `s` (conv_gather.glsl computes its y from x with
// `rows` x `pixels` output pixels per invocation, conv_transposed_gather.glsl its dx from dy with `columns`
// columns; `local` is the pipeline's width, Pipeline::local().x; other values than the defaults are for the
// dev/conv variants).
rt::Groups gather_groups(const Conv2dShape& s, uint32_t local, uint32_t pixels = VKAE_CONV_PIXEL_BLOCK,
                         uint32_t rows = 1);
rt::Groups transposed_gather_groups(const Conv2dShape& s, uint32_t local,
                                    uint32_t columns = VKAE_CONV_TRANSPOSED_PIXELS);

// Push constants of the per-channel sum (bias gradients): data [N, C, HW].
struct ChannelSumPush {
  uint32_t N, C, HW, accumulate;
};
static_assert(sizeof(ChannelSumPush) == 16);

extern const rt::PipelineDesc kConv2dForward;               // y, x, w, b
extern const rt::PipelineDesc kConv2dForwardRows;           // y, x, w, b: C_out = 1, 3x3, stride 1
extern const rt::PipelineDesc kConv2dForward1ch;            // y, x, w, b: C_in = 1, 3x3, stride 1
extern const rt::PipelineDesc kConv2dForwardWide;           // y, x, w, b: 8 pixels per invocation, C_in >= 8
extern const rt::PipelineDesc kConv2dForwardUniform;        // as kConv2dForward, w a uniform buffer
extern const rt::PipelineDesc kConv2dForwardWideUniform;    // as kConv2dForwardWide, w a uniform buffer
extern const rt::PipelineDesc kConv2dBackwardInput;         // dx, dy, w
extern const rt::PipelineDesc kConv2dBackwardInputUniform;  // as kConv2dBackwardInput, w a uniform buffer
extern const rt::PipelineDesc kConv2dBackwardInput1ch;      // dx, dy, w: C_out = 1, 3x3, stride 1
extern const rt::PipelineDesc kConv2dForward1chUniform;     // as kConv2dForward1ch, w and b uniform buffers
extern const rt::PipelineDesc
    kConv2dBackwardInput1chUniform;                          // as kConv2dBackwardInput1ch, w a uniform buffer
extern const rt::PipelineDesc kConv2dBackwardWeight;         // dw, dy, x
extern const rt::PipelineDesc kConv2dBackwardWeight3x3;      // dw, dy, x (or dw, x, dy: see the shader)
extern const rt::PipelineDesc kConv2dBackwardWeight3x3Vec4;  // the same, dy and x read as vec4s
extern const rt::PipelineDesc kConv2dBackwardBias;           // db, dy

// Whether `bytes` fit the kernels' uniform blocks (VKAE_CONV_UNIFORM_VEC4S vec4s) and the device's
// maxUniformBufferRange: where they do, the kernels with a uniform-buffer twin take it.
bool uniform_block_fits(uint64_t bytes, const VkPhysicalDeviceLimits& limits) noexcept;

// Floats of scratch the forward and the input gradient need for shape s: their gather kernels read the
// weights from a copy repacked into it (conv2d_pack_weights.comp: 8 channels of a tap as two vec4s), the
// 1-channel kernels need none. 0 when neither needs any (then scratch may be empty). One scratch serves both
// passes of a layer: each packs before it reads.
uint64_t conv2d_scratch_floats(const Conv2dShape& s) noexcept;
// y [N, C_out, H_out, W_out] = f(conv(x [N, C_in, H, W], w [C_out, C_in, KH, KW]) + b [C_out]) (overwritten),
// f the fused activation (identity unless given). scratch: conv2d_scratch_floats(s) floats, written.
void record_conv2d_forward(rt::Recorder& rec, rt::BufferView y, rt::BufferView x, rt::BufferView w,
                           rt::BufferView b, rt::BufferView scratch, const Conv2dShape& s,
                           FusedActivation f = {});
// dx [N, C_in, H, W], dw [C_out, C_in, KH, KW], db [C_out] from dy [N, C_out, H_out, W_out], overwritten or
// accumulated per `grad`. An empty dx view (size 0) skips the input gradient (a first layer needs none).
// scratch: as for the forward (written; unused without dx).
void record_conv2d_backward(rt::Recorder& rec, rt::BufferView dx, rt::BufferView dw, rt::BufferView db,
                            rt::BufferView dy, rt::BufferView x, rt::BufferView w, rt::BufferView scratch,
                            const Conv2dShape& s, Grad grad = Grad::Overwrite);

// The three backward passes on their own (record_conv2d_backward records all three; conv_transpose2d
// records them with the roles of x and dy exchanged).
void record_conv2d_backward_input(rt::Recorder& rec, rt::BufferView dx, rt::BufferView dy, rt::BufferView w,
                                  rt::BufferView scratch, const Conv2dShape& s, Grad grad = Grad::Overwrite);
void record_conv2d_backward_weight(rt::Recorder& rec, rt::BufferView dw, rt::BufferView dy, rt::BufferView x,
                                   const Conv2dShape& s, Grad grad = Grad::Overwrite);
// sum [C] (=|+=) Σ over n and pixels of data [N, C, HW], in a fixed order.
void record_channel_sum(rt::Recorder& rec, rt::BufferView sum, rt::BufferView data, uint32_t N, uint32_t C,
                        uint32_t HW, Grad grad = Grad::Overwrite);

template <typename T>
void conv2d_forward_ref(std::span<T> y, std::span<const T> x, std::span<const T> w, std::span<const T> b,
                        const Conv2dShape& s);
// Overwrites dx (skipped when empty), dw and db.
template <typename T>
void conv2d_backward_ref(std::span<T> dx, std::span<T> dw, std::span<T> db, std::span<const T> dy,
                         std::span<const T> x, std::span<const T> w, const Conv2dShape& s);

}  // namespace vkae::nn
