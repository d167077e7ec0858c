// Choosing a physical device (discrete > integrated > virtual > CPU, or what --device / VKAE_DEVICE names)
// and the logical device with one compute queue. Every candidate carries the reason it was or wasn't taken.
#pragma once
#include <vulkan/vulkan.h>

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/workgroups.hpp"

namespace vkae::rt {

struct DeviceCandidate {
  uint32_t index = 0;
  VkPhysicalDevice physical = VK_NULL_HANDLE;
  std::string name;
  VkPhysicalDeviceType type = VK_PHYSICAL_DEVICE_TYPE_OTHER;
  uint32_t api_version = 0;
  uint32_t compute_family = 0;
  bool suitable = false;
  std::string reason;  // why it is unsuitable; empty when suitable
};

const char* device_type_name(VkPhysicalDeviceType type) noexcept;

// Every device the loader reports, with suitability decided.
std::vector<DeviceCandidate> list_devices(VkInstance instance);

// Picks a device: selector "" = best by type (a data-parallel rank r: the r-th suitable device, modulo
// their count, best type first); a number = that index; otherwise a case-insensitive substring of the
// name. Throws NoDeviceError (no device at all, or none suitable, listing each rejection) or InputError (the
// selector matches nothing).
const DeviceCandidate& choose_device(const std::vector<DeviceCandidate>& candidates,
                                     std::string_view selector, uint32_t rank = 0);

class Device {
 public:
  // `present`: also enable VK_KHR_swapchain (the viewer); the instance must then have the surface extensions.
  Device(VkInstance instance, const DeviceCandidate& candidate, bool present = false);
  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;
  Device(Device&& other) noexcept;
  Device& operator=(Device&&) = delete;
  ~Device();

  VkDevice get() const noexcept { return device_; }
  VkPhysicalDevice physical() const noexcept { return physical_; }
  VkQueue queue() const noexcept { return queue_; }
  uint32_t queue_family() const noexcept { return family_; }
  const VkPhysicalDeviceProperties& properties() const noexcept { return properties_; }
  const VkPhysicalDeviceLimits& limits() const noexcept { return properties_.limits; }
  const VkPhysicalDeviceMemoryProperties& memory() const noexcept { return memory_; }
  bool timestamps_supported() const noexcept { return timestamp_bits_ > 0; }
  bool is_cpu() const noexcept { return properties_.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU; }
  uint32_t subgroup_size() const noexcept { return subgroup_size_; }
  // The widths the specialized shaders run at on this device (runtime/workgroups.hpp).
  const Workgroups& workgroups() const noexcept { return workgroups_; }
  // vkQueueSubmit and vkQueuePresentKHR need external synchronisation: hold this around them (the trainer
  // and the viewer share the queue from two threads).
  std::mutex& queue_mutex() const noexcept { return *queue_mutex_; }

 private:
  VkDevice device_ = VK_NULL_HANDLE;
  VkPhysicalDevice physical_ = VK_NULL_HANDLE;
  VkQueue queue_ = VK_NULL_HANDLE;
  uint32_t family_ = 0;
  uint32_t timestamp_bits_ = 0;
  uint32_t subgroup_size_ = 0;
  Workgroups workgroups_;
  VkPhysicalDeviceProperties properties_{};
  VkPhysicalDeviceMemoryProperties memory_{};
  std::unique_ptr<std::mutex> queue_mutex_ = std::make_unique<std::mutex>();
};

}  // namespace vkae::rt
