// A dataset's images on the device as the gather reads them: split over as many storage buffers as the
// device's maxStorageBufferRange (or a smaller cap) needs, each holding whole images packed from its own
// byte 0 — or, for a dataset past the data budget, a ring of shard slots the host refills while the step
// trains (image_stream.hpp does the refilling; this file only allocates and uploads).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nn/data/dataset.hpp"
#include "nn/ops/data.hpp"
#include "runtime/buffer.hpp"
#include "runtime/context.hpp"

namespace vkae::nn {

struct ImageLayout {
  uint32_t per_buffer = 0;  // images per buffer (a ring slot's shard size S)
  uint32_t buffers = 0;     // B buffers holding every image once, or R ring slots
  bool streamed = false;    // a ring: slot s % R holds shard s of the epoch's permutation

  // Bytes of one buffer of `image_bytes`-byte images: whole words.
  uint64_t buffer_bytes(uint64_t image_bytes) const noexcept {
    return (uint64_t{per_buffer} * image_bytes + 3) / 4 * 4;
  }
};

// The largest image buffer: this device's maxStorageBufferRange, or `cap` when smaller, in whole words.
uint64_t image_buffer_limit(const rt::Device& device, std::optional<uint64_t> cap);

// `count` images of `image_bytes` each, all resident in buffers of at most `buffer_limit` bytes. InputError
// when an image does not fit one buffer or more than kGatherBuffers buffers would be needed.
ImageLayout resident_layout(uint32_t count, uint64_t image_bytes, uint64_t buffer_limit);

// "144 MiB", "2.5 GiB", "49 KiB", "900 bytes": binary units, as --data-budget SIZE reads them.
std::string size_text(uint64_t bytes);

struct DeviceImages {
  // The first `count` images of `data`, resident, in the device's largest buffers.
  DeviceImages(rt::Context& ctx, const Dataset& data, uint32_t count);
  // The same in `layout`: resident ones are uploaded; a streamed layout's slots are allocated and left for
  // an ImageStream to fill.
  DeviceImages(rt::Context& ctx, const Dataset& data, uint32_t count, const ImageLayout& layout);

  // What record_gather reads; a ring goes with `identity` as its permutation.
  GatherImages source() const noexcept { return {views_, layout.per_buffer}; }
  // The gather of `n` of these images: whole, or --crop random's windows.
  GatherShape gather_shape(uint32_t n) const noexcept { return {n, sample_pixels, count, crop}; }
  uint64_t bytes() const noexcept { return uint64_t{layout.buffers} * layout.buffer_bytes(image_bytes); }

  uint32_t count;
  uint32_t image_bytes;            // stored per image: with --crop random's margin
  uint32_t sample_pixels;          // gathered per image, what the model sees: the window's C x H x W
  std::optional<GatherCrop> crop;  // the dataset's crop_rows x crop_cols windows, random; none: whole images
  ImageLayout layout;
  std::vector<rt::Buffer> buffers;
  rt::Buffer identity;  // perm for validation / no-shuffle / a ring: 0..count-1

 private:
  std::vector<rt::BufferView> views_;
};

}  // namespace vkae::nn
