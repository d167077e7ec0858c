// Pipeline creation: shader lookup, descriptor-set layout of storage buffers, push-constant range.
#include "runtime/pipeline.hpp"

#include "runtime/device.hpp"
#include "runtime/error.hpp"
#include "shaders/registry.hpp"

namespace vkae::rt {

Pipeline::Pipeline(const Device& device, const PipelineDesc& desc) : desc_(desc), name_(desc.shader) {
  const shaders::Shader* shader = shaders::find(desc.shader);
  if (!shader) throw Error("pipeline: no shader named '" + name_ + "' was built into vkae");
  const auto& limits = device.limits();
  if (desc.push_size > limits.maxPushConstantsSize)
    throw Error("pipeline " + name_ + ": " + std::to_string(desc.push_size) + " bytes of push constants exceed the " +
                std::to_string(limits.maxPushConstantsSize) + " this device allows");
  if (desc.push_size % 4 != 0) throw Error("pipeline " + name_ + ": push-constant size must be a multiple of 4");
  const uint64_t invocations = uint64_t{desc.local.x} * desc.local.y * desc.local.z;
  if (invocations > limits.maxComputeWorkGroupInvocations || desc.local.x > limits.maxComputeWorkGroupSize[0] ||
      desc.local.y > limits.maxComputeWorkGroupSize[1] || desc.local.z > limits.maxComputeWorkGroupSize[2])
    throw Error("pipeline " + name_ + ": workgroup " + std::to_string(desc.local.x) + "x" +
                std::to_string(desc.local.y) + "x" + std::to_string(desc.local.z) + " exceeds this device's limits");
  if (desc.bindings.size() > limits.maxPerStageDescriptorStorageBuffers)
    throw Error("pipeline " + name_ + ": too many storage buffers for this device");

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
  module_info.codeSize = shader->word_count * sizeof(uint32_t);
  module_info.pCode = shader->words;
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
