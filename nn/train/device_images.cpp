// The image buffers' layout, allocation and resident upload (see device_images.hpp).
#include "nn/train/device_images.hpp"

#include <algorithm>
#include <cstdio>

#include "base/error.hpp"

namespace vkae::nn {

uint64_t image_buffer_limit(const rt::Device& device, std::optional<uint64_t> cap) {
  const uint64_t range = device.limits().maxStorageBufferRange;
  return std::min(range, cap.value_or(range)) / 4 * 4;
}

ImageLayout resident_layout(uint32_t count, uint64_t image_bytes, uint64_t buffer_limit) {
  if (count == 0 || image_bytes == 0) throw InputError("images: a dataset needs at least one image");
  const uint64_t per = std::min<uint64_t>(buffer_limit / image_bytes, count);
  if (per == 0)
    throw InputError("images: one image of " + std::to_string(image_bytes) +
                     " bytes is larger than a storage buffer of " + std::to_string(buffer_limit) + " bytes");
  const uint64_t buffers = (count + per - 1) / per;
  if (buffers > kGatherBuffers)
    throw InputError("images: " + std::to_string(count) + " images of " + std::to_string(image_bytes) +
                     " bytes (" + size_text(count * image_bytes) + ") need " + std::to_string(buffers) +
                     " buffers of at most " + size_text(buffer_limit) + ", more than the " +
                     std::to_string(kGatherBuffers) + " the gather reads");
  return {static_cast<uint32_t>(per), static_cast<uint32_t>(buffers), false};
}

std::string size_text(uint64_t bytes) {
  // Binary units, as --data-budget reads them (512M is 512 MiB).
  constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB"};
  if (bytes < 1024) return std::to_string(bytes) + " bytes";
  double v = double(bytes) / 1024;
  int unit = 0;
  for (; v >= 1024 && unit < 3; ++unit) v /= 1024;
  char buf[32];
  std::snprintf(buf, sizeof buf, v < 10 ? "%.1f %s" : "%.0f %s", v, kUnits[unit]);
  return buf;
}

DeviceImages::DeviceImages(rt::Context& ctx, const Dataset& data, uint32_t n)
    : DeviceImages(ctx, data, n,
                   resident_layout(n, data.image_size(), image_buffer_limit(ctx.device(), std::nullopt))) {}

DeviceImages::DeviceImages(rt::Context& ctx, const Dataset& data, uint32_t n, const ImageLayout& l)
    : count(n),
      image_bytes(static_cast<uint32_t>(data.image_size())),
      sample_pixels(static_cast<uint32_t>(data.sample_size())),
      layout(l),
      identity(ctx.device(), uint64_t{n} * 4, rt::MemoryKind::DeviceLocal, "identity") {
  if (data.crop_rows)
    crop = GatherCrop{data.channels, data.crop_rows, data.crop_cols, data.rows, data.cols, /*random=*/true};
  if (uint64_t{n} * image_bytes > data.images.size())
    throw Error("images: " + std::to_string(n) + " images asked of a dataset holding " +
                std::to_string(data.count));
  for (uint32_t b = 0; b < layout.buffers; ++b) {
    // Every buffer of a resident split but the last is full; a ring's slots are all a shard's size.
    const uint64_t first = uint64_t{b} * layout.per_buffer;
    const uint64_t held =
        layout.streamed ? layout.per_buffer : std::min<uint64_t>(layout.per_buffer, n - first);
    buffers.emplace_back(ctx.device(), (held * image_bytes + 3) / 4 * 4, rt::MemoryKind::DeviceLocal,
                         layout.streamed ? "image slot " + std::to_string(b) : "images " + std::to_string(b));
    views_.push_back(buffers.back().view());
    if (layout.streamed) continue;
    const auto packed = pack_pixels(std::span(data.images.data() + first * image_bytes, held * image_bytes));
    ctx.write(views_.back(), packed.data(), packed.size() * sizeof(uint32_t));
  }
  std::vector<uint32_t> perm(n);
  for (uint32_t i = 0; i < n; ++i) perm[i] = i;
  ctx.write(identity.view(), perm.data(), perm.size() * sizeof(uint32_t));
}

}  // namespace vkae::nn
