// A window's swapchain image as a PNG: the copy recorded after the render pass (PRESENT_SRC -> TRANSFER_SRC,
// copy into a host-visible buffer, back to PRESENT_SRC) and the PNG written from that buffer (BGRA or RGBA).
#pragma once
#include <vulkan/vulkan.h>

#include <filesystem>

namespace vkae::viewer {

// `image` is in PRESENT_SRC_KHR after a render pass whose dependency to EXTERNAL has the transfer stage as
// its destination; `buffer` holds extent.width * extent.height * 4 bytes and is host-visible.
void record_screenshot_copy(VkCommandBuffer cmd, VkBuffer buffer, VkImage image, VkExtent2D extent);

// `pixels`: the buffer's contents once the copy finished, in the swapchain's `format`.
void write_screenshot_png(const std::filesystem::path& path, const void* pixels, VkExtent2D extent,
                          VkFormat format);

}  // namespace vkae::viewer
