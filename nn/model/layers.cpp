// The mapping from a layer to its ops. Forward: op + bias + activation into y in one pass (or op + bias into
// z and the activation into y, where z must be kept). Backward: the activation's derivative (taken from y)
// into dz, then the op's backward into dx and the parameter gradients.
#include "nn/model/layers.hpp"

#include "nn/ops/activation.hpp"
#include "nn/ops/conv2d.hpp"
#include "nn/ops/conv_transpose2d.hpp"
#include "nn/ops/dense.hpp"
#include "nn/ops/loss.hpp"
#include "nn/ops/maxpool2d.hpp"
#include "nn/ops/reparameterize.hpp"
#include "nn/ops/upsample2d.hpp"

namespace vkae::nn {
namespace {

// Conv2dShape and ConvTranspose2dShape share these fields; only conv2d takes a padding from the spec
// (the transposed conv supports 'same' only, checked when the spec is parsed).
template <typename Shape>
Shape conv_fields(const LayerBuffers& l, uint32_t n) {
  Shape s;
  s.N = n;
  s.C_in = l.in.c;
  s.H = l.in.h;
  s.W = l.in.w;
  s.C_out = l.spec->units;
  s.KH = s.KW = l.spec->kernel;
  s.stride = l.spec->stride;
  return s;
}

Conv2dShape conv_shape(const LayerBuffers& l, uint32_t n) {
  Conv2dShape s = conv_fields<Conv2dShape>(l, n);
  s.padding = l.spec->padding == PaddingKind::Same ? Padding::Same : Padding::Valid;
  return s;
}

ConvTranspose2dShape conv_transpose_shape(const LayerBuffers& l, uint32_t n) {
  return conv_fields<ConvTranspose2dShape>(l, n);
}

DenseShape dense_shape(const LayerBuffers& l, uint32_t n) {
  return DenseShape{n, l.in.c, l.spec->units};
}

Maxpool2dShape pool_shape(const LayerBuffers& l, uint32_t n) {
  Maxpool2dShape s;
  s.n = n;
  s.c = l.in.c;
  s.h = l.in.h;
  s.w = l.in.w;
  s.padding = l.spec->padding == PaddingKind::Same ? PoolPadding::Same : PoolPadding::Valid;
  return s;
}

Upsample2dShape up_shape(const LayerBuffers& l, uint32_t n) {
  return Upsample2dShape{n, l.in.c, l.in.h, l.in.w};
}

FusedActivation activation_of(const LayerBuffers& l) {
  return {l.spec->activation, l.spec->alpha};
}

// The VAE's latent layer: mu and logvar heads, then z = mu + exp(logvar / 2) eps (training) or z = mu.
void record_sampling_forward(rt::Recorder& rec, const LayerBuffers& l, const std::vector<Param>& params,
                             const LayerPass& pass) {
  const DenseShape s = dense_shape(l, pass.n);
  record_dense_forward(rec, l.mu, l.x, params[l.weight].value, params[l.bias].value, s);
  record_dense_forward(rec, l.logvar, l.x, params[l.logvar_weight].value, params[l.logvar_bias].value, s);
  const uint64_t count = uint64_t{pass.n} * l.out.size();
  if (pass.predict)
    rec.copy(l.y.sub(0, count * sizeof(float)), l.mu.sub(0, count * sizeof(float)));
  else
    record_reparameterize_forward(rec, l.y, l.eps, l.mu, l.logvar, pass.rng_state, count,
                                  RngStream::Reparameterize, static_cast<uint32_t>(l.out.size()));
}

void record_sampling_backward(rt::Recorder& rec, const LayerBuffers& l, const std::vector<Param>& params,
                              uint32_t n, float kl_scale) {
  const DenseShape s = dense_shape(l, n);
  const uint64_t count = uint64_t{n} * l.out.size();
  record_reparameterize_backward(rec, l.dmu, l.dlogvar, l.dy, l.logvar, l.eps, count);
  record_kl_backward(rec, l.dmu, l.dlogvar, l.mu, l.logvar, count, kl_scale, Grad::Accumulate);
  record_dense_backward_params(rec, params[l.weight].grad, params[l.bias].grad, l.dmu, l.x, s);
  record_dense_backward_params(rec, params[l.logvar_weight].grad, params[l.logvar_bias].grad, l.dlogvar, l.x,
                               s);
  if (l.dx.size == 0) return;
  record_dense_backward_input(rec, l.dx, l.dmu, params[l.weight].value, s);
  record_dense_backward_input(rec, l.dx, l.dlogvar, params[l.logvar_weight].value, s, Grad::Accumulate);
}

}  // namespace

uint64_t layer_scratch_floats(const LayerBuffers& l) {
  return l.spec->kind == LayerKind::Conv2d ? conv2d_scratch_floats(conv_shape(l, 1)) : 0;
}

void record_layer_forward(rt::Recorder& rec, const LayerBuffers& l, const std::vector<Param>& params,
                          const LayerPass& pass) {
  const uint32_t n = pass.n;
  const bool fuse = l.activated && !pass.logits;
  const rt::BufferView out = fuse ? l.y : l.z;
  const FusedActivation f = fuse ? activation_of(l) : FusedActivation{};
  rec.begin_label(l.where.c_str());
  const auto w = [&] { return params[l.weight].value; };
  const auto b = [&] { return params[l.bias].value; };
  switch (l.spec->kind) {
    case LayerKind::Conv2d:
      record_conv2d_forward(rec, out, l.x, w(), b(), l.scratch, conv_shape(l, n), f);
      break;
    case LayerKind::ConvTranspose2d:
      record_conv_transpose2d_forward(rec, out, l.x, w(), b(), conv_transpose_shape(l, n), f);
      break;
    case LayerKind::Dense:
      record_dense_forward(rec, out, l.x, w(), b(), dense_shape(l, n), f);
      break;
    case LayerKind::MaxPool2d:
      record_maxpool2d_forward(rec, l.y, l.x, pool_shape(l, n));
      break;
    case LayerKind::UpSample2d:
      record_upsample2d_forward(rec, l.y, l.x, up_shape(l, n));
      break;
    case LayerKind::Sampling:
      record_sampling_forward(rec, l, params, pass);
      break;
    case LayerKind::Flatten:
    case LayerKind::Reshape:
      break;  // the same floats, another shape
  }
  if (l.activated && pass.logits && pass.predict)
    record_activation_forward(rec, l.y, l.z, uint64_t{n} * l.out.size(), l.spec->activation, l.spec->alpha);
  rec.end_label();
}

void record_layer_backward(rt::Recorder& rec, const LayerBuffers& l, const std::vector<Param>& params,
                           const BackwardPass& pass) {
  const uint32_t n = pass.n;
  if (l.alias) return;
  const bool has_params = l.weight >= 0;
  if (!has_params && l.dx.size == 0) return;  // e.g. a pooling layer in front of every parameter
  rec.begin_label((l.where + " backward").c_str());
  // f'(z) from y alone (see FusedActivation): z is not written when the activation was fused.
  if (pass.through_activation && l.activated)
    record_activation_backward(rec, l.dz, l.dy, l.y, l.y, uint64_t{n} * l.out.size(), l.spec->activation,
                               l.spec->alpha);
  const auto dw = [&] { return params[l.weight].grad; };
  const auto db = [&] { return params[l.bias].grad; };
  const auto w = [&] { return params[l.weight].value; };
  switch (l.spec->kind) {
    case LayerKind::Conv2d:
      record_conv2d_backward(rec, l.dx, dw(), db(), l.dz, l.x, w(), l.scratch, conv_shape(l, n));
      break;
    case LayerKind::ConvTranspose2d:
      record_conv_transpose2d_backward(rec, l.dx, dw(), db(), l.dz, l.x, w(), conv_transpose_shape(l, n));
      break;
    case LayerKind::Dense:
      record_dense_backward(rec, l.dx, dw(), db(), l.dz, l.x, w(), dense_shape(l, n));
      break;
    case LayerKind::MaxPool2d:
      if (const LayerBuffers* p = pass.producer)
        record_maxpool2d_backward(rec, p->dz, l.dy, l.x, pool_shape(l, n), Grad::Overwrite,
                                  activation_of(*p));
      else
        record_maxpool2d_backward(rec, l.dx, l.dy, l.x, pool_shape(l, n));
      break;
    case LayerKind::UpSample2d:
      if (const LayerBuffers* p = pass.producer)
        record_upsample2d_backward(rec, p->dz, l.dy, l.x, up_shape(l, n), activation_of(*p));
      else
        record_upsample2d_backward(rec, l.dx, l.dy, up_shape(l, n));
      break;
    case LayerKind::Sampling:
      record_sampling_backward(rec, l, params, n, pass.kl_scale);
      break;
    case LayerKind::Flatten:
    case LayerKind::Reshape:
      break;
  }
  rec.end_label();
}

}  // namespace vkae::nn
