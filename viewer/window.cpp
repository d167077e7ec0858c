// GLFW window, surface, swapchain, render pass and per-frame objects; Dear ImGui's backends; the deferred
// present that keeps the frame loop free of GPU waits. The screenshot copy itself is screenshot.cpp's.
#include "viewer/window.hpp"

#define GLFW_INCLUDE_VULKAN
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_vulkan.h>

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <mutex>
#include <thread>

#include "runtime/error.hpp"
#include "viewer/screenshot.hpp"

namespace vkae::viewer {
namespace {

constexpr uint32_t kFramesInFlight = 2;
// At most ~30 fps, and only while there is input or news: on a CPU device every frame drawn is time taken
// from training (a 1280x760 frame costs ~20 ms of CPU on lavapipe + Xvfb).
constexpr auto kFrameInterval = std::chrono::milliseconds(33);
constexpr auto kIdleInterval = std::chrono::milliseconds(250);  // clocks and ETA still tick when idle
constexpr auto kPollSlice = std::chrono::milliseconds(15);

// GLFW reports errors through a C callback with no user pointer: the last message is kept here.
std::string g_glfw_error;
void on_glfw_error(int, const char* description) { g_glfw_error = description ? description : "unknown"; }

// ImGui's backend checks results through a plain function pointer; the first failure is kept and thrown
// after the call that caused it.
VkResult g_imgui_result = VK_SUCCESS;
void on_imgui_result(VkResult r) {
  if (r < 0 && g_imgui_result == VK_SUCCESS) g_imgui_result = r;
}
void check_imgui(const char* what) {
  const VkResult r = std::exchange(g_imgui_result, VK_SUCCESS);
  if (r != VK_SUCCESS) rt::check(r, what, __FILE__, __LINE__);
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

}  // namespace

Glfw::Glfw(const std::string& what, const std::string& hint) {
  const char* display = std::getenv("DISPLAY");
  const char* wayland = std::getenv("WAYLAND_DISPLAY");
  if ((!display || !*display) && (!wayland || !*wayland))
    throw InputError("no display for " + what + " (DISPLAY is not set); " + hint);
  glfwSetErrorCallback(on_glfw_error);
  if (!glfwInit())
    throw InputError("no display for " + what + " (cannot open DISPLAY=" + std::string(display ? display : "") +
                     ": " + g_glfw_error + "); " + hint);
  if (!glfwVulkanSupported()) {
    glfwTerminate();
    throw Error("GLFW cannot create Vulkan surfaces (" + g_glfw_error + ")");
  }
}

Glfw::~Glfw() { glfwTerminate(); }

std::vector<const char*> Glfw::instance_extensions() const {
  uint32_t count = 0;
  const char** names = glfwGetRequiredInstanceExtensions(&count);
  if (!names) throw Error("GLFW names no Vulkan surface extensions (" + g_glfw_error + ")");
  return {names, names + count};
}

rt::ContextOptions presenting_context_options(const Glfw& glfw, const std::string& device) {
  rt::ContextOptions o = rt::context_options_from_env();
  if (!device.empty()) o.device = device;
  o.quiet = true;
  o.present = true;
  const auto extensions = glfw.instance_extensions();
  o.instance.extensions.insert(o.instance.extensions.end(), extensions.begin(), extensions.end());
  return o;
}

Window::Window(rt::Context& ctx, const std::string& title, int width, int height) : ctx_(ctx) {
  const VkDevice dev = ctx.vk();
  const VkPhysicalDevice physical = ctx.device().physical();
  const uint32_t family = ctx.device().queue_family();
  glfwWindowHint(GLFW_CLIENT_API, GLFW_NO_API);
  window_ = glfwCreateWindow(width, height, title.c_str(), nullptr, nullptr);
  if (!window_) throw Error("cannot open a window (" + g_glfw_error + ")");
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

bool Window::should_close() const { return glfwWindowShouldClose(window_); }

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

bool Window::present_pending(bool block) {
  const Pending p = *pending_;
  VkFence fence = frames_[p.frame].fence.get();
  if (block) {
    VKAE_CHECK(vkWaitForFences(ctx_.vk(), 1, &fence, VK_TRUE, std::numeric_limits<uint64_t>::max()));
  } else {
    const VkResult status = vkGetFenceStatus(ctx_.vk(), fence);
    if (status == VK_NOT_READY) return false;
    VKAE_CHECK(status);
  }
  // The frame has finished on the device, so presenting it cannot wait on the GPU (lavapipe's software
  // presentation waits for the frame inside vkQueuePresentKHR, holding the queue that training shares).
  VkSemaphore wait = rendered_[p.image].get();
  VkSwapchainKHR swapchain = swapchain_.get();
  VkPresentInfoKHR info{VK_STRUCTURE_TYPE_PRESENT_INFO_KHR};
  info.waitSemaphoreCount = 1;
  info.pWaitSemaphores = &wait;
  info.swapchainCount = 1;
  info.pSwapchains = &swapchain;
  info.pImageIndices = &p.image;
  VkResult r;
  {
    std::lock_guard lock(ctx_.device().queue_mutex());
    r = vkQueuePresentKHR(ctx_.device().queue(), &info);
  }
  pending_.reset();
  if (r == VK_ERROR_OUT_OF_DATE_KHR || r == VK_SUBOPTIMAL_KHR)
    rebuild_ = true;
  else
    VKAE_CHECK(r);
  latency_ms_.push_back(std::chrono::duration<double, std::milli>(Clock::now() - p.start).count());
  if (p.screenshot) write_screenshot(*p.screenshot);
  return true;
}

bool Window::begin_frame() {
  glfwPollEvents();
  if (pending_ && !present_pending(false)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return false;
  }
  int fw = 0, fh = 0;
  glfwGetFramebufferSize(window_, &fw, &fh);
  if (fw == 0 || fh == 0) {  // minimised: draw nothing until it is restored
    glfwWaitEventsTimeout(0.05);
    return false;
  }
  if (rebuild_ || uint32_t(fw) != extent_.width || uint32_t(fh) != extent_.height) {
    wait_own_frames();  // only our frames; never vkDeviceWaitIdle, which would wait for training too
    create_swapchain();
    rebuild_ = false;
    if (extent_.width == 0 || extent_.height == 0) return false;
  }
  const auto now = Clock::now();
  const bool wanted = dirty_ || input_ || active_frames_ > 0 || now - frame_start_ >= kIdleInterval;
  if (!wanted || now - frame_start_ < kFrameInterval) {
    const auto until = wanted ? kFrameInterval - (now - frame_start_) : kPollSlice;
    glfwWaitEventsTimeout(std::chrono::duration<double>(std::min<Clock::duration>(until, kPollSlice)).count());
    return false;
  }
  active_frames_ = input_ ? 3 : std::max(0, active_frames_ - 1);
  dirty_ = input_ = false;
  frame_start_ = now;
  ImGui_ImplVulkan_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  ImGui::NewFrame();
  return true;
}

void Window::end_frame(const std::filesystem::path* screenshot) {
  ImGui::Render();
  ImDrawData* draw_data = ImGui::GetDrawData();
  const VkDevice dev = ctx_.vk();
  Frame& f = frames_[frame_index_];
  VkFence fence = f.fence.get();
  if (f.submitted)  // this slot's previous frame was presented, so it finished: no real wait
    VKAE_CHECK(vkWaitForFences(dev, 1, &fence, VK_TRUE, std::numeric_limits<uint64_t>::max()));
  uint32_t image = 0;
  const VkResult acquired =
      vkAcquireNextImageKHR(dev, swapchain_.get(), std::numeric_limits<uint64_t>::max(), f.acquired.get(),
                            VK_NULL_HANDLE, &image);
  if (acquired == VK_ERROR_OUT_OF_DATE_KHR) {  // drop this frame, rebuild before the next
    rebuild_ = true;
    return;
  }
  if (acquired == VK_SUBOPTIMAL_KHR)
    rebuild_ = true;  // still usable for this frame
  else
    VKAE_CHECK(acquired);

  VKAE_CHECK(vkResetCommandPool(dev, f.pool.get(), 0));
  VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  VKAE_CHECK(vkBeginCommandBuffer(f.cmd, &begin));
  VkClearValue clear{};
  clear.color = {{0.08f, 0.08f, 0.09f, 1.0f}};
  VkRenderPassBeginInfo rp{VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO};
  rp.renderPass = render_pass_.get();
  rp.framebuffer = framebuffers_[image].get();
  rp.renderArea.extent = extent_;
  rp.clearValueCount = 1;
  rp.pClearValues = &clear;
  vkCmdBeginRenderPass(f.cmd, &rp, VK_SUBPASS_CONTENTS_INLINE);
  ImGui_ImplVulkan_RenderDrawData(draw_data, f.cmd);
  vkCmdEndRenderPass(f.cmd);
  check_imgui("ImGui_ImplVulkan_RenderDrawData");

  if (screenshot) {
    const VkDeviceSize bytes = VkDeviceSize{extent_.width} * extent_.height * 4;
    if (readback_.size() != bytes) readback_ = rt::Buffer(ctx_.device(), bytes, rt::MemoryKind::HostVisible, "screenshot");
    record_screenshot_copy(f.cmd, readback_.get(), images_[image], extent_);
  }
  VKAE_CHECK(vkEndCommandBuffer(f.cmd));

  const VkPipelineStageFlags wait_stage = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT;
  VkSemaphore wait = f.acquired.get(), signal = rendered_[image].get();
  VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  submit.waitSemaphoreCount = 1;
  submit.pWaitSemaphores = &wait;
  submit.pWaitDstStageMask = &wait_stage;
  submit.commandBufferCount = 1;
  submit.pCommandBuffers = &f.cmd;
  submit.signalSemaphoreCount = 1;
  submit.pSignalSemaphores = &signal;
  VKAE_CHECK(vkResetFences(dev, 1, &fence));
  {
    std::lock_guard lock(ctx_.device().queue_mutex());
    VKAE_CHECK(vkQueueSubmit(ctx_.device().queue(), 1, &submit, fence));
  }
  f.submitted = true;
  pending_ = Pending{frame_index_, image, screenshot ? std::optional(*screenshot) : std::nullopt, frame_start_};
  frame_index_ = (frame_index_ + 1) % kFramesInFlight;
  cpu_ms_.push_back(std::chrono::duration<double, std::milli>(Clock::now() - frame_start_).count());
}

void Window::finish() {
  if (pending_) present_pending(true);
  wait_own_frames();
}

void Window::write_screenshot(const std::filesystem::path& path) {
  write_screenshot_png(path, readback_.mapped(), extent_, format_.format);
  screenshot_written_ = path.string();
}

FrameStats Window::stats() const {
  FrameStats s;
  s.frames = latency_ms_.size();
  // The first frame includes start-up (pipeline compilation); the rest is the steady frame loop.
  std::vector<double> steady(latency_ms_.begin() + std::min<size_t>(1, latency_ms_.size()), latency_ms_.end());
  s.median_ms = median(steady);
  s.max_ms = steady.empty() ? 0 : *std::max_element(steady.begin(), steady.end());
  s.cpu_median_ms = median(cpu_ms_);
  s.cpu_max_ms = cpu_ms_.empty() ? 0 : *std::max_element(cpu_ms_.begin(), cpu_ms_.end());
  return s;
}

}  // namespace vkae::viewer
