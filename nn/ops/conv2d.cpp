// conv2d: TF padding rules, the kernel choice and recording with shape checks, and the CPU reference (the
// pipeline descriptions are in conv2d_pipelines.cpp).
// The shaders' blocking (outputs per invocation) comes from shaders/conv_blocks.h, which they include too.
#include "nn/ops/conv2d.hpp"

#include <algorithm>
#include <vector>

#include "nn/ops/conv2d_pack.hpp"
#include "runtime/context.hpp"
#include "runtime/device.hpp"
#include "shaders/conv_blocks.h"

namespace vkae::nn {

using rt::Access;

namespace {
// The shaders' own constants (conv_blocks.h): each invocation of the gather kernels computes kCoBlock output
// channels x kPixBlock output pixels; a workgroup (rt::Workgroups::conv invocations on this device,
// VKAE_CONV_LOCAL by default: every size is taken from the pipeline) reduces one weight block of the
// gradient.
constexpr uint32_t kCoBlock = VKAE_CONV_CHANNEL_BLOCK;
constexpr uint32_t kPixBlock = VKAE_CONV_PIXEL_BLOCK;
constexpr uint32_t kRowBlock = VKAE_CONV_ROW_BLOCK;        // conv2d_forward_rows.comp: kRB
constexpr uint32_t kWidePixBlock = VKAE_CONV_WIDE_PIXELS;  // conv2d_forward_wide.comp: GATHER_PIXELS
constexpr uint32_t kWideRows = VKAE_CONV_WIDE_ROWS;        // and GATHER_ROWS
constexpr uint32_t kWeightBlock = VKAE_CONV_WEIGHT_BLOCK;  // dw: kWeightBlock out x kWeightBlock in channels
constexpr uint32_t kWeight3x3VBlock = VKAE_CONV_WGRAD3X3_V_BLOCK;  // conv2d_backward_weight_3x3: kA
constexpr uint32_t kWeight3x3UBlock = VKAE_CONV_WGRAD3X3_U_BLOCK;  // and kB
// llvmpipe ends a shader invocation after 65535 loop trips (all loops together) without an error; kernels
// that loop long check their count against this.
constexpr uint64_t kLoopBudget = 60000;

uint32_t div_up(uint32_t a, uint32_t b) {
  return (a + b - 1) / b;
}

uint32_t same_pad_before(uint32_t in, uint32_t out, uint32_t k, uint32_t stride) {
  const int64_t total = std::max<int64_t>(int64_t{out - 1} * stride + k - in, 0);
  return static_cast<uint32_t>(total / 2);
}
}  // namespace

const char* padding_name(Padding p) noexcept {
  return p == Padding::Same ? "same" : "valid";
}

uint32_t Conv2dShape::H_out() const noexcept {
  if (stride == 0) return 0;
  if (padding == Padding::Same) return div_up(H, stride);
  return H >= KH ? (H - KH) / stride + 1 : 0;
}
uint32_t Conv2dShape::W_out() const noexcept {
  if (stride == 0) return 0;
  if (padding == Padding::Same) return div_up(W, stride);
  return W >= KW ? (W - KW) / stride + 1 : 0;
}
uint32_t Conv2dShape::pad_top() const noexcept {
  return padding == Padding::Same && H_out() > 0 ? same_pad_before(H, H_out(), KH, stride) : 0;
}
uint32_t Conv2dShape::pad_left() const noexcept {
  return padding == Padding::Same && W_out() > 0 ? same_pad_before(W, W_out(), KW, stride) : 0;
}

std::string Conv2dShape::str() const {
  return "x " + shape_string({N, C_in, H, W}) + ", w " + shape_string({C_out, C_in, KH, KW}) + ", stride " +
         std::to_string(stride) + ", " + padding_name(padding) + " -> y " +
         shape_string({N, C_out, H_out(), W_out()});
}

void Conv2dShape::validate(std::string_view op) const {
  const bool empty =
      N == 0 || C_in == 0 || H == 0 || W == 0 || C_out == 0 || KH == 0 || KW == 0 || stride == 0;
  if (empty)
    throw InputError(std::string(op) + ": every dimension and the stride must be >= 1, got " + str());
  if (H_out() == 0 || W_out() == 0)
    throw InputError(std::string(op) + ": 'valid' kernel " + std::to_string(KH) + "x" + std::to_string(KW) +
                     " is larger than the input, got " + str());
}

rt::Groups gather_groups(const Conv2dShape& s, uint32_t local, uint32_t pixels, uint32_t rows) {
  // conv_gather.glsl: `pixels` consecutive output pixels of `rows` rows per invocation.
  const uint64_t invocations = uint64_t{s.N} * div_up(s.H_out(), rows) * div_up(s.W_out(), pixels);
  return {rt::groups_for(invocations, local), div_up(s.C_out, kCoBlock), 1};
}

rt::Groups transposed_gather_groups(const Conv2dShape& s, uint32_t local, uint32_t columns) {
  // conv_transposed_gather.glsl: one z per residue class (row, column) mod stride; `columns` columns of one
  // class per invocation.
  const uint64_t invocations = uint64_t{s.N} * div_up(s.H, s.stride) * div_up(div_up(s.W, s.stride), columns);
  return {rt::groups_for(invocations, local), div_up(s.C_in, kCoBlock), s.stride * s.stride};
}

ConvPush make_conv_push(const Conv2dShape& s, Grad grad) noexcept {
  return ConvPush{s.N,
                  s.C_in,
                  s.H,
                  s.W,
                  s.C_out,
                  s.KH,
                  s.KW,
                  s.stride,
                  s.H_out(),
                  s.W_out(),
                  s.pad_top(),
                  s.pad_left(),
                  static_cast<uint32_t>(grad),
                  0,
                  0,
                  0,
                  0.0f,
                  0};
}

namespace {

// Which kernel the forward takes: the 1-channel ones read w as it is, the gather ones a packed copy.
bool forward_takes_rows(const Conv2dShape& s) {
  return s.C_out == 1 && s.is_3x3_stride1();
}
bool forward_takes_1ch(const Conv2dShape& s) {
  return s.C_in == 1 && s.C_out > 1 && s.is_3x3_stride1();
}
bool input_grad_takes_1ch(const Conv2dShape& s) {
  return s.C_out == 1 && s.is_3x3_stride1();
}

}  // namespace

bool uniform_block_fits(uint64_t bytes, const VkPhysicalDeviceLimits& limits) noexcept {
  return bytes <= uint64_t{VKAE_CONV_UNIFORM_VEC4S} * 16 && bytes <= limits.maxUniformBufferRange;
}

uint64_t conv2d_scratch_floats(const Conv2dShape& s) noexcept {
  const uint64_t forward =
      forward_takes_rows(s) || forward_takes_1ch(s) ? 0 : conv2d_packed_floats(s, WeightPacking::Forward);
  const uint64_t input = input_grad_takes_1ch(s) ? 0 : conv2d_packed_floats(s, WeightPacking::InputGrad);
  return std::max(forward, input);
}

void record_conv2d_forward(rt::Recorder& rec, rt::BufferView y, rt::BufferView x, rt::BufferView w,
                           rt::BufferView b, rt::BufferView scratch, const Conv2dShape& s,
                           FusedActivation f) {
  s.validate("conv2d_forward");
  const std::string shape = s.str();
  check_floats("conv2d_forward", "y", y, s.y_count(), shape);
  check_floats("conv2d_forward", "x", x, s.x_count(), shape);
  check_floats("conv2d_forward", "w", w, s.w_count(), shape);
  check_floats("conv2d_forward", "b", b, s.C_out, shape);
  ConvPush push = make_conv_push(s, Grad::Overwrite);
  push.act = static_cast<uint32_t>(f.kind);
  push.alpha = f.alpha;
  if (forward_takes_rows(s)) {
    // conv2d_forward_rows.comp: kRowBlock output rows x kPixBlock pixels per invocation.
    const uint64_t invocations = uint64_t{s.N} * div_up(s.H_out(), kRowBlock) * div_up(s.W_out(), kPixBlock);
    const rt::Pipeline& rows = rec.pipeline(kConv2dForwardRows);
    rec.dispatch(rows, {y, x, w, b}, push, {rt::groups_for(invocations, rows.local().x)});
    return;
  }
  if (forward_takes_1ch(s)) {
    // conv2d_forward_1ch.comp: kPixBlock output pixels of one row, all channels, per invocation.
    const uint64_t invocations = uint64_t{s.N} * s.H_out() * div_up(s.W_out(), kPixBlock);
    const bool uniform = uniform_block_fits(s.w_count() * sizeof(float), rec.context().device().limits());
    const rt::Pipeline& one_ch = rec.pipeline(uniform ? kConv2dForward1chUniform : kConv2dForward1ch);
    rec.dispatch(one_ch, {y, x, w, b}, push, {rt::groups_for(invocations, one_ch.local().x)});
    return;
  }
  const rt::BufferView packed =
      record_conv2d_pack_weights(rec, "conv2d_forward", scratch, w, s, WeightPacking::Forward);
  const bool wide = s.C_in >= 8;
  const bool uniform = conv2d_uniform_weights(s, WeightPacking::Forward, rec.context().device().limits());
  const rt::Pipeline& gather = rec.pipeline(wide ? (uniform ? kConv2dForwardWideUniform : kConv2dForwardWide)
                                                 : (uniform ? kConv2dForwardUniform : kConv2dForward));
  rec.dispatch(gather, {y, x, packed, b}, push,
               gather_groups(s, gather.local().x, wide ? kWidePixBlock : kPixBlock, wide ? kWideRows : 1));
}

void record_conv2d_backward_input(rt::Recorder& rec, rt::BufferView dx, rt::BufferView dy, rt::BufferView w,
                                  rt::BufferView scratch, const Conv2dShape& s, Grad grad) {
  s.validate("conv2d_backward_input");
  const std::string shape = s.str();
  check_floats("conv2d_backward_input", "dx", dx, s.x_count(), shape);
  check_floats("conv2d_backward_input", "dy", dy, s.y_count(), shape);
  check_floats("conv2d_backward_input", "w", w, s.w_count(), shape);
  if (input_grad_takes_1ch(s)) {
    // conv2d_backward_input_1ch.comp: kPixBlock input pixels of one row, all channels, per invocation.
    const uint64_t invocations = uint64_t{s.N} * s.H * div_up(s.W, kPixBlock);
    const bool uniform = uniform_block_fits(s.w_count() * sizeof(float), rec.context().device().limits());
    const rt::Pipeline& one_ch =
        rec.pipeline(uniform ? kConv2dBackwardInput1chUniform : kConv2dBackwardInput1ch);
    rec.dispatch(one_ch, {dx, dy, w}, make_conv_push(s, grad),
                 {rt::groups_for(invocations, one_ch.local().x)});
    return;
  }
  const rt::BufferView packed =
      record_conv2d_pack_weights(rec, "conv2d_backward_input", scratch, w, s, WeightPacking::InputGrad);
  const bool uniform = conv2d_uniform_weights(s, WeightPacking::InputGrad, rec.context().device().limits());
  const rt::Pipeline& gather = rec.pipeline(uniform ? kConv2dBackwardInputUniform : kConv2dBackwardInput);
  rec.dispatch(gather, {dx, dy, packed}, make_conv_push(s, grad),
               transposed_gather_groups(s, gather.local().x));
}

void record_conv2d_backward_weight(rt::Recorder& rec, rt::BufferView dw, rt::BufferView dy, rt::BufferView x,
                                   const Conv2dShape& s, Grad grad) {
  s.validate("conv2d_backward_weight");
  const std::string shape = s.str();
  check_floats("conv2d_backward_weight", "dw", dw, s.w_count(), shape);
  check_floats("conv2d_backward_weight", "dy", dy, s.y_count(), shape);
  check_floats("conv2d_backward_weight", "x", x, s.x_count(), shape);
  // 3x3 stride 1 (every layer of the model): all 9 taps of a channel block per workgroup, sliding a window
  // along the rows; v is the tensor with more channels (read once per pixel), u is read through the window.
  if (s.is_3x3_stride1()) {
    // Whole vec4s (every tensor of the models): the kernel that reads them as vec4s, a quarter of the loads.
    const bool vec4 = dy.size % 16 == 0 && x.size % 16 == 0;
    const rt::Pipeline& wgrad = rec.pipeline(vec4 ? kConv2dBackwardWeight3x3Vec4 : kConv2dBackwardWeight3x3);
    const uint64_t local = wgrad.local().x;
    const bool flip = s.C_in > s.C_out;  // variant 1: v = x, u = dy
    const uint32_t Cv = flip ? s.C_in : s.C_out, Cu = flip ? s.C_out : s.C_in;
    const uint64_t Hv = flip ? s.H : s.H_out(), Wv = flip ? s.W : s.W_out();
    // Loop trips of one invocation (a loop of k iterations counts k + 1): per row, one for the row loop and
    // ceil(Wv / 4) + 1 for the column loop; at most 2 x (local + 1) + 3 for the final sums.
    const uint64_t trips_per_row = (Wv + 3) / 4 + 2, fixed_trips = 2 * (local + 1) + 3;
    const uint64_t rows_per_invocation =
        kLoopBudget > fixed_trips ? (kLoopBudget - fixed_trips) / trips_per_row : 0;
    const uint64_t images_per_dispatch = std::min<uint64_t>(rows_per_invocation * local / Hv, s.N);
    if (images_per_dispatch > 0) {
      ConvPush push = make_conv_push(s, grad);
      push.variant = flip ? 1 : 0;
      const rt::Groups groups{div_up(Cu, kWeight3x3UBlock), div_up(Cv, kWeight3x3VBlock), 1};
      for (uint32_t n = 0; n < s.N; n += static_cast<uint32_t>(images_per_dispatch)) {
        push.n_first = n;
        push.N = static_cast<uint32_t>(std::min<uint64_t>(images_per_dispatch, s.N - n));
        push.accumulate = n == 0 ? static_cast<uint32_t>(grad) : 1;  // later slices add to the first
        if (flip)
          rec.dispatch(wgrad, {dw, x, dy}, push, groups);
        else
          rec.dispatch(wgrad, {dw, dy, x}, push, groups);
      }
      return;
    }
  }
  // Any other kernel: per row of its share one row-loop trip and W_out + 1 column-loop trips at most, plus
  // the fixed-order reduction (7 trips of kWeightBlock^2 + 1). An image too large for one invocation's budget
  // on its own still goes one per dispatch (llvmpipe would end such invocations early).
  const uint64_t trips_per_row = uint64_t{s.W_out()} + 2,
                 fixed_trips = 7 * (kWeightBlock * kWeightBlock + 1) + 8;
  const uint64_t rows_per_invocation = (kLoopBudget - fixed_trips) / trips_per_row;
  const rt::Pipeline& wgrad = rec.pipeline(kConv2dBackwardWeight);
  const uint64_t images_per_dispatch =
      std::clamp<uint64_t>(rows_per_invocation * wgrad.local().x / std::max(s.H_out(), 1u), 1, s.N);
  ConvPush push = make_conv_push(s, grad);
  const rt::Groups groups{s.KH * s.KW, div_up(s.C_in, kWeightBlock), div_up(s.C_out, kWeightBlock)};
  for (uint32_t n = 0; n < s.N; n += static_cast<uint32_t>(images_per_dispatch)) {
    push.n_first = n;
    push.N = static_cast<uint32_t>(std::min<uint64_t>(images_per_dispatch, s.N - n));
    push.accumulate = n == 0 ? static_cast<uint32_t>(grad) : 1;
    rec.dispatch(wgrad, {dw, dy, x}, push, groups);
  }
}

void record_channel_sum(rt::Recorder& rec, rt::BufferView sum, rt::BufferView data, uint32_t N, uint32_t C,
                        uint32_t HW, Grad grad) {
  const std::string shape = shape_string({N, C, HW});
  check_floats("channel_sum", "sum", sum, C, shape);
  check_floats("channel_sum", "data", data, uint64_t{N} * C * HW, shape);
  rec.dispatch(rec.pipeline(kConv2dBackwardBias), {sum, data},
               ChannelSumPush{N, C, HW, static_cast<uint32_t>(grad)}, {C, 1, 1});
}

void record_conv2d_backward(rt::Recorder& rec, rt::BufferView dx, rt::BufferView dw, rt::BufferView db,
                            rt::BufferView dy, rt::BufferView x, rt::BufferView w, rt::BufferView scratch,
                            const Conv2dShape& s, Grad grad) {
  s.validate("conv2d_backward");
  const std::string shape = s.str();  // every tensor is checked before anything is recorded
  if (dx.size != 0) check_floats("conv2d_backward", "dx", dx, s.x_count(), shape);
  check_floats("conv2d_backward", "dw", dw, s.w_count(), shape);
  check_floats("conv2d_backward", "db", db, s.C_out, shape);
  check_floats("conv2d_backward", "dy", dy, s.y_count(), shape);
  check_floats("conv2d_backward", "x", x, s.x_count(), shape);
  check_floats("conv2d_backward", "w", w, s.w_count(), shape);
  if (dx.size != 0) record_conv2d_backward_input(rec, dx, dy, w, scratch, s, grad);
  record_conv2d_backward_weight(rec, dw, dy, x, s, grad);
  record_channel_sum(rec, db, dy, s.N, s.C_out, s.H_out() * s.W_out(), grad);
}

// ---- CPU reference: the definition, as loops (float storage, double accumulation) ----

template <typename T>
void conv2d_forward_ref(std::span<T> y, std::span<const T> x, std::span<const T> w, std::span<const T> b,
                        const Conv2dShape& s) {
  const int64_t Ho = s.H_out(), Wo = s.W_out(), pt = s.pad_top(), pl = s.pad_left();
  for (uint32_t n = 0; n < s.N; ++n)
    for (uint32_t co = 0; co < s.C_out; ++co)
      for (int64_t oh = 0; oh < Ho; ++oh)
        for (int64_t ow = 0; ow < Wo; ++ow) {
          double acc = b[co];
          for (uint32_t ci = 0; ci < s.C_in; ++ci)
            for (uint32_t kh = 0; kh < s.KH; ++kh)
              for (uint32_t kw = 0; kw < s.KW; ++kw) {
                const int64_t ih = oh * s.stride - pt + kh, iw = ow * s.stride - pl + kw;
                if (ih < 0 || ih >= s.H || iw < 0 || iw >= s.W) continue;  // zero padding
                acc += double(w[((size_t{co} * s.C_in + ci) * s.KH + kh) * s.KW + kw]) *
                       double(x[((size_t{n} * s.C_in + ci) * s.H + ih) * s.W + iw]);
              }
          y[((size_t{n} * s.C_out + co) * Ho + oh) * Wo + ow] = static_cast<T>(acc);
        }
}

// The same loops as the forward pass, each product's contribution sent back to both of its factors.
template <typename T>
void conv2d_backward_ref(std::span<T> dx, std::span<T> dw, std::span<T> db, std::span<const T> dy,
                         std::span<const T> x, std::span<const T> w, const Conv2dShape& s) {
  const int64_t Ho = s.H_out(), Wo = s.W_out(), pt = s.pad_top(), pl = s.pad_left();
  std::vector<double> dx_acc(dx.empty() ? 0 : s.x_count(), 0.0), dw_acc(s.w_count(), 0.0),
      db_acc(s.C_out, 0.0);
  for (uint32_t n = 0; n < s.N; ++n)
    for (uint32_t co = 0; co < s.C_out; ++co)
      for (int64_t oh = 0; oh < Ho; ++oh)
        for (int64_t ow = 0; ow < Wo; ++ow) {
          const double g = dy[((size_t{n} * s.C_out + co) * Ho + oh) * Wo + ow];
          db_acc[co] += g;
          for (uint32_t ci = 0; ci < s.C_in; ++ci)
            for (uint32_t kh = 0; kh < s.KH; ++kh)
              for (uint32_t kw = 0; kw < s.KW; ++kw) {
                const int64_t ih = oh * s.stride - pt + kh, iw = ow * s.stride - pl + kw;
                if (ih < 0 || ih >= s.H || iw < 0 || iw >= s.W) continue;
                const size_t wi = ((size_t{co} * s.C_in + ci) * s.KH + kh) * s.KW + kw;
                const size_t xi = ((size_t{n} * s.C_in + ci) * s.H + ih) * s.W + iw;
                dw_acc[wi] += g * double(x[xi]);
                if (!dx.empty()) dx_acc[xi] += g * double(w[wi]);
              }
        }
  for (size_t i = 0; i < dx_acc.size(); ++i) dx[i] = static_cast<T>(dx_acc[i]);
  for (size_t i = 0; i < dw_acc.size(); ++i) dw[i] = static_cast<T>(dw_acc[i]);
  for (size_t i = 0; i < db_acc.size(); ++i) db[i] = static_cast<T>(db_acc[i]);
}

template void conv2d_forward_ref<float>(std::span<float>, std::span<const float>, std::span<const float>,
                                        std::span<const float>, const Conv2dShape&);
template void conv2d_forward_ref<double>(std::span<double>, std::span<const double>, std::span<const double>,
                                         std::span<const double>, const Conv2dShape&);
template void conv2d_backward_ref<float>(std::span<float>, std::span<float>, std::span<float>,
                                         std::span<const float>, std::span<const float>,
                                         std::span<const float>, const Conv2dShape&);
template void conv2d_backward_ref<double>(std::span<double>, std::span<double>, std::span<double>,
                                          std::span<const double>, std::span<const double>,
                                          std::span<const double>, const Conv2dShape&);

}  // namespace vkae::nn
