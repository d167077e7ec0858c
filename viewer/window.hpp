// The viewer's window: a GLFW window, a Vulkan surface and swapchain on the training device, and Dear ImGui's
// GLFW and Vulkan backends. Runs the example_glfw_vulkan frame loop without ever waiting on the GPU: a frame
// is presented only once its own fence has signalled (lavapipe's software presentation would otherwise wait
// for the frame, and the one queue is shared with training). Knows nothing about training; panels.hpp draws.
// Made in window.cpp and window_vulkan.cpp, driven in frame_loop.cpp; GLFW's lifetime is glfw.hpp's.
#pragma once
#include <vulkan/vulkan.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "runtime/buffer.hpp"
#include "runtime/context.hpp"
#include "runtime/handle.hpp"

struct GLFWwindow;
struct ImDrawData;

namespace vkae::viewer {

struct FrameStats {
  uint64_t frames = 0;
  double median_ms = 0, max_ms = 0;          // frame time: from starting a frame to presenting it
  double cpu_median_ms = 0, cpu_max_ms = 0;  // time to build and submit one frame on the host
};

class Window {
 public:
  Window(rt::Context& ctx, const std::string& title, int width, int height);
  Window(const Window&) = delete;
  Window& operator=(const Window&) = delete;
  ~Window();

  bool should_close() const;
  // Polls events; presents the previous frame once its fence has signalled; rebuilds the swapchain when it is
  // out of date or resized. True when a new frame should be built now (ImGui::NewFrame has been called);
  // false while minimised, while the previous frame is still on the device, or when nothing needs drawing:
  // frames are drawn on input (up to ~30 fps), after mark_dirty(), and a few times a second otherwise.
  bool begin_frame();
  // What the panels show has changed: draw a frame soon.
  void mark_dirty() noexcept { dirty_ = true; }
  // Renders ImGui's draw data and submits it (presented by a later begin_frame or by finish()). With
  // `screenshot`, the frame is also copied into a host buffer and written as a PNG once it finished.
  void end_frame(const std::filesystem::path* screenshot = nullptr);
  // Presents the last frame if it is still pending (waits for it: for shutdown and screenshots only).
  void finish();

  VkExtent2D extent() const noexcept { return extent_; }
  FrameStats stats() const;
  const std::string& screenshot_written() const noexcept { return screenshot_written_; }

 private:
  using RenderPassHandle = rt::DeviceHandle<VkRenderPass, vkDestroyRenderPass>;
  using FramebufferHandle = rt::DeviceHandle<VkFramebuffer, vkDestroyFramebuffer>;
  using ImageViewHandle = rt::DeviceHandle<VkImageView, vkDestroyImageView>;
  using SwapchainHandle = rt::DeviceHandle<VkSwapchainKHR, vkDestroySwapchainKHR>;

  struct Frame {
    rt::CommandPoolHandle pool;
    VkCommandBuffer cmd = VK_NULL_HANDLE;
    rt::FenceHandle fence;
    rt::SemaphoreHandle acquired;
    bool submitted = false;
  };
  struct Pending {
    uint32_t frame = 0, image = 0;
    std::optional<std::filesystem::path> screenshot;
    std::chrono::steady_clock::time_point start;
  };

  static constexpr uint32_t kFramesInFlight = 2;
  // At most ~30 fps, and only while there is input or news: on a CPU device every frame drawn is time taken
  // from training (a 1280x760 frame costs ~20 ms of CPU on lavapipe + Xvfb).
  static constexpr auto kFrameInterval = std::chrono::milliseconds(33);
  static constexpr auto kIdleInterval =
      std::chrono::milliseconds(250);  // clocks and ETA still tick when idle
  static constexpr auto kPollSlice = std::chrono::milliseconds(15);

  static void note_input(GLFWwindow* window) noexcept;  // GLFW callbacks: frames are wanted
  static void check_imgui(const char* what);            // throws the first failure ImGui's backend reported
  // The constructor's steps, in its order (window.cpp; the Vulkan objects in window_vulkan.cpp).
  void create_surface();  // and checks that the training queue can present to it
  void choose_surface_format();
  void choose_present_mode();
  void create_render_pass();
  void create_frames();
  void create_imgui_pool();
  void install_input_callbacks();
  void init_imgui();
  void upload_fonts();
  // (Re)builds the swapchain for the current size; leaves none while minimised.
  void create_swapchain();
  void replace_swapchain(const VkSurfaceCapabilitiesKHR& caps);
  void create_framebuffers();       // image views and framebuffers of the swapchain's images
  void wait_own_frames() noexcept;  // our fences only; training's submits keep running
  void release() noexcept;          // the destructor's work; also undoes a half-finished constructor
  bool present_pending(bool block);
  // end_frame's steps. acquire_image: nullopt when the swapchain is out of date (the frame is dropped).
  std::optional<uint32_t> acquire_image(Frame& f);
  void record_frame(Frame& f, uint32_t image, ImDrawData* draw_data, bool screenshot);
  void submit_frame(Frame& f, uint32_t image);
  void write_screenshot(const std::filesystem::path& path);

  rt::Context& ctx_;
  GLFWwindow* window_ = nullptr;
  VkSurfaceKHR surface_ = VK_NULL_HANDLE;
  VkSurfaceFormatKHR format_{};
  VkPresentModeKHR present_mode_ = VK_PRESENT_MODE_FIFO_KHR;
  VkExtent2D extent_{};
  SwapchainHandle swapchain_;
  RenderPassHandle render_pass_;
  rt::DescriptorPoolHandle imgui_pool_;
  std::vector<VkImage> images_;
  std::vector<ImageViewHandle> views_;
  std::vector<FramebufferHandle> framebuffers_;
  std::vector<rt::SemaphoreHandle> rendered_;  // one per swapchain image
  std::vector<Frame> frames_;
  uint32_t frame_index_ = 0;
  std::optional<Pending> pending_;
  bool rebuild_ = false;
  bool imgui_ready_ = false;
  rt::Buffer readback_;
  std::string screenshot_written_;

  using Clock = std::chrono::steady_clock;
  Clock::time_point frame_start_{};
  bool dirty_ = true, input_ = false;
  int active_frames_ = 0;  // frames still to draw after input, so ImGui's hover and click states settle
  std::vector<double> latency_ms_, cpu_ms_;
};

}  // namespace vkae::viewer
