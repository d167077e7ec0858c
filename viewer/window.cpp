// The window's lifetime: the constructor's steps in order (GLFW window and surface, the Vulkan objects of
// window_vulkan.cpp, input callbacks, Dear ImGui's backends and fonts) and the teardown in the right order.
// Drawing and presenting frames is frame_loop.cpp's; GLFW itself glfw.cpp's.
#include "viewer/window.hpp"

#define GLFW_INCLUDE_VULKAN
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_vulkan.h>

#include <limits>
#include <mutex>
#include <utility>

#include "runtime/vulkan_error.hpp"
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
  glfwWindowHint(GLFW_CLIENT_API, GLFW_NO_API);
  window_ = glfwCreateWindow(width, height, title.c_str(), nullptr, nullptr);
  if (!window_) throw Error("cannot open a window (" + glfw_last_error() + ")");
  try {
    create_surface();
    choose_surface_format();
    choose_present_mode();
    create_render_pass();
    create_frames();
    create_swapchain();
    create_imgui_pool();
    install_input_callbacks();
    init_imgui();
    upload_fonts();
  } catch (...) {
    release();
    throw;
  }
  frame_start_ = Clock::now() - kIdleInterval;
}

void Window::create_surface() {
  const VkPhysicalDevice physical = ctx_.device().physical();
  const uint32_t family = ctx_.device().queue_family();
  VKAE_CHECK(glfwCreateWindowSurface(ctx_.instance().get(), window_, nullptr, &surface_));
  uint32_t nfam = 0;
  vkGetPhysicalDeviceQueueFamilyProperties(physical, &nfam, nullptr);
  std::vector<VkQueueFamilyProperties> families(nfam);
  vkGetPhysicalDeviceQueueFamilyProperties(physical, &nfam, families.data());
  VkBool32 can_present = VK_FALSE;
  VKAE_CHECK(vkGetPhysicalDeviceSurfaceSupportKHR(physical, family, surface_, &can_present));
  if (!(families[family].queueFlags & VK_QUEUE_GRAPHICS_BIT) || !can_present)
    throw rt::NoDeviceError(ctx_.device_name() + ": its compute queue cannot draw and present to a window");
}

void Window::create_imgui_pool() {
  VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 4};
  VkDescriptorPoolCreateInfo dp{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
  dp.flags = VK_DESCRIPTOR_POOL_CREATE_FREE_DESCRIPTOR_SET_BIT;
  dp.maxSets = 4;
  dp.poolSizeCount = 1;
  dp.pPoolSizes = &size;
  VkDescriptorPool pool = VK_NULL_HANDLE;
  VKAE_CHECK(vkCreateDescriptorPool(ctx_.vk(), &dp, nullptr, &pool));
  imgui_pool_ = rt::DescriptorPoolHandle(ctx_.vk(), pool);
}

// Any input asks for frames. Installed before ImGui's backend, which chains to them.
void Window::install_input_callbacks() {
  glfwSetWindowUserPointer(window_, this);
  glfwSetCursorPosCallback(window_, [](GLFWwindow* w, double, double) { note_input(w); });
  glfwSetMouseButtonCallback(window_, [](GLFWwindow* w, int, int, int) { note_input(w); });
  glfwSetScrollCallback(window_, [](GLFWwindow* w, double, double) { note_input(w); });
  glfwSetKeyCallback(window_, [](GLFWwindow* w, int, int, int, int) { note_input(w); });
  glfwSetCharCallback(window_, [](GLFWwindow* w, unsigned) { note_input(w); });
  glfwSetWindowFocusCallback(window_, [](GLFWwindow* w, int) { note_input(w); });
  glfwSetWindowRefreshCallback(window_, [](GLFWwindow* w) { note_input(w); });
  glfwSetFramebufferSizeCallback(window_, [](GLFWwindow* w, int, int) { note_input(w); });
}

void Window::init_imgui() {
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGui::GetIO().IniFilename = nullptr;  // no imgui.ini next to the user's files
  ImGui::StyleColorsDark();
  ImGui_ImplGlfw_InitForVulkan(window_, true);
  ImGui_ImplVulkan_InitInfo info{};
  info.Instance = ctx_.instance().get();
  info.PhysicalDevice = ctx_.device().physical();
  info.Device = ctx_.vk();
  info.QueueFamily = ctx_.device().queue_family();
  info.Queue = ctx_.device().queue();
  info.DescriptorPool = imgui_pool_.get();
  info.MinImageCount = 2;
  // The backend keeps this many vertex/index buffer sets and reuses them round-robin: one per frame slot.
  info.ImageCount = kFramesInFlight;
  info.MSAASamples = VK_SAMPLE_COUNT_1_BIT;
  info.CheckVkResultFn = on_imgui_result;
  ImGui_ImplVulkan_Init(&info, render_pass_.get());
  imgui_ready_ = true;
  check_imgui("ImGui_ImplVulkan_Init");
}

// Uploaded once, with a submit and a wait (start-up, nothing else is running yet).
void Window::upload_fonts() {
  ctx_.run_now([](rt::Recorder& rec) { ImGui_ImplVulkan_CreateFontsTexture(rec.command_buffer()); });
  ImGui_ImplVulkan_DestroyFontUploadObjects();
  check_imgui("ImGui_ImplVulkan_CreateFontsTexture");
}

Window::~Window() {
  release();
}

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

}  // namespace vkae::viewer
