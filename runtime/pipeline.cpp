// Pipeline creation: shader lookup, the local-size check against the SPIR-V, descriptor-set layout of storage
// buffers, push-constant range. Dispatch-time checks live in the recorder (commands.cpp).
#include "runtime/pipeline.hpp"

#include <algorithm>
#include <map>

#include "runtime/device.hpp"
#include "runtime/vulkan_error.hpp"
#include "shaders/registry.hpp"

namespace vkae::rt {

namespace {
// The few SPIR-V enumerants the local-size reader needs (SPIR-V 1.6 spec, section 3).
constexpr uint32_t kOpExecutionMode = 16, kOpConstant = 43, kOpConstantComposite = 44, kOpSpecConstant = 50,
                   kOpSpecConstantComposite = 51, kOpDecorate = 71, kOpExecutionModeId = 331;
constexpr uint32_t kModeLocalSize = 17, kModeLocalSizeId = 38;
constexpr uint32_t kDecorationSpecId = 1, kDecorationBuiltIn = 11, kBuiltInWorkgroupSize = 25;
constexpr size_t kSpirvHeaderWords = 5;

std::string size_string(const LocalSize& l) {
  return std::to_string(l.x) + "x" + std::to_string(l.y) + "x" + std::to_string(l.z);
}

const shaders::Shader& registered_shader(const char* name) {
  const shaders::Shader* shader = shaders::find(name);
  if (!shader) throw Error("pipeline: no shader named '" + std::string(name) + "' was built into vkae");
  return *shader;
}

void check_limits(const std::string& name, const PipelineDesc& desc, const LocalSize& local,
                  const VkPhysicalDeviceLimits& limits) {
  if (desc.push_size > limits.maxPushConstantsSize)
    throw Error("pipeline " + name + ": " + std::to_string(desc.push_size) +
                " bytes of push constants exceed the " + std::to_string(limits.maxPushConstantsSize) +
                " this device allows");
  if (desc.push_size % 4 != 0)
    throw Error("pipeline " + name + ": push-constant size must be a multiple of 4");
  const uint64_t invocations = uint64_t{local.x} * local.y * local.z;
  if (invocations > limits.maxComputeWorkGroupInvocations || local.x > limits.maxComputeWorkGroupSize[0] ||
      local.y > limits.maxComputeWorkGroupSize[1] || local.z > limits.maxComputeWorkGroupSize[2])
    throw Error("pipeline " + name + ": workgroup " + size_string(local) + " exceeds this device's limits");
  const auto uniforms = std::count(desc.bindings.begin(), desc.bindings.end(), Access::Uniform);
  if (desc.bindings.size() - uniforms > limits.maxPerStageDescriptorStorageBuffers)
    throw Error("pipeline " + name + ": too many storage buffers for this device");
  if (static_cast<uint32_t>(uniforms) > limits.maxPerStageDescriptorUniformBuffers)
    throw Error("pipeline " + name + ": too many uniform buffers for this device");
}

// The dispatch sizes are computed from local(): desc.local, with x specialized for a family. A shader that
// declares another size (its default, when specializable), or a family's shader whose x is not specialization
// constant 0, would silently skip or repeat work: refuse it at creation, naming both.
void check_local_size(const std::string& name, const PipelineDesc& desc, const shaders::Shader& shader) {
  const std::optional<LocalSize> declared = spirv_local_size({shader.words, shader.word_count});
  if (!declared)
    throw Error("pipeline " + name + ": the shader declares no local size (LocalSize or WorkgroupSize)");
  if (declared->x != desc.local.x || declared->y != desc.local.y || declared->z != desc.local.z)
    throw Error("pipeline " + name + ": the shader's local size is " + size_string(*declared) +
                " but its PipelineDesc says " + size_string(desc.local));
  // A family's width reaches the shader only through specialization constant 0.
  if (desc.family != Family::Fixed && spirv_local_size_x_spec_id({shader.words, shader.word_count}) != 0u)
    throw Error("pipeline " + name + ": its family's width needs local_size_x_id = 0 in the shader");
}

// What the local-size readers need from a module: its 32-bit (spec) constants, composites, SpecIds, the
// WorkgroupSize built-in and the LocalSize / LocalSizeId execution modes.
struct SpirvSizes {
  std::map<uint32_t, uint32_t> scalars;                  // id -> value of every 32-bit (spec) constant
  std::map<uint32_t, std::vector<uint32_t>> composites;  // id -> constituent ids
  std::map<uint32_t, uint32_t> spec_ids;                 // id -> its SpecId decoration
  std::optional<uint32_t> builtin_id;                    // decorated BuiltIn WorkgroupSize
  std::optional<std::array<uint32_t, 3>> mode, mode_ids;

  // The ids of x, y, z when they are constants' ids (the built-in or LocalSizeId), else empty.
  std::vector<uint32_t> size_ids() const {
    // The built-in, when present, overrides the execution mode (SPIR-V spec, WorkgroupSize).
    if (builtin_id && composites.count(*builtin_id)) return composites.at(*builtin_id);
    if (mode_ids) return {(*mode_ids)[0], (*mode_ids)[1], (*mode_ids)[2]};
    return {};
  }
};

SpirvSizes read_spirv_sizes(std::span<const uint32_t> words) {
  SpirvSizes r;
  for (size_t i = kSpirvHeaderWords; i < words.size();) {
    const uint32_t count = words[i] >> 16, op = words[i] & 0xffffu;
    if (count == 0 || i + count > words.size()) break;  // malformed: spirv-val passed it, so never here
    const std::span<const uint32_t> in = words.subspan(i + 1, count - 1);
    if ((op == kOpConstant || op == kOpSpecConstant) && in.size() == 3) r.scalars[in[1]] = in[2];
    if ((op == kOpConstantComposite || op == kOpSpecConstantComposite) && in.size() >= 2)
      r.composites[in[1]].assign(in.begin() + 2, in.end());
    if (op == kOpDecorate && in.size() == 3 && in[1] == kDecorationBuiltIn && in[2] == kBuiltInWorkgroupSize)
      r.builtin_id = in[0];
    if (op == kOpDecorate && in.size() == 3 && in[1] == kDecorationSpecId) r.spec_ids[in[0]] = in[2];
    if ((op == kOpExecutionMode || op == kOpExecutionModeId) && in.size() == 5) {
      if (in[1] == kModeLocalSize) r.mode = std::array<uint32_t, 3>{in[2], in[3], in[4]};
      if (in[1] == kModeLocalSizeId) r.mode_ids = std::array<uint32_t, 3>{in[2], in[3], in[4]};
    }
    i += count;
  }
  return r;
}
}  // namespace

VkDescriptorType descriptor_type(Access a) noexcept {
  return a == Access::Uniform ? VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER : VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
}

std::optional<LocalSize> spirv_local_size(std::span<const uint32_t> words) {
  const SpirvSizes r = read_spirv_sizes(words);
  const std::vector<uint32_t> ids = r.size_ids();
  if (!ids.empty()) {
    if (ids.size() != 3 || !r.scalars.count(ids[0]) || !r.scalars.count(ids[1]) || !r.scalars.count(ids[2]))
      return std::nullopt;
    return LocalSize{r.scalars.at(ids[0]), r.scalars.at(ids[1]), r.scalars.at(ids[2])};
  }
  if (r.mode) return LocalSize{(*r.mode)[0], (*r.mode)[1], (*r.mode)[2]};
  return std::nullopt;
}

std::optional<uint32_t> spirv_local_size_x_spec_id(std::span<const uint32_t> words) {
  const SpirvSizes r = read_spirv_sizes(words);
  const std::vector<uint32_t> ids = r.size_ids();
  if (ids.empty() || !r.spec_ids.count(ids[0])) return std::nullopt;
  return r.spec_ids.at(ids[0]);
}

Pipeline::Pipeline(const Device& device, const PipelineDesc& desc)
    : Pipeline(device, desc, registered_shader(desc.shader)) {}

Pipeline::Pipeline(const Device& device, const PipelineDesc& desc, const shaders::Shader& shader)
    : desc_(desc),
      local_{device.workgroups().width(desc.family, desc.local.x), desc.local.y, desc.local.z},
      name_(desc.shader) {
  check_limits(name_, desc, local_, device.limits());
  check_local_size(name_, desc, shader);

  std::vector<VkDescriptorSetLayoutBinding> bindings(desc.bindings.size());
  for (uint32_t i = 0; i < bindings.size(); ++i) {
    bindings[i].binding = i;
    bindings[i].descriptorType = descriptor_type(desc.bindings[i]);
    bindings[i].descriptorCount = 1;
    bindings[i].stageFlags = VK_SHADER_STAGE_COMPUTE_BIT;
  }
  VkDescriptorSetLayoutCreateInfo set_info{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
  set_info.bindingCount = static_cast<uint32_t>(bindings.size());
  set_info.pBindings = bindings.data();
  VkDescriptorSetLayout set_layout = VK_NULL_HANDLE;
  VKAE_CHECK(vkCreateDescriptorSetLayout(device.get(), &set_info, nullptr, &set_layout));
  set_layout_ = DescriptorSetLayoutHandle(device.get(), set_layout);

  VkPushConstantRange range{VK_SHADER_STAGE_COMPUTE_BIT, 0, desc.push_size};
  VkPipelineLayoutCreateInfo layout_info{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
  layout_info.setLayoutCount = 1;
  layout_info.pSetLayouts = &set_layout;
  layout_info.pushConstantRangeCount = desc.push_size > 0 ? 1 : 0;
  layout_info.pPushConstantRanges = &range;
  VkPipelineLayout layout = VK_NULL_HANDLE;
  VKAE_CHECK(vkCreatePipelineLayout(device.get(), &layout_info, nullptr, &layout));
  layout_ = PipelineLayoutHandle(device.get(), layout);

  VkShaderModuleCreateInfo module_info{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
  module_info.codeSize = shader.word_count * sizeof(uint32_t);
  module_info.pCode = shader.words;
  VkShaderModule module = VK_NULL_HANDLE;
  VKAE_CHECK(vkCreateShaderModule(device.get(), &module_info, nullptr, &module));
  ShaderModuleHandle module_handle(device.get(), module);

  VkComputePipelineCreateInfo info{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
  info.stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
  info.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
  info.stage.module = module;
  info.stage.pName = "main";
  const VkSpecializationMapEntry width_entry{0, 0, sizeof(uint32_t)};  // constant 0 = local_size_x
  const VkSpecializationInfo specialization{1, &width_entry, sizeof(uint32_t), &local_.x};
  if (desc.family != Family::Fixed) info.stage.pSpecializationInfo = &specialization;
  info.layout = layout;
  VkPipeline pipeline = VK_NULL_HANDLE;
  VKAE_CHECK(vkCreateComputePipelines(device.get(), VK_NULL_HANDLE, 1, &info, nullptr, &pipeline));
  pipeline_ = PipelineHandle(device.get(), pipeline);
}

}  // namespace vkae::rt
