// The Context ties instance, device, pipeline cache and blocking host transfers together: the one object
// every op, model and test takes. It owns no tensors; buffers and arenas belong to their users.
#pragma once
#include <vulkan/vulkan.h>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>

#include "runtime/buffer.hpp"
#include "runtime/commands.hpp"
#include "runtime/device.hpp"
#include "runtime/instance.hpp"
#include "runtime/pipeline.hpp"

namespace vkae::rt {

struct ContextOptions {
  InstanceOptions instance;
  std::string device;    // "" = best; index or name substring (--device, VKAE_DEVICE)
  bool quiet = false;    // no "running on the CPU" note
  bool present = false;  // the device will present to a window (viewer)
  uint32_t rank = 0;     // data parallel: with device "", rank r takes the r-th suitable device (modulo)
};

// VKAE_VALIDATION and VKAE_DEVICE applied to defaults.
ContextOptions context_options_from_env();

struct DebugFunctions {
  PFN_vkCmdBeginDebugUtilsLabelEXT begin_label = nullptr;
  PFN_vkCmdEndDebugUtilsLabelEXT end_label = nullptr;
  PFN_vkSetDebugUtilsObjectNameEXT set_name = nullptr;
};

class Context {
 public:
  explicit Context(const ContextOptions& options);
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;
  ~Context();

  Instance& instance() noexcept { return instance_; }
  const Device& device() const noexcept { return *device_; }
  VkDevice vk() const noexcept { return device_->get(); }
  const DebugFunctions& debug_functions() const noexcept { return debug_; }
  const std::string& device_name() const noexcept { return name_; }

  // Created on first use, keyed by shader name; lives as long as the context.
  const Pipeline& pipeline(const PipelineDesc& desc);

  // Blocking host transfers; use only when no submitted work touches `view`.
  void write(BufferView dst, const void* data, size_t bytes);
  void read(BufferView src, void* data, size_t bytes);
  template <typename T>
  void write(BufferView dst, std::span<const T> data) {
    write(dst, data.data(), data.size_bytes());
  }
  template <typename T>
  std::vector<T> read(BufferView src) {
    std::vector<T> out(src.size / sizeof(T));
    read(src, out.data(), out.size() * sizeof(T));
    return out;
  }

  // Records with `fn`, submits, and waits: for set-up and tests, never for the training loop.
  void run_now(const std::function<void(Recorder&)>& fn);

 private:
  Instance instance_;
  std::unique_ptr<Device> device_;
  std::string name_;
  DebugFunctions debug_;
  std::mutex pipelines_mutex_;
  std::map<std::string, std::unique_ptr<Pipeline>, std::less<>> pipelines_;
};

}  // namespace vkae::rt
