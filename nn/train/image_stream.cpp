// Packing shards into the ring and the rule for when a slot may be overwritten (see image_stream.hpp).
#include "nn/train/image_stream.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

#include "base/error.hpp"

namespace vkae::nn {

ImageStream::ImageStream(rt::Context& ctx, const DeviceImages& ring, const Dataset& data, uint32_t batch,
                         bool staged)
    : ring_(ring), data_(data), batch_(batch), held_(ring.layout.buffers, -1) {
  if (!ring.layout.streamed || batch == 0 || ring.layout.per_buffer % batch != 0)
    throw Error("ImageStream: a ring of whole batches is needed");
  const bool mapped = std::all_of(ring.buffers.begin(), ring.buffers.end(),
                                  [](const rt::Buffer& b) { return b.mapped() != nullptr; });
  if (mapped && !staged) return;
  for (const rt::Buffer& slot : ring.buffers) {
    staging_.emplace_back(ctx.device(), slot.size(), rt::MemoryKind::HostVisible, "image staging");
    if (!staging_.back().mapped()) throw Error("ImageStream: no host-visible memory for staging");
    copies_.push_back(std::make_unique<rt::CommandList>(ctx));
    rt::Recorder& rec = copies_.back()->begin();
    rec.begin_label("image shard upload");
    // The list's opening barrier orders this copy after the steps that read the slot's previous shard; the
    // steps' own opening barrier orders their reads after it.
    rec.copy(slot.view(), staging_.back().view());
    rec.end_label();
    copies_.back()->end();
  }
}

void ImageStream::start_epoch(std::vector<uint32_t> perm, uint64_t first_step) {
  if (perm.size() != ring_.count) throw Error("ImageStream: the permutation must have one entry per image");
  perm_ = std::move(perm);
  first_step_ = first_step;
  std::fill(held_.begin(), held_.end(), -1);
}

uint32_t ImageStream::clamp(uint64_t step, uint32_t count) const noexcept {
  const uint64_t into_shard = (step - first_step_) % steps_per_shard();
  return static_cast<uint32_t>(std::min<uint64_t>(count, steps_per_shard() - into_shard));
}

VkCommandBuffer ImageStream::prepare(uint64_t step, const std::function<void(uint64_t)>& wait_retired) {
  const auto shard = static_cast<uint32_t>((step - first_step_) / steps_per_shard());
  const uint32_t slot = shard % ring_.layout.buffers;
  if (held_[slot] == shard) return VK_NULL_HANDLE;
  // The slot's previous shard is read by steps up to the end of that shard: all of them must be done.
  if (held_[slot] >= 0) wait_retired(first_step_ + (uint64_t(held_[slot]) + 1) * steps_per_shard());
  const rt::Buffer& target = staged() ? staging_[slot] : ring_.buffers[slot];
  pack(shard, static_cast<uint8_t*>(target.mapped()));
  held_[slot] = shard;
  return staged() ? copies_[slot]->get() : VK_NULL_HANDLE;
}

void ImageStream::pack(uint32_t shard, uint8_t* out) const {
  const uint64_t p = ring_.image_bytes, per = ring_.layout.per_buffer, first = uint64_t{shard} * per;
  const uint64_t n = std::min<uint64_t>(per, ring_.count - first);
  if constexpr (std::endian::native == std::endian::little) {
    // pack_pixels' words in memory are the pixel bytes in order on a little-endian host.
    for (uint64_t i = 0; i < n; ++i) std::memcpy(out + i * p, data_.images.data() + perm_[first + i] * p, p);
    std::memset(out + n * p, 0, (n * p + 3) / 4 * 4 - n * p);  // the last word's padding
  } else {
    std::vector<uint8_t> bytes(n * p);
    for (uint64_t i = 0; i < n; ++i)
      std::memcpy(bytes.data() + i * p, data_.images.data() + perm_[first + i] * p, p);
    const auto words = pack_pixels(bytes);
    std::memcpy(out, words.data(), words.size() * sizeof(uint32_t));
  }
}

}  // namespace vkae::nn
