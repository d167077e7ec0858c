// Typed errors for all of vkae: Vulkan failures (with the VkResult name, the call and file:line) and bad
// user input (files, arguments, shapes). The app catches vkae::Error at the top and prints one line.
#pragma once
#include <vulkan/vulkan.h>

#include <stdexcept>
#include <string>

namespace vkae {

// Base of every error vkae throws on purpose.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Bad input from a user: a file, an argument, a shape. The message names the input and what was expected.
class InputError : public Error {
 public:
  using Error::Error;
};

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
