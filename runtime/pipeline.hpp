// Compute pipelines built from embedded SPIR-V. A PipelineDesc names the shader, says how each storage-buffer
// binding is accessed (the recorder derives barriers from it) and the push-constant size; the Pipeline checks
// these against the device limits once, at creation, and the local size against the one the SPIR-V declares.
#pragma once
#include <vulkan/vulkan.h>

#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "runtime/handle.hpp"
#include "runtime/workgroups.hpp"

namespace vkae::shaders {
struct Shader;
}

namespace vkae::rt {

class Device;

// Uniform: read, bound as a uniform buffer (at most maxUniformBufferRange bytes). On lavapipe a
// uniform-buffer load is one gather without branches, where a storage-buffer load is a loop over the SIMD
// lanes with a bounds test per lane (dev/conv/README.md, fwd_08): small read-only tensors (weights) go there.
enum class Access : uint8_t { Read, Write, ReadWrite, Uniform };

// The descriptor type a binding of this access is.
VkDescriptorType descriptor_type(Access a) noexcept;

// The threads-per-workgroup a shader declares; dispatch sizes are computed from it.
struct LocalSize {
  uint32_t x = 1, y = 1, z = 1;
};

struct PipelineDesc {
  const char* shader = "";       // file name under shaders/ without ".comp"
  std::vector<Access> bindings;  // binding i of set 0 is a buffer accessed like this
  uint32_t push_size = 0;        // bytes of push constants (0: none)
  LocalSize local{64, 1, 1};     // the shader's local_size; Pipeline throws when they differ
  // Not Fixed: the shader's local_size_x is specialization constant 0, `local.x` its default, and the
  // pipeline runs at the device's width for the family (Pipeline::local(); dispatches are sized from it).
  Family family = Family::Fixed;
};

// The workgroup size a SPIR-V module declares: its WorkgroupSize built-in if it has one, else the LocalSize
// (or LocalSizeId) execution mode, with specialization constants at their defaults.
// nullopt when the words declare neither.
std::optional<LocalSize> spirv_local_size(std::span<const uint32_t> words);
// The SpecId of the specialization constant that gives the local size's x, nullopt when x is a constant.
std::optional<uint32_t> spirv_local_size_x_spec_id(std::span<const uint32_t> words);

class Pipeline {
 public:
  // The shader named by desc.shader in the built-in registry (shaders/registry.hpp).
  Pipeline(const Device& device, const PipelineDesc& desc);
  // `shader` instead of the registry's (the dev/ kernel variants); desc.shader names it in messages.
  Pipeline(const Device& device, const PipelineDesc& desc, const shaders::Shader& shader);

  VkPipeline get() const noexcept { return pipeline_.get(); }
  VkPipelineLayout layout() const noexcept { return layout_.get(); }
  VkDescriptorSetLayout set_layout() const noexcept { return set_layout_.get(); }
  const PipelineDesc& desc() const noexcept { return desc_; }
  // The local size the pipeline runs at: desc().local with x specialized for its family on this device.
  const LocalSize& local() const noexcept { return local_; }
  const std::string& name() const noexcept { return name_; }

 private:
  PipelineDesc desc_;
  LocalSize local_;
  std::string name_;
  DescriptorSetLayoutHandle set_layout_;
  PipelineLayoutHandle layout_;
  PipelineHandle pipeline_;
};

}  // namespace vkae::rt
