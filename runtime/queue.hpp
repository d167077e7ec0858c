// Submission with fences: up to `max_in_flight` submits outstanding; each submit returns a ticket the host
// can poll or wait on. The host only blocks when every slot is busy (or when it asks to).
#pragma once
#include <vulkan/vulkan.h>

#include <cstdint>
#include <span>
#include <vector>

#include "runtime/handle.hpp"

namespace vkae::rt {

class Device;

class Submitter {
 public:
  Submitter(const Device& device, uint32_t max_in_flight = 3);
  Submitter(const Submitter&) = delete;
  Submitter& operator=(const Submitter&) = delete;
  ~Submitter();  // waits for everything still in flight

  // Submits the command buffers (the same one may appear several times) as one batch. Tickets start at 1.
  uint64_t submit(std::span<const VkCommandBuffer> commands);
  bool done(uint64_t ticket);  // non-blocking
  void wait(uint64_t ticket);  // blocks until that submit finished
  void wait_all();
  uint64_t last_ticket() const noexcept { return next_ - 1; }
  uint32_t max_in_flight() const noexcept { return static_cast<uint32_t>(slots_.size()); }

 private:
  struct Slot {
    FenceHandle fence;
    uint64_t ticket = 0;  // 0: free
  };
  void retire(Slot& slot, bool block);

  const Device* device_;
  std::vector<Slot> slots_;
  uint64_t next_ = 1;
  uint64_t finished_ = 0;  // every ticket <= this is done
  // VKAE_FAULT_DEVICE_LOST=N (tests only): from the Nth submit on, every fence reports VK_ERROR_DEVICE_LOST,
  // as a lost device's do. 0 = off.
  uint64_t lost_from_ = 0;
};

}  // namespace vkae::rt
