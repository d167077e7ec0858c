// Pipeline creation: shader lookup, the local-size check against the SPIR-V, descriptor-set layout of storage
// buffers, push-constant range. Dispatch-time checks live in the recorder (commands.cpp).
#include "runtime/pipeline.hpp"

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
constexpr uint32_t kDecorationBuiltIn = 11, kBuiltInWorkgroupSize = 25;
constexpr size_t kSpirvHeaderWords = 5;

std::string size_string(const LocalSize& l) {
  return std::to_string(l.x) + "x" + std::to_string(l.y) + "x" + std::to_string(l.z);
}

const shaders::Shader& registered_shader(const char* name) {
  const shaders::Shader* shader = shaders::find(name);
  if (!shader) throw Error("pipeline: no shader named '" + std::string(name) + "' was built into vkae");
  return *shader;
}

void check_limits(const std::string& name, const PipelineDesc& desc, const VkPhysicalDeviceLimits& limits) {
  if (desc.push_size > limits.maxPushConstantsSize)
    throw Error("pipeline " + name + ": " + std::to_string(desc.push_size) +
                " bytes of push constants exceed the " + std::to_string(limits.maxPushConstantsSize) +
                " this device allows");
  if (desc.push_size % 4 != 0)
    throw Error("pipeline " + name + ": push-constant size must be a multiple of 4");
  const uint64_t invocations = uint64_t{desc.local.x} * desc.local.y * desc.local.z;
  if (invocations > limits.maxComputeWorkGroupInvocations ||
      desc.local.x > limits.maxComputeWorkGroupSize[0] || desc.local.y > limits.maxComputeWorkGroupSize[1] ||
      desc.local.z > limits.maxComputeWorkGroupSize[2])
    throw Error("pipeline " + name + ": workgroup " + std::to_string(desc.local.x) + "x" +
                std::to_string(desc.local.y) + "x" + std::to_string(desc.local.z) +
                " exceeds this device's limits");
  if (desc.bindings.size() > limits.maxPerStageDescriptorStorageBuffers)
    throw Error("pipeline " + name + ": too many storage buffers for this device");
}

// The dispatch sizes are computed from desc.local, so a shader declaring another size would silently skip or
// repeat work: refuse it at creation, naming both.
void check_local_size(const std::string& name, const PipelineDesc& desc, const shaders::Shader& shader) {
  const std::optional<LocalSize> declared = spirv_local_size({shader.words, shader.word_count});
  if (!declared)
    throw Error("pipeline " + name + ": the shader declares no local size (LocalSize or WorkgroupSize)");
  if (declared->x != desc.local.x || declared->y != desc.local.y || declared->z != desc.local.z)
    throw Error("pipeline " + name + ": the shader's local size is " + size_string(*declared) +
                " but its PipelineDesc says " + size_string(desc.local));
}
}  // namespace

std::optional<LocalSize> spirv_local_size(std::span<const uint32_t> words) {
  std::map<uint32_t, uint32_t> scalars;                  // id -> value of every 32-bit (spec) constant
  std::map<uint32_t, std::vector<uint32_t>> composites;  // id -> constituent ids
  std::optional<uint32_t> builtin_id;                    // decorated BuiltIn WorkgroupSize
  std::optional<std::array<uint32_t, 3>> mode, mode_ids;
  for (size_t i = kSpirvHeaderWords; i < words.size();) {
    const uint32_t count = words[i] >> 16, op = words[i] & 0xffffu;
    if (count == 0 || i + count > words.size()) break;  // malformed: spirv-val passed it, so never here
    const std::span<const uint32_t> in = words.subspan(i + 1, count - 1);
    if ((op == kOpConstant || op == kOpSpecConstant) && in.size() == 3) scalars[in[1]] = in[2];
    if ((op == kOpConstantComposite || op == kOpSpecConstantComposite) && in.size() >= 2)
      composites[in[1]].assign(in.begin() + 2, in.end());
    if (op == kOpDecorate && in.size() == 3 && in[1] == kDecorationBuiltIn && in[2] == kBuiltInWorkgroupSize)
      builtin_id = in[0];
    if ((op == kOpExecutionMode || op == kOpExecutionModeId) && in.size() == 5) {
      if (in[1] == kModeLocalSize) mode = std::array<uint32_t, 3>{in[2], in[3], in[4]};
      if (in[1] == kModeLocalSizeId) mode_ids = std::array<uint32_t, 3>{in[2], in[3], in[4]};
    }
    i += count;
  }
  const auto from_ids = [&](std::span<const uint32_t> ids) -> std::optional<LocalSize> {
    if (ids.size() != 3 || !scalars.count(ids[0]) || !scalars.count(ids[1]) || !scalars.count(ids[2]))
      return std::nullopt;
    return LocalSize{scalars[ids[0]], scalars[ids[1]], scalars[ids[2]]};
  };
  // The built-in, when present, overrides the execution mode (SPIR-V spec, WorkgroupSize).
  if (builtin_id && composites.count(*builtin_id)) return from_ids(composites[*builtin_id]);
  if (mode_ids) return from_ids(*mode_ids);
  if (mode) return LocalSize{(*mode)[0], (*mode)[1], (*mode)[2]};
  return std::nullopt;
}

Pipeline::Pipeline(const Device& device, const PipelineDesc& desc)
    : Pipeline(device, desc, registered_shader(desc.shader)) {}

Pipeline::Pipeline(const Device& device, const PipelineDesc& desc, const shaders::Shader& shader)
    : desc_(desc), name_(desc.shader) {
  check_limits(name_, desc, device.limits());
  check_local_size(name_, desc, shader);

  std::vector<VkDescriptorSetLayoutBinding> bindings(desc.bindings.size());
  for (uint32_t i = 0; i < bindings.size(); ++i) {
    bindings[i].binding = i;
    bindings[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
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
  info.layout = layout;
  VkPipeline pipeline = VK_NULL_HANDLE;
  VKAE_CHECK(vkCreateComputePipelines(device.get(), VK_NULL_HANDLE, 1, &info, nullptr, &pipeline));
  pipeline_ = PipelineHandle(device.get(), pipeline);
}

}  // namespace vkae::rt
