// Context: device choice from options, the pipeline cache, blocking transfers through staging if needed.
#include "runtime/context.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "runtime/queue.hpp"
#include "runtime/vulkan_error.hpp"

namespace vkae::rt {

ContextOptions context_options_from_env() {
  ContextOptions options;
  options.instance = instance_options_from_env();
  if (const char* d = std::getenv("VKAE_DEVICE")) options.device = d;
  return options;
}

Context::Context(const ContextOptions& options) : instance_(options.instance) {
  const auto candidates = list_devices(instance_.get());
  const DeviceCandidate& chosen = choose_device(candidates, options.device, options.rank);
  device_ = std::make_unique<Device>(instance_.get(), chosen, options.present);
  name_ = chosen.name;
  if (chosen.type == VK_PHYSICAL_DEVICE_TYPE_CPU && !options.quiet)
    std::fprintf(stderr, "vkae: running on %s, a CPU Vulkan device (no GPU found); expect CPU speeds\n",
                 chosen.name.c_str());
  if (instance_.debug_utils_enabled()) {
    debug_.begin_label = reinterpret_cast<PFN_vkCmdBeginDebugUtilsLabelEXT>(
        vkGetInstanceProcAddr(instance_.get(), "vkCmdBeginDebugUtilsLabelEXT"));
    debug_.end_label = reinterpret_cast<PFN_vkCmdEndDebugUtilsLabelEXT>(
        vkGetInstanceProcAddr(instance_.get(), "vkCmdEndDebugUtilsLabelEXT"));
    debug_.set_name = reinterpret_cast<PFN_vkSetDebugUtilsObjectNameEXT>(
        vkGetInstanceProcAddr(instance_.get(), "vkSetDebugUtilsObjectNameEXT"));
  }
}

Context::~Context() {
  if (device_) vkDeviceWaitIdle(device_->get());
  pipelines_.clear();  // before the device goes
}

const Pipeline& Context::pipeline(const PipelineDesc& desc) {
  std::lock_guard lock(pipelines_mutex_);
  auto it = pipelines_.find(std::string_view(desc.shader));
  if (it != pipelines_.end()) return *it->second;
  auto [pos, inserted] = pipelines_.emplace(desc.shader, std::make_unique<Pipeline>(*device_, desc));
  return *pos->second;
}

void Context::run_now(const std::function<void(Recorder&)>& fn) {
  CommandList list(*this);
  fn(list.begin());
  list.end();
  Submitter submitter(*device_, 1);
  VkCommandBuffer cmd = list.get();
  submitter.wait(submitter.submit({&cmd, 1}));
}

void Context::write(BufferView dst, const void* data, size_t bytes) {
  if (bytes > dst.size)
    throw Error("write: " + std::to_string(bytes) + " bytes into a view of " + std::to_string(dst.size));
  if (bytes == 0) return;
  Buffer staging(*device_, bytes, MemoryKind::HostVisible, "staging");
  if (!staging.mapped()) throw Error("write: no host-visible memory for staging");
  std::memcpy(staging.mapped(), data, bytes);
  run_now([&](Recorder& rec) { rec.copy(dst.sub(0, bytes), staging.view()); });
}

void Context::read(BufferView src, void* data, size_t bytes) {
  if (bytes > src.size)
    throw Error("read: " + std::to_string(bytes) + " bytes from a view of " + std::to_string(src.size));
  if (bytes == 0) return;
  Buffer staging(*device_, bytes, MemoryKind::HostVisible, "staging");
  run_now([&](Recorder& rec) { rec.copy(staging.view(), src.sub(0, bytes)); });
  std::memcpy(data, staging.mapped(), bytes);
}

}  // namespace vkae::rt
