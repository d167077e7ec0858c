// The window's Vulkan objects made from the surface and the device: the surface format and present mode
// choice, the render pass, the per-frame command buffers and fences, and the swapchain with its views and
// framebuffers (rebuilt on resize). The constructor's order and the teardown are window.cpp's.
#include <GLFW/glfw3.h>

#include <algorithm>
#include <limits>

#include "runtime/vulkan_error.hpp"
#include "viewer/window.hpp"

namespace vkae::viewer {
namespace {

rt::SemaphoreHandle make_semaphore(VkDevice dev) {
  VkSemaphoreCreateInfo si{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO};
  VkSemaphore sem = VK_NULL_HANDLE;
  VKAE_CHECK(vkCreateSemaphore(dev, &si, nullptr, &sem));
  return rt::SemaphoreHandle(dev, sem);
}

// The surface's current extent, or the framebuffer's size clamped to what the surface allows when the
// surface leaves it to the window (currentExtent = 0xFFFFFFFF).
VkExtent2D swapchain_extent(const VkSurfaceCapabilitiesKHR& caps, GLFWwindow* window) {
  int fw = 0, fh = 0;
  glfwGetFramebufferSize(window, &fw, &fh);
  if (caps.currentExtent.width != std::numeric_limits<uint32_t>::max()) return caps.currentExtent;
  return {std::clamp(uint32_t(fw), caps.minImageExtent.width, caps.maxImageExtent.width),
          std::clamp(uint32_t(fh), caps.minImageExtent.height, caps.maxImageExtent.height)};
}

}  // namespace

void Window::choose_surface_format() {
  const VkPhysicalDevice physical = ctx_.device().physical();
  uint32_t n = 0;
  VKAE_CHECK(vkGetPhysicalDeviceSurfaceFormatsKHR(physical, surface_, &n, nullptr));
  std::vector<VkSurfaceFormatKHR> formats(n);
  VKAE_CHECK(vkGetPhysicalDeviceSurfaceFormatsKHR(physical, surface_, &n, formats.data()));
  if (formats.empty()) throw Error("the window surface offers no formats");
  format_ = formats[0];
  for (const auto& f : formats)  // UNORM: ImGui's colours are already display values
    if ((f.format == VK_FORMAT_B8G8R8A8_UNORM || f.format == VK_FORMAT_R8G8B8A8_UNORM) &&
        f.colorSpace == VK_COLOR_SPACE_SRGB_NONLINEAR_KHR) {
      format_ = f;
      break;
    }
}

void Window::choose_present_mode() {
  const VkPhysicalDevice physical = ctx_.device().physical();
  uint32_t n = 0;
  VKAE_CHECK(vkGetPhysicalDeviceSurfacePresentModesKHR(physical, surface_, &n, nullptr));
  std::vector<VkPresentModeKHR> modes(n);
  VKAE_CHECK(vkGetPhysicalDeviceSurfacePresentModesKHR(physical, surface_, &n, modes.data()));
  // Never FIFO when avoidable: a present that waits for vblank would hold the queue training submits to.
  for (const VkPresentModeKHR want : {VK_PRESENT_MODE_MAILBOX_KHR, VK_PRESENT_MODE_IMMEDIATE_KHR})
    if (std::find(modes.begin(), modes.end(), want) != modes.end()) {
      present_mode_ = want;
      break;
    }
}

void Window::create_render_pass() {
  VkAttachmentDescription color{};
  color.format = format_.format;
  color.samples = VK_SAMPLE_COUNT_1_BIT;
  color.loadOp = VK_ATTACHMENT_LOAD_OP_CLEAR;
  color.storeOp = VK_ATTACHMENT_STORE_OP_STORE;
  color.stencilLoadOp = VK_ATTACHMENT_LOAD_OP_DONT_CARE;
  color.stencilStoreOp = VK_ATTACHMENT_STORE_OP_DONT_CARE;
  color.initialLayout = VK_IMAGE_LAYOUT_UNDEFINED;
  color.finalLayout = VK_IMAGE_LAYOUT_PRESENT_SRC_KHR;
  VkAttachmentReference ref{0, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL};
  VkSubpassDescription subpass{};
  subpass.pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS;
  subpass.colorAttachmentCount = 1;
  subpass.pColorAttachments = &ref;
  VkSubpassDependency deps[2]{};
  // The acquire semaphore is waited at COLOR_ATTACHMENT_OUTPUT: the clear and layout change come after it.
  deps[0].srcSubpass = VK_SUBPASS_EXTERNAL;
  deps[0].dstSubpass = 0;
  deps[0].srcStageMask = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT;
  deps[0].dstStageMask = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT;
  deps[0].dstAccessMask = VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT;
  // A screenshot copies the image after the pass: order the copy after the drawing and the final layout.
  deps[1].srcSubpass = 0;
  deps[1].dstSubpass = VK_SUBPASS_EXTERNAL;
  deps[1].srcStageMask = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT;
  deps[1].srcAccessMask = VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT;
  deps[1].dstStageMask = VK_PIPELINE_STAGE_TRANSFER_BIT;
  deps[1].dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT;
  VkRenderPassCreateInfo rp{VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO};
  rp.attachmentCount = 1;
  rp.pAttachments = &color;
  rp.subpassCount = 1;
  rp.pSubpasses = &subpass;
  rp.dependencyCount = 2;
  rp.pDependencies = deps;
  VkRenderPass render_pass = VK_NULL_HANDLE;
  VKAE_CHECK(vkCreateRenderPass(ctx_.vk(), &rp, nullptr, &render_pass));
  render_pass_ = RenderPassHandle(ctx_.vk(), render_pass);
}

void Window::create_frames() {
  const VkDevice dev = ctx_.vk();
  frames_.resize(kFramesInFlight);
  for (Frame& f : frames_) {
    VkCommandPoolCreateInfo pi{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
    pi.queueFamilyIndex = ctx_.device().queue_family();
    VkCommandPool pool = VK_NULL_HANDLE;
    VKAE_CHECK(vkCreateCommandPool(dev, &pi, nullptr, &pool));
    f.pool = rt::CommandPoolHandle(dev, pool);
    VkCommandBufferAllocateInfo ai{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
    ai.commandPool = pool;
    ai.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    ai.commandBufferCount = 1;
    VKAE_CHECK(vkAllocateCommandBuffers(dev, &ai, &f.cmd));
    VkFenceCreateInfo fi{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    VkFence fence = VK_NULL_HANDLE;
    VKAE_CHECK(vkCreateFence(dev, &fi, nullptr, &fence));
    f.fence = rt::FenceHandle(dev, fence);
    f.acquired = make_semaphore(dev);
  }
}

void Window::create_swapchain() {
  VkSurfaceCapabilitiesKHR caps{};
  VKAE_CHECK(vkGetPhysicalDeviceSurfaceCapabilitiesKHR(ctx_.device().physical(), surface_, &caps));
  const VkExtent2D extent = swapchain_extent(caps, window_);
  framebuffers_.clear();
  views_.clear();
  images_.clear();
  extent_ = extent;
  if (extent.width == 0 || extent.height == 0) return;  // minimised: rebuilt when it comes back
  replace_swapchain(caps);
  create_framebuffers();
  // Kept across rebuilds (a present may still hold one; presents have no fence to tell when): only grown.
  while (rendered_.size() < images_.size()) rendered_.push_back(make_semaphore(ctx_.vk()));
}

void Window::replace_swapchain(const VkSurfaceCapabilitiesKHR& caps) {
  uint32_t count = std::max(caps.minImageCount + 1, 3u);
  if (caps.maxImageCount) count = std::min(count, caps.maxImageCount);
  VkSwapchainCreateInfoKHR info{VK_STRUCTURE_TYPE_SWAPCHAIN_CREATE_INFO_KHR};
  info.surface = surface_;
  info.minImageCount = count;
  info.imageFormat = format_.format;
  info.imageColorSpace = format_.colorSpace;
  info.imageExtent = extent_;
  info.imageArrayLayers = 1;
  info.imageUsage = VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT |
                    (caps.supportedUsageFlags & VK_IMAGE_USAGE_TRANSFER_SRC_BIT);  // for screenshots
  info.imageSharingMode = VK_SHARING_MODE_EXCLUSIVE;
  info.preTransform = caps.currentTransform;
  info.compositeAlpha = VK_COMPOSITE_ALPHA_OPAQUE_BIT_KHR;
  info.presentMode = present_mode_;
  info.clipped = VK_TRUE;
  info.oldSwapchain = swapchain_.get();
  VkSwapchainKHR swapchain = VK_NULL_HANDLE;
  VKAE_CHECK(vkCreateSwapchainKHR(ctx_.vk(), &info, nullptr, &swapchain));
  swapchain_ = SwapchainHandle(ctx_.vk(), swapchain);  // destroys the old one
}

void Window::create_framebuffers() {
  const VkDevice dev = ctx_.vk();
  uint32_t n = 0;
  VKAE_CHECK(vkGetSwapchainImagesKHR(dev, swapchain_.get(), &n, nullptr));
  images_.resize(n);
  VKAE_CHECK(vkGetSwapchainImagesKHR(dev, swapchain_.get(), &n, images_.data()));
  for (VkImage image : images_) {
    VkImageViewCreateInfo vi{VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO};
    vi.image = image;
    vi.viewType = VK_IMAGE_VIEW_TYPE_2D;
    vi.format = format_.format;
    vi.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
    VkImageView view = VK_NULL_HANDLE;
    VKAE_CHECK(vkCreateImageView(dev, &vi, nullptr, &view));
    views_.emplace_back(dev, view);
    VkFramebufferCreateInfo fi{VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO};
    fi.renderPass = render_pass_.get();
    fi.attachmentCount = 1;
    fi.pAttachments = &view;
    fi.width = extent_.width;
    fi.height = extent_.height;
    fi.layers = 1;
    VkFramebuffer fb = VK_NULL_HANDLE;
    VKAE_CHECK(vkCreateFramebuffer(dev, &fi, nullptr, &fb));
    framebuffers_.emplace_back(dev, fb);
  }
}

}  // namespace vkae::viewer
