// VkResult names and the VulkanError message.
#include "runtime/vulkan_error.hpp"

#include <cstring>

namespace vkae::rt {

const char* vk_result_name(VkResult result) noexcept {
  switch (result) {
#define VKAE_RESULT(name) \
  case name:              \
    return #name;
    VKAE_RESULT(VK_SUCCESS)
    VKAE_RESULT(VK_NOT_READY)
    VKAE_RESULT(VK_TIMEOUT)
    VKAE_RESULT(VK_EVENT_SET)
    VKAE_RESULT(VK_EVENT_RESET)
    VKAE_RESULT(VK_INCOMPLETE)
    VKAE_RESULT(VK_SUBOPTIMAL_KHR)
    VKAE_RESULT(VK_ERROR_OUT_OF_HOST_MEMORY)
    VKAE_RESULT(VK_ERROR_OUT_OF_DEVICE_MEMORY)
    VKAE_RESULT(VK_ERROR_INITIALIZATION_FAILED)
    VKAE_RESULT(VK_ERROR_DEVICE_LOST)
    VKAE_RESULT(VK_ERROR_MEMORY_MAP_FAILED)
    VKAE_RESULT(VK_ERROR_LAYER_NOT_PRESENT)
    VKAE_RESULT(VK_ERROR_EXTENSION_NOT_PRESENT)
    VKAE_RESULT(VK_ERROR_FEATURE_NOT_PRESENT)
    VKAE_RESULT(VK_ERROR_INCOMPATIBLE_DRIVER)
    VKAE_RESULT(VK_ERROR_TOO_MANY_OBJECTS)
    VKAE_RESULT(VK_ERROR_FORMAT_NOT_SUPPORTED)
    VKAE_RESULT(VK_ERROR_FRAGMENTED_POOL)
    VKAE_RESULT(VK_ERROR_UNKNOWN)
    VKAE_RESULT(VK_ERROR_OUT_OF_POOL_MEMORY)
    VKAE_RESULT(VK_ERROR_INVALID_EXTERNAL_HANDLE)
    VKAE_RESULT(VK_ERROR_FRAGMENTATION)
    VKAE_RESULT(VK_ERROR_INVALID_OPAQUE_CAPTURE_ADDRESS)
    VKAE_RESULT(VK_ERROR_SURFACE_LOST_KHR)
    VKAE_RESULT(VK_ERROR_NATIVE_WINDOW_IN_USE_KHR)
    VKAE_RESULT(VK_ERROR_OUT_OF_DATE_KHR)
    VKAE_RESULT(VK_ERROR_VALIDATION_FAILED_EXT)
#undef VKAE_RESULT
    default:
      return "VK_RESULT_UNKNOWN";
  }
}

namespace {
std::string make_message(VkResult result, const char* call, const char* file, int line) {
  const char* base = std::strrchr(file, '/');
  return std::string(vk_result_name(result)) + " from " + call + " at " + (base ? base + 1 : file) + ":" +
         std::to_string(line);
}
}  // namespace

VulkanError::VulkanError(VkResult result, const char* call, const char* file, int line)
    : Error(make_message(result, call, file, line)), result_(result) {}

}  // namespace vkae::rt
