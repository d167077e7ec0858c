// Compute pipelines built from embedded SPIR-V. A PipelineDesc names the shader, says how each storage-buffer
// binding is accessed (the recorder derives barriers from it) and the push-constant size; the Pipeline checks
// these against the device limits once, at creation.
#pragma once
#include <vulkan/vulkan.h>

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "runtime/handle.hpp"

namespace vkae::rt {

class Device;

enum class Access : uint8_t { Read, Write, ReadWrite };

// The threads-per-workgroup a shader declares; dispatch sizes are computed from it.
struct LocalSize {
  uint32_t x = 1, y = 1, z = 1;
};

struct PipelineDesc {
  const char* shader = "";          // file name under shaders/ without ".comp"
  std::vector<Access> bindings;     // binding i of set 0 is a storage buffer accessed like this
  uint32_t push_size = 0;           // bytes of push constants (0: none)
  LocalSize local{64, 1, 1};        // must match the shader's local_size
};

class Pipeline {
 public:
  Pipeline(const Device& device, const PipelineDesc& desc);

  VkPipeline get() const noexcept { return pipeline_.get(); }
  VkPipelineLayout layout() const noexcept { return layout_.get(); }
  VkDescriptorSetLayout set_layout() const noexcept { return set_layout_.get(); }
  const PipelineDesc& desc() const noexcept { return desc_; }
  const std::string& name() const noexcept { return name_; }

 private:
  PipelineDesc desc_;
  std::string name_;
  DescriptorSetLayoutHandle set_layout_;
  PipelineLayoutHandle layout_;
  PipelineHandle pipeline_;
};

}  // namespace vkae::rt
