// The window's frame loop without GPU waits: begin_frame paces frames (input, news, idle ticks) and presents
// the previous frame only once its fence has signalled; end_frame acquires an image, records ImGui's draw
// data (and a screenshot copy) and submits it; stats sums up frame times. The objects it uses are made in
// window.cpp and window_vulkan.cpp.
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_vulkan.h>

#include <algorithm>
#include <limits>
#include <mutex>
#include <thread>

#include "runtime/vulkan_error.hpp"
#include "viewer/screenshot.hpp"
#include "viewer/window.hpp"

namespace vkae::viewer {
namespace {

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

}  // namespace

bool Window::should_close() const {
  return glfwWindowShouldClose(window_);
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
    glfwWaitEventsTimeout(
        std::chrono::duration<double>(std::min<Clock::duration>(until, kPollSlice)).count());
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
  Frame& f = frames_[frame_index_];
  const std::optional<uint32_t> image = acquire_image(f);
  if (!image) return;  // out of date: this frame is dropped, the swapchain rebuilt before the next
  record_frame(f, *image, draw_data, screenshot != nullptr);
  submit_frame(f, *image);
  pending_ =
      Pending{frame_index_, *image, screenshot ? std::optional(*screenshot) : std::nullopt, frame_start_};
  frame_index_ = (frame_index_ + 1) % kFramesInFlight;
  cpu_ms_.push_back(std::chrono::duration<double, std::milli>(Clock::now() - frame_start_).count());
}

std::optional<uint32_t> Window::acquire_image(Frame& f) {
  const VkDevice dev = ctx_.vk();
  VkFence fence = f.fence.get();
  if (f.submitted)  // this slot's previous frame was presented, so it finished: no real wait
    VKAE_CHECK(vkWaitForFences(dev, 1, &fence, VK_TRUE, std::numeric_limits<uint64_t>::max()));
  uint32_t image = 0;
  const VkResult acquired = vkAcquireNextImageKHR(dev, swapchain_.get(), std::numeric_limits<uint64_t>::max(),
                                                  f.acquired.get(), VK_NULL_HANDLE, &image);
  if (acquired == VK_ERROR_OUT_OF_DATE_KHR) {
    rebuild_ = true;
    return std::nullopt;
  }
  if (acquired == VK_SUBOPTIMAL_KHR)
    rebuild_ = true;  // still usable for this frame
  else
    VKAE_CHECK(acquired);
  return image;
}

void Window::record_frame(Frame& f, uint32_t image, ImDrawData* draw_data, bool screenshot) {
  VKAE_CHECK(vkResetCommandPool(ctx_.vk(), f.pool.get(), 0));
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
    if (readback_.size() != bytes)
      readback_ = rt::Buffer(ctx_.device(), bytes, rt::MemoryKind::HostVisible, "screenshot");
    record_screenshot_copy(f.cmd, readback_.get(), images_[image], extent_);
  }
  VKAE_CHECK(vkEndCommandBuffer(f.cmd));
}

void Window::submit_frame(Frame& f, uint32_t image) {
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
  VkFence fence = f.fence.get();
  VKAE_CHECK(vkResetFences(ctx_.vk(), 1, &fence));
  {
    std::lock_guard lock(ctx_.device().queue_mutex());
    VKAE_CHECK(vkQueueSubmit(ctx_.device().queue(), 1, &submit, fence));
  }
  f.submitted = true;
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
  std::vector<double> steady(latency_ms_.begin() + std::min<size_t>(1, latency_ms_.size()),
                             latency_ms_.end());
  s.median_ms = median(steady);
  s.max_ms = steady.empty() ? 0 : *std::max_element(steady.begin(), steady.end());
  s.cpu_median_ms = median(cpu_ms_);
  s.cpu_max_ms = cpu_ms_.empty() ? 0 : *std::max_element(cpu_ms_.begin(), cpu_ms_.end());
  return s;
}

}  // namespace vkae::viewer
