// ImageStream: the host side of a streamed training set. The epoch's permutation is cut into shards of S
// images (S = the ring's slot size, whole batches), and shard j trains from slot j % R of the ring
// (DeviceImages with a streamed layout), which the recorded step reaches through the identity permutation:
// entry e = state.batch * N + b is image e % S of slot (e / S) % R, so the command buffer never changes.
// Before a submit of steps of shard j, prepare() packs shard j's images in permutation order into its slot
// (directly where the slot is host-visible, else into a staging buffer whose recorded copy the submit runs
// first) — but only once every step that read the slot's previous shard has retired: the only host wait,
// and only when the ring is full. Knows nothing of submits; the caller retires them.
#pragma once
#include <vulkan/vulkan.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "nn/data/dataset.hpp"
#include "nn/train/device_images.hpp"
#include "runtime/commands.hpp"
#include "runtime/context.hpp"

namespace vkae::nn {

class ImageStream {
 public:
  // `ring`: a streamed DeviceImages of the first ring.count images of `data` (which must outlive this).
  // `staged`: staging buffers and a copy even where the slots are host-visible.
  ImageStream(rt::Context& ctx, const DeviceImages& ring, const Dataset& data, uint32_t batch, bool staged);
  ImageStream(const ImageStream&) = delete;
  ImageStream& operator=(const ImageStream&) = delete;

  // A new epoch in `perm` order (ring.count entries), whose batch 0 is the run's step `first_step`. Every
  // slot counts as empty: call with no step in flight.
  void start_epoch(std::vector<uint32_t> perm, uint64_t first_step);
  // How many of `count` steps from `step` one submit may carry: it must not leave step's shard.
  uint32_t clamp(uint64_t step, uint32_t count) const noexcept;
  // Makes the shard that `step` reads resident in its slot. Before overwriting a slot it calls
  // wait_retired(s), which must return once every submitted step before s has retired. Returns the copy to
  // submit ahead of the steps (staged) or VK_NULL_HANDLE (already there, or written directly).
  VkCommandBuffer prepare(uint64_t step, const std::function<void(uint64_t)>& wait_retired);

  bool staged() const noexcept { return !copies_.empty(); }
  uint32_t steps_per_shard() const noexcept { return ring_.layout.per_buffer / batch_; }

 private:
  void pack(uint32_t shard, uint8_t* out) const;  // shard's images into one slot's bytes

  const DeviceImages& ring_;
  const Dataset& data_;
  uint32_t batch_;
  std::vector<uint32_t> perm_;
  uint64_t first_step_ = 0;
  std::vector<int64_t> held_;  // the shard of this epoch each slot holds; -1: none
  std::vector<rt::Buffer> staging_;
  std::vector<std::unique_ptr<rt::CommandList>> copies_;  // slot i from staging i, recorded once
};

}  // namespace vkae::nn
