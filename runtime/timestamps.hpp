// Timestamp queries: a pool of `count` timestamps the recorder writes and the host reads back in nanoseconds.
#pragma once
#include <vulkan/vulkan.h>

#include <optional>
#include <vector>

#include "runtime/handle.hpp"

namespace vkae::rt {

class Device;

class TimestampPool {
 public:
  TimestampPool(const Device& device, uint32_t count);

  VkQueryPool get() const noexcept { return pool_.get(); }
  uint32_t count() const noexcept { return count_; }
  // Nanoseconds since an arbitrary origin per query; nullopt where the result is not available (yet).
  std::vector<std::optional<double>> read_ns() const;

 private:
  VkDevice device_;
  QueryPoolHandle pool_;
  uint32_t count_;
  double period_ns_;
  uint64_t mask_;
};

}  // namespace vkae::rt
