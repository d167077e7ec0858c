// Vulkan's errors: a failed call (with the VkResult name, the call and file:line) and no usable device. They
// derive from vkae::Error (base/error.hpp, which also holds InputError), so the app's one catch sees them.
#pragma once
#include <vulkan/vulkan.h>

#include <string>

#include "base/error.hpp"

namespace vkae {
namespace rt {

const char* vk_result_name(VkResult result) noexcept;

// A Vulkan call returned a negative VkResult.
class VulkanError : public Error {
 public:
  VulkanError(VkResult result, const char* call, const char* file, int line);
  VkResult result() const noexcept { return result_; }

 private:
  VkResult result_;
};

// No usable Vulkan device (or no loader/driver at all).
class NoDeviceError : public Error {
 public:
  using Error::Error;
};

// Throws VulkanError for negative results; returns positive codes (VK_SUBOPTIMAL_KHR, VK_TIMEOUT, ...) so the
// caller handles them where they arise.
inline VkResult check(VkResult result, const char* call, const char* file, int line) {
  if (result < 0) throw VulkanError(result, call, file, line);
  return result;
}

}  // namespace rt
}  // namespace vkae

#define VKAE_CHECK(call) ::vkae::rt::check((call), #call, __FILE__, __LINE__)
