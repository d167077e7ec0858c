// The mapping from a layer to its ops. Forward: op (+ bias) into z, then the activation into y. Backward:
// the activation's derivative into dz, then the op's backward into dx and the parameter gradients.
#include "nn/model/layers.hpp"

#include "nn/ops/activation.hpp"
#include "nn/ops/conv2d.hpp"
#include "nn/ops/conv_transpose2d.hpp"
#include "nn/ops/dense.hpp"
#include "nn/ops/maxpool2d.hpp"
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

DenseShape dense_shape(const LayerBuffers& l, uint32_t n) { return DenseShape{n, l.in.c, l.spec->units}; }

Maxpool2dShape pool_shape(const LayerBuffers& l, uint32_t n) {
  Maxpool2dShape s;
  s.n = n;
  s.c = l.in.c;
  s.h = l.in.h;
  s.w = l.in.w;
  s.padding = l.spec->padding == PaddingKind::Same ? PoolPadding::Same : PoolPadding::Valid;
  return s;
}

Upsample2dShape up_shape(const LayerBuffers& l, uint32_t n) { return Upsample2dShape{n, l.in.c, l.in.h, l.in.w}; }

}  // namespace

void record_layer_forward(rt::Recorder& rec, const LayerBuffers& l, const std::vector<Param>& params, uint32_t n,
                          bool apply_activation) {
  rec.begin_label(l.where.c_str());
  const auto w = [&] { return params[l.weight].value; };
  const auto b = [&] { return params[l.bias].value; };
  switch (l.spec->kind) {
    case LayerKind::Conv2d: record_conv2d_forward(rec, l.z, l.x, w(), b(), conv_shape(l, n)); break;
    case LayerKind::ConvTranspose2d:
      record_conv_transpose2d_forward(rec, l.z, l.x, w(), b(), conv_transpose_shape(l, n));
      break;
    case LayerKind::Dense: record_dense_forward(rec, l.z, l.x, w(), b(), dense_shape(l, n)); break;
    case LayerKind::MaxPool2d: record_maxpool2d_forward(rec, l.y, l.x, pool_shape(l, n)); break;
    case LayerKind::UpSample2d: record_upsample2d_forward(rec, l.y, l.x, up_shape(l, n)); break;
    case LayerKind::Flatten:
    case LayerKind::Reshape: break;  // the same floats, another shape
  }
  if (apply_activation && l.y.offset != l.z.offset)
    record_activation_forward(rec, l.y, l.z, uint64_t{n} * l.out.size(), l.spec->activation, l.spec->alpha);
  rec.end_label();
}

void record_layer_backward(rt::Recorder& rec, const LayerBuffers& l, const std::vector<Param>& params, uint32_t n,
                           bool through_activation) {
  if (l.alias) return;
  const bool has_params = l.weight >= 0;
  if (!has_params && l.dx.size == 0) return;  // e.g. a pooling layer in front of every parameter
  rec.begin_label((l.where + " backward").c_str());
  if (through_activation && l.y.offset != l.z.offset)
    record_activation_backward(rec, l.dz, l.dy, l.z, l.y, uint64_t{n} * l.out.size(), l.spec->activation,
                               l.spec->alpha);
  const auto dw = [&] { return params[l.weight].grad; };
  const auto db = [&] { return params[l.bias].grad; };
  const auto w = [&] { return params[l.weight].value; };
  switch (l.spec->kind) {
    case LayerKind::Conv2d: record_conv2d_backward(rec, l.dx, dw(), db(), l.dz, l.x, w(), conv_shape(l, n)); break;
    case LayerKind::ConvTranspose2d:
      record_conv_transpose2d_backward(rec, l.dx, dw(), db(), l.dz, l.x, w(), conv_transpose_shape(l, n));
      break;
    case LayerKind::Dense: record_dense_backward(rec, l.dx, dw(), db(), l.dz, l.x, w(), dense_shape(l, n)); break;
    case LayerKind::MaxPool2d: record_maxpool2d_backward(rec, l.dx, l.dy, l.x, pool_shape(l, n)); break;
    case LayerKind::UpSample2d: record_upsample2d_backward(rec, l.dx, l.dy, up_shape(l, n)); break;
    case LayerKind::Flatten:
    case LayerKind::Reshape: break;
  }
  rec.end_label();
}

}  // namespace vkae::nn
