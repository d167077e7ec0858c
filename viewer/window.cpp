// The window's Vulkan objects: GLFW window and surface, surface format and present mode, render pass,
// per-frame command buffers and fences, the swapchain (rebuilt on resize), Dear ImGui's backends, and their
// teardown in the right order. Drawing and presenting frames is frame_loop.cpp's; GLFW itself glfw.cpp's.
#include "viewer/window.hpp"

#define GLFW_INCLUDE_VULKAN
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_vulkan.h>

#include <algorithm>
#include <limits>
#include <mutex>
#include <utility>

#include "runtime/error.hpp"
#include "viewer/glfw.hpp"

namespace vkae::viewer {
namespace {

// ImGui's backend checks results through a plain function pointer; the first failure is kept and thrown
// after the call that caused it.
VkResult g_imgui_result = VK_SUCCESS;
void on_imgui_result(VkResult r) {
  if (r < 0 && g_imgui_result == VK_SUCCESS) g_imgui_result = r;
}

}  // namespace

void Window::check_imgui(const char* what) {
  const VkResult r = std::exchange(g_imgui_result, VK_SUCCESS);
  if (r != VK_SUCCESS) rt::check(r, what, __FILE__, __LINE__);
}

Window::Window(rt::Context& ctx, const std::string& title, int width, int height) : ctx_(ctx) {
  const VkDevice dev = ctx.vk();
  const VkPhysicalDevice physical = ctx.device().physical();
  const uint32_t family = ctx.device().queue_family();
  glfwWindowHint(GLFW_CLIENT_API, GLFW_NO_API);
  window_ = glfwCreateWindow(width, height, title.c_str(), nullptr, nullptr);
  if (!window_) throw Error("cannot open a window (" + glfw_last_error() + ")");
  try {
    VKAE_CHECK(glfwCreateWindowSurface(ctx.instance().get(), window_, nullptr, &surface_));
    uint32_t nfam = 0;
    vkGetPhysicalDeviceQueueFamilyProperties(physical, &nfam, nullptr);
    std::vector<VkQueueFamilyProperties> families(nfam);
    vkGetPhysicalDeviceQueueFamilyProperties(physical, &nfam, families.data());
    VkBool32 can_present = VK_FALSE;
    VKAE_CHECK(vkGetPhysicalDeviceSurfaceSupportKHR(physical, family, surface_, &can_present));
    if (!(families[family].queueFlags & VK_QUEUE_GRAPHICS_BIT) || !can_present)
      throw rt::NoDeviceError(ctx.device_name() + ": its compute queue cannot draw and present to a window");

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
    VKAE_CHECK(vkGetPhysicalDeviceSurfacePresentModesKHR(physical, surface_, &n, nullptr));
    std::vector<VkPresentModeKHR> modes(n);
    VKAE_CHECK(vkGetPhysicalDeviceSurfacePresentModesKHR(physical, surface_, &n, modes.data()));
    // Never FIFO when avoidable: a present that waits for vblank would hold the queue training submits to.
    for (const VkPresentModeKHR want : {VK_PRESENT_MODE_MAILBOX_KHR, VK_PRESENT_MODE_IMMEDIATE_KHR})
      if (std::find(modes.begin(), modes.end(), want) != modes.end()) {
        present_mode_ = want;
        break;
      }

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
    VKAE_CHECK(vkCreateRenderPass(dev, &rp, nullptr, &render_pass));
    render_pass_ = RenderPassHandle(dev, render_pass);

    frames_.resize(kFramesInFlight);
    for (Frame& f : frames_) {
      VkCommandPoolCreateInfo pi{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
      pi.queueFamilyIndex = family;
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
      VkSemaphoreCreateInfo si{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO};
      VkSemaphore sem = VK_NULL_HANDLE;
      VKAE_CHECK(vkCreateSemaphore(dev, &si, nullptr, &sem));
      f.acquired = rt::SemaphoreHandle(dev, sem);
    }
    create_swapchain();

    VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 4};
    VkDescriptorPoolCreateInfo dp{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
    dp.flags = VK_DESCRIPTOR_POOL_CREATE_FREE_DESCRIPTOR_SET_BIT;
    dp.maxSets = 4;
    dp.poolSizeCount = 1;
    dp.pPoolSizes = &size;
    VkDescriptorPool pool = VK_NULL_HANDLE;
    VKAE_CHECK(vkCreateDescriptorPool(dev, &dp, nullptr, &pool));
    imgui_pool_ = rt::DescriptorPoolHandle(dev, pool);

    // Any input asks for frames. Installed before ImGui's backend, which chains to them.
    glfwSetWindowUserPointer(window_, this);
    glfwSetCursorPosCallback(window_, [](GLFWwindow* w, double, double) { note_input(w); });
    glfwSetMouseButtonCallback(window_, [](GLFWwindow* w, int, int, int) { note_input(w); });
    glfwSetScrollCallback(window_, [](GLFWwindow* w, double, double) { note_input(w); });
    glfwSetKeyCallback(window_, [](GLFWwindow* w, int, int, int, int) { note_input(w); });
    glfwSetCharCallback(window_, [](GLFWwindow* w, unsigned) { note_input(w); });
    glfwSetWindowFocusCallback(window_, [](GLFWwindow* w, int) { note_input(w); });
    glfwSetWindowRefreshCallback(window_, [](GLFWwindow* w) { note_input(w); });
    glfwSetFramebufferSizeCallback(window_, [](GLFWwindow* w, int, int) { note_input(w); });

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGui::GetIO().IniFilename = nullptr;  // no imgui.ini next to the user's files
    ImGui::StyleColorsDark();
    ImGui_ImplGlfw_InitForVulkan(window_, true);
    ImGui_ImplVulkan_InitInfo info{};
    info.Instance = ctx.instance().get();
    info.PhysicalDevice = physical;
    info.Device = dev;
    info.QueueFamily = family;
    info.Queue = ctx.device().queue();
    info.DescriptorPool = pool;
    info.MinImageCount = 2;
    // The backend keeps this many vertex/index buffer sets and reuses them round-robin: one per frame slot.
    info.ImageCount = kFramesInFlight;
    info.MSAASamples = VK_SAMPLE_COUNT_1_BIT;
    info.CheckVkResultFn = on_imgui_result;
    ImGui_ImplVulkan_Init(&info, render_pass);
    imgui_ready_ = true;
    check_imgui("ImGui_ImplVulkan_Init");
    // Fonts: uploaded once, with a submit and a wait (start-up, nothing else is running yet).
    ctx.run_now([](rt::Recorder& rec) { ImGui_ImplVulkan_CreateFontsTexture(rec.command_buffer()); });
    ImGui_ImplVulkan_DestroyFontUploadObjects();
    check_imgui("ImGui_ImplVulkan_CreateFontsTexture");
  } catch (...) {
    release();
    throw;
  }
  frame_start_ = Clock::now() - kIdleInterval;
}

Window::~Window() { release(); }

void Window::release() noexcept {
  if (!window_) return;
  wait_own_frames();
  {
    // Shutdown only (training has stopped): presents have no fence, so this is the one way to know that the
    // semaphores they wait on are free.
    std::lock_guard lock(ctx_.device().queue_mutex());
    (void)vkQueueWaitIdle(ctx_.device().queue());
  }
  if (imgui_ready_) {
    ImGui_ImplVulkan_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
    imgui_ready_ = false;
  }
  // Everything made from the surface goes before the surface; the window goes last.
  framebuffers_.clear();
  views_.clear();
  rendered_.clear();
  swapchain_.reset();
  frames_.clear();
  render_pass_.reset();
  imgui_pool_.reset();
  readback_ = rt::Buffer();
  if (surface_) vkDestroySurfaceKHR(ctx_.instance().get(), surface_, nullptr);
  surface_ = VK_NULL_HANDLE;
  glfwDestroyWindow(window_);
  window_ = nullptr;
}

void Window::note_input(GLFWwindow* window) noexcept {
  static_cast<Window*>(glfwGetWindowUserPointer(window))->input_ = true;
}

void Window::wait_own_frames() noexcept {
  for (Frame& f : frames_)
    if (f.submitted) {
      VkFence fence = f.fence.get();
      // A lost device shows up at the next call that checks; waiting here cannot do anything better.
      (void)vkWaitForFences(ctx_.vk(), 1, &fence, VK_TRUE, std::numeric_limits<uint64_t>::max());
    }
}

void Window::create_swapchain() {
  const VkDevice dev = ctx_.vk();
  VkSurfaceCapabilitiesKHR caps{};
  VKAE_CHECK(vkGetPhysicalDeviceSurfaceCapabilitiesKHR(ctx_.device().physical(), surface_, &caps));
  int fw = 0, fh = 0;
  glfwGetFramebufferSize(window_, &fw, &fh);
  VkExtent2D extent = caps.currentExtent;
  if (extent.width == std::numeric_limits<uint32_t>::max())
    extent = {std::clamp(uint32_t(fw), caps.minImageExtent.width, caps.maxImageExtent.width),
              std::clamp(uint32_t(fh), caps.minImageExtent.height, caps.maxImageExtent.height)};
  framebuffers_.clear();
  views_.clear();
  images_.clear();
  extent_ = extent;
  if (extent.width == 0 || extent.height == 0) return;  // minimised: rebuilt when it comes back

  uint32_t count = std::max(caps.minImageCount + 1, 3u);
  if (caps.maxImageCount) count = std::min(count, caps.maxImageCount);
  VkSwapchainCreateInfoKHR info{VK_STRUCTURE_TYPE_SWAPCHAIN_CREATE_INFO_KHR};
  info.surface = surface_;
  info.minImageCount = count;
  info.imageFormat = format_.format;
  info.imageColorSpace = format_.colorSpace;
  info.imageExtent = extent;
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
  VKAE_CHECK(vkCreateSwapchainKHR(dev, &info, nullptr, &swapchain));
  swapchain_ = SwapchainHandle(dev, swapchain);  // destroys the old one

  uint32_t n = 0;
  VKAE_CHECK(vkGetSwapchainImagesKHR(dev, swapchain, &n, nullptr));
  images_.resize(n);
  VKAE_CHECK(vkGetSwapchainImagesKHR(dev, swapchain, &n, images_.data()));
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
    fi.width = extent.width;
    fi.height = extent.height;
    fi.layers = 1;
    VkFramebuffer fb = VK_NULL_HANDLE;
    VKAE_CHECK(vkCreateFramebuffer(dev, &fi, nullptr, &fb));
    framebuffers_.emplace_back(dev, fb);
  }
  // Kept across rebuilds (a present may still hold one; presents have no fence to tell when): only grown.
  while (rendered_.size() < images_.size()) {
    VkSemaphoreCreateInfo si{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO};
    VkSemaphore sem = VK_NULL_HANDLE;
    VKAE_CHECK(vkCreateSemaphore(dev, &si, nullptr, &sem));
    rendered_.emplace_back(dev, sem);
  }
}

}  // namespace vkae::viewer
