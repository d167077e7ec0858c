// conv_transpose2d: output-size rules, recording (through the conv2d it is the adjoint of) and the CPU
// reference, written directly as the scatter y[.., i*s - pad + k] += w * x so it checks the adjoint claim.
#include "nn/ops/conv_transpose2d.hpp"

#include <algorithm>
#include <vector>

namespace vkae::nn {

using rt::Access;

const rt::PipelineDesc kConvTranspose2dForward{"conv_transpose2d_forward",
                                               {Access::Write, Access::Read, Access::Read, Access::Read},
                                               sizeof(ConvPush),
                                               {VKAE_CONV_LOCAL, 1, 1},
                                               rt::Family::Conv};
const rt::PipelineDesc kConvTranspose2dBackwardInput{"conv_transpose2d_backward_input",
                                                     {Access::ReadWrite, Access::Read, Access::Read},
                                                     sizeof(ConvPush),
                                                     {VKAE_CONV_LOCAL, 1, 1},
                                                     rt::Family::Conv};

namespace {
uint32_t out_size(uint32_t in, uint32_t k, uint32_t stride, Padding padding) {
  if (padding == Padding::Same) return in * stride;
  return in * stride + (k > stride ? k - stride : 0);  // Keras deconv_output_length, 'valid'
}
}  // namespace

uint32_t ConvTranspose2dShape::H_out() const noexcept {
  return out_size(H, KH, stride, padding);
}
uint32_t ConvTranspose2dShape::W_out() const noexcept {
  return out_size(W, KW, stride, padding);
}

Conv2dShape ConvTranspose2dShape::as_conv() const noexcept {
  return Conv2dShape{N, C_out, H_out(), W_out(), C_in, KH, KW, stride, padding};
}

std::string ConvTranspose2dShape::str() const {
  return "x " + shape_string({N, C_in, H, W}) + ", w " + shape_string({C_in, C_out, KH, KW}) + ", stride " +
         std::to_string(stride) + ", " + padding_name(padding) + " -> y " +
         shape_string({N, C_out, H_out(), W_out()});
}

void ConvTranspose2dShape::validate(std::string_view op) const {
  if (N == 0 || C_in == 0 || H == 0 || W == 0 || C_out == 0 || KH == 0 || KW == 0 || stride == 0)
    throw InputError(std::string(op) + ": every dimension and the stride must be >= 1, got " + str());
  const Conv2dShape c = as_conv();
  c.validate(op);
  if (c.H_out() != H || c.W_out() != W)  // holds by construction; a guard for future padding modes
    throw InputError(std::string(op) + ": no conv2d maps " + str() + " back");
}

void record_conv_transpose2d_forward(rt::Recorder& rec, rt::BufferView y, rt::BufferView x, rt::BufferView w,
                                     rt::BufferView b, const ConvTranspose2dShape& s, FusedActivation f) {
  s.validate("conv_transpose2d_forward");
  const std::string shape = s.str();
  check_floats("conv_transpose2d_forward", "y", y, s.y_count(), shape);
  check_floats("conv_transpose2d_forward", "x", x, s.x_count(), shape);
  check_floats("conv_transpose2d_forward", "w", w, s.w_count(), shape);
  check_floats("conv_transpose2d_forward", "b", b, s.C_out, shape);
  const Conv2dShape c = s.as_conv();
  ConvPush push = make_conv_push(c, Grad::Overwrite);
  push.act = static_cast<uint32_t>(f.kind);
  push.alpha = f.alpha;
  const rt::Pipeline& gather = rec.pipeline(kConvTranspose2dForward);
  rec.dispatch(gather, {y, x, w, b}, push, transposed_gather_groups(c, gather.local().x));
}

void record_conv_transpose2d_backward(rt::Recorder& rec, rt::BufferView dx, rt::BufferView dw,
                                      rt::BufferView db, rt::BufferView dy, rt::BufferView x,
                                      rt::BufferView w, const ConvTranspose2dShape& s, Grad grad) {
  s.validate("conv_transpose2d_backward");
  const std::string shape = s.str();
  if (dx.size != 0) check_floats("conv_transpose2d_backward", "dx", dx, s.x_count(), shape);
  check_floats("conv_transpose2d_backward", "dw", dw, s.w_count(), shape);
  check_floats("conv_transpose2d_backward", "db", db, s.C_out, shape);
  check_floats("conv_transpose2d_backward", "dy", dy, s.y_count(), shape);
  check_floats("conv_transpose2d_backward", "x", x, s.x_count(), shape);
  check_floats("conv_transpose2d_backward", "w", w, s.w_count(), shape);
  const Conv2dShape c = s.as_conv();
  // dx = conv2d forward of dy (no bias); dw = the conv2d weight gradient with its "dy" = our x and its
  // "x" = our dy; db = per-channel sum of dy.
  if (dx.size != 0) {
    const rt::Pipeline& gather = rec.pipeline(kConvTranspose2dBackwardInput);
    rec.dispatch(gather, {dx, dy, w}, make_conv_push(c, grad), gather_groups(c, gather.local().x));
  }
  record_conv2d_backward_weight(rec, dw, x, dy, c, grad);
  record_channel_sum(rec, db, dy, s.N, s.C_out, s.H_out() * s.W_out(), grad);
}

// ---- CPU reference: the scatter definition, as loops (float storage, double accumulation) ----

template <typename T>
void conv_transpose2d_forward_ref(std::span<T> y, std::span<const T> x, std::span<const T> w,
                                  std::span<const T> b, const ConvTranspose2dShape& s) {
  const int64_t Ho = s.H_out(), Wo = s.W_out(), pt = s.as_conv().pad_top(), pl = s.as_conv().pad_left();
  std::vector<double> acc(s.y_count());
  for (uint32_t n = 0; n < s.N; ++n)
    for (uint32_t co = 0; co < s.C_out; ++co)
      for (int64_t i = 0; i < Ho * Wo; ++i) acc[(size_t{n} * s.C_out + co) * Ho * Wo + i] = b[co];
  for (uint32_t n = 0; n < s.N; ++n)
    for (uint32_t ci = 0; ci < s.C_in; ++ci)
      for (int64_t h = 0; h < s.H; ++h)
        for (int64_t v = 0; v < s.W; ++v) {
          const double xv = x[((size_t{n} * s.C_in + ci) * s.H + h) * s.W + v];
          for (uint32_t co = 0; co < s.C_out; ++co)
            for (uint32_t kh = 0; kh < s.KH; ++kh)
              for (uint32_t kw = 0; kw < s.KW; ++kw) {
                const int64_t oh = h * s.stride - pt + kh, ow = v * s.stride - pl + kw;
                if (oh < 0 || oh >= Ho || ow < 0 || ow >= Wo) continue;  // cropped by the padding
                acc[((size_t{n} * s.C_out + co) * Ho + oh) * Wo + ow] +=
                    double(w[((size_t{ci} * s.C_out + co) * s.KH + kh) * s.KW + kw]) * xv;
              }
        }
  for (size_t i = 0; i < acc.size(); ++i) y[i] = static_cast<T>(acc[i]);
}

template <typename T>
void conv_transpose2d_backward_ref(std::span<T> dx, std::span<T> dw, std::span<T> db, std::span<const T> dy,
                                   std::span<const T> x, std::span<const T> w,
                                   const ConvTranspose2dShape& s) {
  const int64_t Ho = s.H_out(), Wo = s.W_out(), pt = s.as_conv().pad_top(), pl = s.as_conv().pad_left();
  std::vector<double> dw_acc(s.w_count(), 0.0), db_acc(s.C_out, 0.0);
  for (uint32_t n = 0; n < s.N; ++n)
    for (uint32_t co = 0; co < s.C_out; ++co)
      for (int64_t i = 0; i < Ho * Wo; ++i) db_acc[co] += dy[(size_t{n} * s.C_out + co) * Ho * Wo + i];
  for (uint32_t n = 0; n < s.N; ++n)
    for (uint32_t ci = 0; ci < s.C_in; ++ci)
      for (int64_t h = 0; h < s.H; ++h)
        for (int64_t v = 0; v < s.W; ++v) {
          const size_t xi = ((size_t{n} * s.C_in + ci) * s.H + h) * s.W + v;
          double dx_acc = 0;
          for (uint32_t co = 0; co < s.C_out; ++co)
            for (uint32_t kh = 0; kh < s.KH; ++kh)
              for (uint32_t kw = 0; kw < s.KW; ++kw) {
                const int64_t oh = h * s.stride - pt + kh, ow = v * s.stride - pl + kw;
                if (oh < 0 || oh >= Ho || ow < 0 || ow >= Wo) continue;
                const size_t wi = ((size_t{ci} * s.C_out + co) * s.KH + kh) * s.KW + kw;
                const double g = dy[((size_t{n} * s.C_out + co) * Ho + oh) * Wo + ow];
                dx_acc += g * double(w[wi]);
                dw_acc[wi] += g * double(x[xi]);
              }
          if (!dx.empty()) dx[xi] = static_cast<T>(dx_acc);
        }
  for (size_t i = 0; i < dw_acc.size(); ++i) dw[i] = static_cast<T>(dw_acc[i]);
  for (size_t i = 0; i < db_acc.size(); ++i) db[i] = static_cast<T>(db_acc[i]);
}

template void conv_transpose2d_forward_ref<float>(std::span<float>, std::span<const float>,
                                                  std::span<const float>, std::span<const float>,
                                                  const ConvTranspose2dShape&);
template void conv_transpose2d_forward_ref<double>(std::span<double>, std::span<const double>,
                                                   std::span<const double>, std::span<const double>,
                                                   const ConvTranspose2dShape&);
template void conv_transpose2d_backward_ref<float>(std::span<float>, std::span<float>, std::span<float>,
                                                   std::span<const float>, std::span<const float>,
                                                   std::span<const float>, const ConvTranspose2dShape&);
template void conv_transpose2d_backward_ref<double>(std::span<double>, std::span<double>, std::span<double>,
                                                    std::span<const double>, std::span<const double>,
                                                    std::span<const double>, const ConvTranspose2dShape&);

}  // namespace vkae::nn
