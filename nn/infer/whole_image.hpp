// Whole images through a convolutional checkpoint (`vkae denoise`, `vkae upscale`): the model re-made at the
// image's own size — its weights do not depend on H and W — with the image edge-padded to what the pooling
// needs and the output cropped back; tiled with overlap where one pass would pass the device's limits.
// Not for models with dense layers or fixed sizes (whole_image_geometry says which): those are resized.
#pragma once
#include <cstdint>
#include <optional>

#include "nn/io/image.hpp"
#include "nn/model/spec.hpp"
#include "nn/train/checkpoint.hpp"
#include "runtime/context.hpp"

namespace vkae::nn {

// How a fully convolutional model takes any size: H and W padded to multiples of `factor` (2^pooling
// layers); `margin` input pixels of context on each side of a tile's kept core (the receptive radius,
// rounded up to a multiple of factor), so tiles give what one pass over the whole image gives.
struct WholeImageGeometry {
  uint32_t factor = 1, margin = 0;
  uint32_t scale = 1;            // output pixels per input pixel along each axis: 2 for super-resolution
  uint64_t bytes_per_pixel = 0;  // the largest layer's bytes per input pixel
};

// nullopt when the model has a dense, flatten, reshape or sampling layer, or its layers take one size only.
std::optional<WholeImageGeometry> whole_image_geometry(const ModelSpec& spec);

// One axis cut into tiles of `tile` (<= length) input pixels, each keeping the core [core_begin, core_end)
// of its window [begin, begin + tile): window starts are multiples of factor, cores cover [0, length) once.
struct TileSpan {
  uint32_t begin, core_begin, core_end;
};
std::vector<TileSpan> tile_axis(uint32_t length, uint32_t tile, uint32_t margin, uint32_t factor);

struct WholeImageRun {
  Image output;                     // the model's channels, input size x scale
  uint32_t tile_h = 0, tile_w = 0;  // the pass size (the padded image when one pass was enough)
  uint32_t tiles = 0;
};

// `input` (already the model's channels, any size) through the checkpoint's model. `tile`: the largest
// tile side in input pixels (0: what keeps the largest layer under min(maxStorageBufferRange, 64 MiB)).
WholeImageRun run_whole_image(rt::Context& ctx, const LoadedCheckpoint& ckpt, const WholeImageGeometry& g,
                              const Image& input, uint32_t tile);

}  // namespace vkae::nn
