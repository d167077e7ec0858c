// Recorder and CommandList: descriptor sets, dispatch checks, automatic barriers.
#include "runtime/commands.hpp"

#include <cstring>

#include "runtime/context.hpp"
#include "runtime/timestamps.hpp"
#include "runtime/vulkan_error.hpp"

namespace vkae::rt {
namespace {

constexpr uint32_t kSetsPerPool = 256;
constexpr uint32_t kBuffersPerPool = kSetsPerPool * 8;
constexpr uint32_t kUniformsPerPool = kSetsPerPool * 2;  // the 1-channel forward binds two

// Every write of compute or transfer work before it, visible to every read or write of such work after it.
void record_full_barrier(VkCommandBuffer cmd) {
  VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
  barrier.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
  barrier.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_UNIFORM_READ_BIT |
                          VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_READ_BIT |
                          VK_ACCESS_TRANSFER_WRITE_BIT;
  const VkPipelineStageFlags stages = VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT;
  vkCmdPipelineBarrier(cmd, stages, stages, 0, 1, &barrier, 0, nullptr, 0, nullptr);
}

// A binding's range and offset against the device's limits for its descriptor type.
void check_binding_range(const std::string& pipeline, size_t i, const BufferView& b, bool uniform,
                         const VkPhysicalDeviceLimits& limits) {
  const char* kind = uniform ? "Uniform" : "Storage";
  const VkDeviceSize range = uniform ? limits.maxUniformBufferRange : limits.maxStorageBufferRange;
  const VkDeviceSize align =
      uniform ? limits.minUniformBufferOffsetAlignment : limits.minStorageBufferOffsetAlignment;
  if (b.size > range)
    throw Error("dispatch " + pipeline + ": binding " + std::to_string(i) + " spans " +
                std::to_string(b.size) + " bytes, more than this device's max" + kind + "BufferRange");
  if (b.offset % align != 0)
    throw Error("dispatch " + pipeline + ": binding " + std::to_string(i) + " offset " +
                std::to_string(b.offset) + " is not aligned to min" + kind + "BufferOffsetAlignment");
}

}  // namespace

const Pipeline& Recorder::pipeline(const PipelineDesc& desc) {
  return ctx_->pipeline(desc);
}

void Recorder::track(std::span<const Touch> touches) {
  bool hazard = false;
  for (const Touch& t : touches)
    for (const Touch& p : pending_)
      if ((t.write || p.write) && t.view.overlaps(p.view)) hazard = true;
  if (hazard && auto_barriers_) barrier();
  pending_.insert(pending_.end(), touches.begin(), touches.end());
}

void Recorder::barrier() {
  record_full_barrier(cmd_);
  pending_.clear();
  ++barriers_;
}

VkDescriptorSet Recorder::allocate_set(VkDescriptorSetLayout layout, uint32_t buffers) {
  VkDescriptorSetAllocateInfo info{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
  info.descriptorSetCount = 1;
  info.pSetLayouts = &layout;
  VkDescriptorSet set = VK_NULL_HANDLE;
  if (!pools_->empty()) {
    info.descriptorPool = pools_->back().get();
    VkResult r = vkAllocateDescriptorSets(ctx_->vk(), &info, &set);
    if (r == VK_SUCCESS) return set;
    if (r != VK_ERROR_OUT_OF_POOL_MEMORY && r != VK_ERROR_FRAGMENTED_POOL) VKAE_CHECK(r);
  }
  // The current pool is full (or there is none yet): start another.
  const VkDescriptorPoolSize sizes[2] = {
      {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, std::max(kBuffersPerPool, buffers)},
      {VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER, std::max(kUniformsPerPool, buffers)}};
  VkDescriptorPoolCreateInfo pool_info{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
  pool_info.maxSets = kSetsPerPool;
  pool_info.poolSizeCount = 2;
  pool_info.pPoolSizes = sizes;
  VkDescriptorPool pool = VK_NULL_HANDLE;
  VKAE_CHECK(vkCreateDescriptorPool(ctx_->vk(), &pool_info, nullptr, &pool));
  pools_->emplace_back(ctx_->vk(), pool);
  info.descriptorPool = pool;
  VKAE_CHECK(vkAllocateDescriptorSets(ctx_->vk(), &info, &set));
  return set;
}

void Recorder::dispatch(const Pipeline& pipeline, std::span<const BufferView> bindings, const void* push,
                        uint32_t push_size, Groups groups) {
  const PipelineDesc& desc = pipeline.desc();
  if (bindings.size() != desc.bindings.size())
    throw Error("dispatch " + pipeline.name() + ": " + std::to_string(bindings.size()) +
                " buffers bound, the shader has " + std::to_string(desc.bindings.size()) + " bindings");
  if (push_size != desc.push_size)
    throw Error("dispatch " + pipeline.name() + ": " + std::to_string(push_size) +
                " bytes of push constants, expected " + std::to_string(desc.push_size));
  const auto& limits = ctx_->device().limits();
  if (groups.x == 0 || groups.y == 0 || groups.z == 0) return;  // nothing to do (an empty tensor)
  if (groups.x > limits.maxComputeWorkGroupCount[0] || groups.y > limits.maxComputeWorkGroupCount[1] ||
      groups.z > limits.maxComputeWorkGroupCount[2])
    throw Error("dispatch " + pipeline.name() + ": " + std::to_string(groups.x) + "x" +
                std::to_string(groups.y) + "x" + std::to_string(groups.z) +
                " workgroups exceed this device's maxComputeWorkGroupCount");

  std::vector<Touch> touches;
  std::vector<VkDescriptorBufferInfo> infos(bindings.size());
  std::vector<VkWriteDescriptorSet> writes(bindings.size());
  const VkDescriptorSet set = allocate_set(pipeline.set_layout(), static_cast<uint32_t>(bindings.size()));
  for (size_t i = 0; i < bindings.size(); ++i) {
    const BufferView& b = bindings[i];
    if (b.buffer == VK_NULL_HANDLE || b.size == 0)
      throw Error("dispatch " + pipeline.name() + ": binding " + std::to_string(i) + " is empty");
    const Access a = desc.bindings[i];
    check_binding_range(pipeline.name(), i, b, a == Access::Uniform, limits);
    infos[i] = {b.buffer, b.offset, b.size};
    writes[i] = {VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
    writes[i].dstSet = set;
    writes[i].dstBinding = static_cast<uint32_t>(i);
    writes[i].descriptorCount = 1;
    writes[i].descriptorType = descriptor_type(a);
    writes[i].pBufferInfo = &infos[i];
    if (a != Access::Write) touches.push_back({b, false});
    if (a != Access::Read) touches.push_back({b, true});
  }
  vkUpdateDescriptorSets(ctx_->vk(), static_cast<uint32_t>(writes.size()), writes.data(), 0, nullptr);
  track(touches);

  vkCmdBindPipeline(cmd_, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.get());
  vkCmdBindDescriptorSets(cmd_, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.layout(), 0, 1, &set, 0, nullptr);
  if (push_size > 0)
    vkCmdPushConstants(cmd_, pipeline.layout(), VK_SHADER_STAGE_COMPUTE_BIT, 0, push_size, push);
  vkCmdDispatch(cmd_, groups.x, groups.y, groups.z);
  ++dispatches_;
  if (profile_ops_) profiled(pipeline.name(), push, push_size, touches, groups);
}

void Recorder::fill(BufferView dst, uint32_t value) {
  if (dst.size % 4 != 0 || dst.offset % 4 != 0)
    throw Error("fill: offset and size must be multiples of 4 bytes");
  const Touch t{dst, true};
  track({&t, 1});
  vkCmdFillBuffer(cmd_, dst.buffer, dst.offset, dst.size, value);
  if (profile_ops_) profiled("fill", nullptr, 0, {&t, 1}, {});
}

void Recorder::copy(BufferView dst, BufferView src) {
  if (dst.size != src.size)
    throw Error("copy: destination has " + std::to_string(dst.size) + " bytes, source " +
                std::to_string(src.size));
  const Touch t[2] = {{src, false}, {dst, true}};
  track(t);
  VkBufferCopy region{src.offset, dst.offset, src.size};
  vkCmdCopyBuffer(cmd_, src.buffer, dst.buffer, 1, &region);
  if (profile_ops_) profiled("copy", nullptr, 0, t, {});
}

void Recorder::reset_queries(const TimestampPool& pool) {
  vkCmdResetQueryPool(cmd_, pool.get(), 0, pool.count());
}

void Recorder::write_timestamp(const TimestampPool& pool, uint32_t query) {
  if (query >= pool.count())
    throw Error("write_timestamp: query " + std::to_string(query) + " outside the pool");
  vkCmdWriteTimestamp(cmd_, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, pool.get(), query);
}

void Recorder::profile(const TimestampPool& pool, std::vector<ProfiledOp>* ops) {
  profile_pool_ = &pool;
  profile_ops_ = ops;
  write_timestamp(pool, static_cast<uint32_t>(ops->size()));
}

void Recorder::profiled(std::string name, const void* push, uint32_t push_size,
                        std::span<const Touch> touches, Groups groups) {
  ProfiledOp op;
  for (const std::string& l : labels_) op.label += (op.label.empty() ? "" : " / ") + l;
  op.name = std::move(name);
  op.push.resize(push_size / 4);
  if (push_size >= 4) std::memcpy(op.push.data(), push, op.push.size() * 4);
  for (const Touch& t : touches) (t.write ? op.bytes_written : op.bytes_read) += t.view.size;
  op.groups = groups;
  profile_ops_->push_back(std::move(op));
  write_timestamp(*profile_pool_, static_cast<uint32_t>(profile_ops_->size()));
}

void Recorder::begin_label(const char* name) {
  labels_.emplace_back(name);
  if (auto fn = ctx_->debug_functions().begin_label) {
    VkDebugUtilsLabelEXT label{VK_STRUCTURE_TYPE_DEBUG_UTILS_LABEL_EXT};
    label.pLabelName = name;
    fn(cmd_, &label);
  }
}

void Recorder::end_label() {
  if (!labels_.empty()) labels_.pop_back();
  if (auto fn = ctx_->debug_functions().end_label) fn(cmd_);
}

CommandList::CommandList(Context& ctx) : ctx_(&ctx) {
  VkCommandPoolCreateInfo pool_info{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
  pool_info.queueFamilyIndex = ctx.device().queue_family();
  VkCommandPool pool = VK_NULL_HANDLE;
  VKAE_CHECK(vkCreateCommandPool(ctx.vk(), &pool_info, nullptr, &pool));
  pool_ = CommandPoolHandle(ctx.vk(), pool);
  VkCommandBufferAllocateInfo alloc{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
  alloc.commandPool = pool;
  alloc.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  alloc.commandBufferCount = 1;
  VKAE_CHECK(vkAllocateCommandBuffers(ctx.vk(), &alloc, &cmd_));
}

Recorder& CommandList::begin() {
  VKAE_CHECK(vkResetCommandPool(ctx_->vk(), pool_.get(), 0));
  descriptor_pools_.clear();
  VkCommandBufferBeginInfo info{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  // Simultaneous use: a training step is submitted many times, also several times within one submit.
  info.flags = VK_COMMAND_BUFFER_USAGE_SIMULTANEOUS_USE_BIT;
  VKAE_CHECK(vkBeginCommandBuffer(cmd_, &info));
  recorder_ = Recorder{};
  recorder_.ctx_ = ctx_;
  recorder_.cmd_ = cmd_;
  recorder_.pools_ = &descriptor_pools_;
  // Work submitted earlier on this queue (other lists, or this one's previous replay) may have written what
  // this list reads: one barrier at the top orders every list after everything before it.
  recorder_.barrier();
  recorder_.barriers_ = 0;
  recording_ = true;
  return recorder_;
}

void CommandList::end() {
  if (!recording_) throw Error("CommandList::end without begin");
  VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
  barrier.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
  barrier.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
  vkCmdPipelineBarrier(cmd_, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                       VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &barrier, 0, nullptr, 0, nullptr);
  VKAE_CHECK(vkEndCommandBuffer(cmd_));
  recording_ = false;
}

}  // namespace vkae::rt
