// Fence ring for in-flight submits.
#include "runtime/queue.hpp"

#include <algorithm>
#include <cstdlib>
#include <limits>

#include "runtime/device.hpp"
#include "runtime/vulkan_error.hpp"

namespace vkae::rt {

Submitter::Submitter(const Device& device, uint32_t max_in_flight) : device_(&device) {
  if (max_in_flight == 0) throw Error("Submitter needs at least one slot");
  slots_.resize(max_in_flight);
  if (const char* n = std::getenv("VKAE_FAULT_DEVICE_LOST")) lost_from_ = std::strtoull(n, nullptr, 10);
  for (Slot& s : slots_) {
    VkFenceCreateInfo info{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    VkFence fence = VK_NULL_HANDLE;
    VKAE_CHECK(vkCreateFence(device.get(), &info, nullptr, &fence));
    s.fence = FenceHandle(device.get(), fence);
  }
}

Submitter::~Submitter() {
  for (Slot& s : slots_) {
    VkFence fence = s.fence.get();
    if (s.ticket != 0)
      vkWaitForFences(device_->get(), 1, &fence, VK_TRUE, std::numeric_limits<uint64_t>::max());
  }
}

void Submitter::retire(Slot& slot, bool block) {
  if (slot.ticket == 0) return;
  VkFence fence = slot.fence.get();
  VkResult r = block
                   ? vkWaitForFences(device_->get(), 1, &fence, VK_TRUE, std::numeric_limits<uint64_t>::max())
                   : vkGetFenceStatus(device_->get(), fence);
  if (r == VK_NOT_READY || r == VK_TIMEOUT) return;
  if (lost_from_ && slot.ticket >= lost_from_) r = VK_ERROR_DEVICE_LOST;  // the injected fault
  VKAE_CHECK(r);
  VKAE_CHECK(vkResetFences(device_->get(), 1, &fence));
  // Submits finish in order on one queue, so this ticket being done means every earlier one is too.
  finished_ = std::max(finished_, slot.ticket);
  slot.ticket = 0;
}

uint64_t Submitter::submit(std::span<const VkCommandBuffer> commands) {
  Slot& slot = slots_[next_ % slots_.size()];
  retire(slot, true);  // the only blocking point: all slots busy
  VkSubmitInfo info{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  info.commandBufferCount = static_cast<uint32_t>(commands.size());
  info.pCommandBuffers = commands.data();
  {
    std::lock_guard lock(device_->queue_mutex());
    VKAE_CHECK(vkQueueSubmit(device_->queue(), 1, &info, slot.fence.get()));
  }
  slot.ticket = next_;
  return next_++;
}

bool Submitter::done(uint64_t ticket) {
  if (ticket <= finished_) return true;
  for (Slot& s : slots_)
    if (s.ticket != 0 && s.ticket <= ticket) retire(s, false);
  return ticket <= finished_;
}

void Submitter::wait(uint64_t ticket) {
  if (ticket >= next_)
    throw Error("Submitter::wait: ticket " + std::to_string(ticket) + " was never submitted");
  for (Slot& s : slots_)
    if (s.ticket != 0 && s.ticket <= ticket) retire(s, true);
}

void Submitter::wait_all() {
  for (Slot& s : slots_) retire(s, true);
}

}  // namespace vkae::rt
