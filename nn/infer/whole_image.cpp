// Whole images through a convolutional model: its geometry (pooling factor, receptive radius), the tiles of
// an image, and the passes — one Model at the tile's size, the checkpoint's weights, one forward per tile.
#include "nn/infer/whole_image.hpp"

#include <algorithm>
#include <cmath>

#include "base/error.hpp"
#include "nn/model/model.hpp"

namespace vkae::nn {
namespace {

// The model re-made for an input of h x w (a super-resolution model's fit_to_data takes its output size).
ModelSpec spec_at(const ModelSpec& spec, uint32_t scale, uint32_t h, uint32_t w) {
  return fit_to_data(spec, Shape3{spec.input.c, h * scale, w * scale});
}

bool takes_size(const ModelSpec& spec, uint32_t scale, uint32_t h, uint32_t w) {
  try {
    const ModelSpec fitted = spec_at(spec, scale, h, w);
    return fitted.output() == Shape3{spec.input.c, h * scale, w * scale};
  } catch (const InputError&) {
    return false;
  }
}

// Input pixels of context a layer stack needs on each side: a k-wide conv at a layer whose pixels span
// `span` input pixels adds (k / 2) * span, a 2x2 pooling adds one such pixel; pooling doubles the span,
// upsampling and strided transposed convs divide it.
double receptive_radius(const ModelSpec& spec) {
  double radius = 0, span = 1;
  const auto visit = [&](const LayerSpec& l) {
    switch (l.kind) {
      case LayerKind::Conv2d:
        radius += (l.kernel / 2) * span;
        span *= l.stride;
        break;
      case LayerKind::ConvTranspose2d:
        radius += (l.kernel / 2) * span;
        span /= l.stride;
        break;
      case LayerKind::MaxPool2d:
        radius += span;
        span *= 2;
        break;
      case LayerKind::UpSample2d:
        span /= 2;
        break;
      default:
        break;
    }
  };
  for (const auto& l : spec.encoder) visit(l);
  for (const auto& l : spec.decoder) visit(l);
  return radius;
}

uint64_t largest_layer_bytes(const ModelSpec& spec) {
  Shape3 shape = spec.input;
  uint64_t largest = shape.size();
  for (const auto* layers : {&spec.encoder, &spec.decoder})
    for (const auto& l : *layers) {
      shape = layer_output_shape(l, shape, layer_kind_name(l.kind));
      largest = std::max(largest, shape.size());
    }
  return largest * sizeof(float);
}

}  // namespace

std::optional<WholeImageGeometry> whole_image_geometry(const ModelSpec& spec) {
  WholeImageGeometry g;
  for (const auto* layers : {&spec.encoder, &spec.decoder})
    for (const auto& l : *layers) {
      if (l.kind == LayerKind::MaxPool2d) g.factor *= 2;
      if (l.kind == LayerKind::Conv2d) g.factor *= l.stride;
      const bool spatial = l.kind == LayerKind::Conv2d || l.kind == LayerKind::ConvTranspose2d ||
                           l.kind == LayerKind::MaxPool2d || l.kind == LayerKind::UpSample2d;
      if (!spatial || l.padding == PaddingKind::Valid) return std::nullopt;
    }
  g.scale = spec.super_resolution ? 2 : 1;
  const uint32_t f = g.factor;
  if (!takes_size(spec, g.scale, 8 * f, 8 * f) || !takes_size(spec, g.scale, 9 * f, 11 * f))
    return std::nullopt;
  const auto r = static_cast<uint32_t>(std::ceil(receptive_radius(spec)));
  g.margin = (r + f - 1) / f * f;
  g.bytes_per_pixel = largest_layer_bytes(spec_at(spec, g.scale, 8 * f, 8 * f)) / (64ull * f * f);
  return g;
}

std::vector<TileSpan> tile_axis(uint32_t length, uint32_t tile, uint32_t margin, uint32_t factor) {
  if (tile >= length) return {{0, 0, length}};
  if (tile % factor || tile < 2 * margin + factor)
    throw InputError("tile of " + std::to_string(tile) + " pixels: expected a multiple of " +
                     std::to_string(factor) + " above " + std::to_string(2 * margin + factor) +
                     " (twice the model's margin of " + std::to_string(margin) + " plus " +
                     std::to_string(factor) + ")");
  const uint32_t core = tile - 2 * margin;
  std::vector<TileSpan> spans;
  for (uint32_t start = 0; start < length; start += core) {
    const uint32_t begin = std::clamp<int64_t>(int64_t{start} - margin, 0, length - tile);
    spans.push_back({begin, start, std::min(start + core, length)});
  }
  return spans;
}

namespace {

// The image edge-padded (last row and column repeated) to h x w.
Image pad_edges(const Image& in, uint32_t h, uint32_t w) {
  if (in.height == h && in.width == w) return in;
  Image out{w, h, in.channels, std::vector<uint8_t>(size_t{w} * h * in.channels)};
  for (uint32_t y = 0; y < h; ++y)
    for (uint32_t x = 0; x < w; ++x)
      for (uint32_t c = 0; c < in.channels; ++c)
        out.pixels[(size_t{y} * w + x) * in.channels + c] =
            in.pixels[(size_t{std::min(y, in.height - 1)} * in.width + std::min(x, in.width - 1)) *
                          in.channels +
                      c];
  return out;
}

uint32_t auto_tile(const rt::Context& ctx, const WholeImageGeometry& g) {
  const uint64_t limit = std::min<uint64_t>(ctx.device().limits().maxStorageBufferRange, uint64_t{64} << 20);
  const auto side =
      static_cast<uint32_t>(std::sqrt(double(limit / std::max<uint64_t>(g.bytes_per_pixel, 1))));
  return std::max(side / g.factor * g.factor, 2 * g.margin + g.factor);
}

uint32_t padded(uint32_t n, uint32_t f) {
  return (n + f - 1) / f * f;
}

// One model at the tile's size, fed each tile's window; the cores written into `out` [H*s, W*s, C].
struct TilePasses {
  rt::Context& ctx;
  Model model;
  uint32_t tile_h, tile_w, scale;

  void run(const Image& image, const TileSpan& ys, const TileSpan& xs, Image& out) {
    const uint32_t c = image.channels;
    std::vector<float> x(size_t{c} * tile_h * tile_w);
    for (uint32_t k = 0; k < c; ++k)
      for (uint32_t y = 0; y < tile_h; ++y)
        for (uint32_t i = 0; i < tile_w; ++i)
          x[(size_t{k} * tile_h + y) * tile_w + i] =
              image.pixels[((size_t{ys.begin} + y) * image.width + xs.begin + i) * c + k] / 255.0f;
    ctx.write(model.input(), x.data(), x.size() * sizeof(float));
    ctx.run_now([&](rt::Recorder& rec) { model.record_forward(rec, 1, /*predict=*/true); });
    const uint32_t oh = tile_h * scale, ow = tile_w * scale;
    std::vector<float> y(size_t{out.channels} * oh * ow);
    ctx.read(model.output(), y.data(), y.size() * sizeof(float));
    for (uint32_t k = 0; k < out.channels; ++k)
      for (uint32_t oy = ys.core_begin * scale; oy < ys.core_end * scale; ++oy)
        for (uint32_t ox = xs.core_begin * scale; ox < xs.core_end * scale; ++ox) {
          const float v = y[(size_t{k} * oh + oy - ys.begin * scale) * ow + ox - xs.begin * scale];
          out.pixels[(size_t{oy} * out.width + ox) * out.channels + k] =
              static_cast<uint8_t>(std::lround(std::clamp(v, 0.0f, 1.0f) * 255.0f));
        }
  }
};

}  // namespace

WholeImageRun run_whole_image(rt::Context& ctx, const LoadedCheckpoint& ckpt, const WholeImageGeometry& g,
                              const Image& input, uint32_t tile) {
  const ModelSpec& spec = ckpt.spec;
  if (input.channels != spec.input.c)
    throw InputError("whole-image pass: the image has " + std::to_string(input.channels) +
                     " channels, the model " + std::to_string(spec.input.c));
  const Image image = pad_edges(input, padded(input.height, g.factor), padded(input.width, g.factor));
  const uint32_t side = tile ? tile : auto_tile(ctx, g);
  const uint32_t th = std::min(side, image.height), tw = std::min(side, image.width);
  const auto rows = tile_axis(image.height, th, g.margin, g.factor);
  const auto cols = tile_axis(image.width, tw, g.margin, g.factor);
  TilePasses passes{ctx, Model(ctx, spec_at(spec, g.scale, th, tw), 1), th, tw, g.scale};
  load_into(ctx, ckpt, passes.model, nullptr);
  Image out{image.width * g.scale, image.height * g.scale, spec.output().c, {}};
  out.pixels.resize(size_t{out.width} * out.height * out.channels);
  for (const auto& ys : rows)
    for (const auto& xs : cols) passes.run(image, ys, xs, out);
  WholeImageRun run{crop_image(out, 0, 0, input.width * g.scale, input.height * g.scale), th, tw,
                    static_cast<uint32_t>(rows.size() * cols.size())};
  return run;
}

}  // namespace vkae::nn
