// Command recording. A CommandList owns one command buffer and the descriptor sets its dispatches bind; it is
// recorded once and may be submitted many times (also several times in one submit). The Recorder appends
// commands and, by default, puts a barrier between dependent work: it tracks the buffer ranges touched since
// the last barrier and inserts one before any command that reads what was written or writes what was touched.
#pragma once
#include <vulkan/vulkan.h>

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <vector>

#include "runtime/buffer.hpp"
#include "runtime/handle.hpp"
#include "runtime/pipeline.hpp"

namespace vkae::rt {

class Context;
class TimestampPool;

struct Groups {
  uint32_t x = 1, y = 1, z = 1;
};

// One command of a profiled recording (vkae bench): where it was recorded (the open debug labels, joined by
// " / "), what ran (shader name, "fill" or "copy"), its push constants, and the bytes its bindings span.
struct ProfiledOp {
  std::string label;
  std::string name;
  std::vector<uint32_t> push;
  uint64_t bytes_read = 0, bytes_written = 0;  // whole bound ranges: an upper bound on the traffic
  Groups groups;
};

// Workgroups needed to cover `count` threads with workgroups of `local` threads.
constexpr uint32_t groups_for(uint64_t count, uint32_t local) noexcept {
  return static_cast<uint32_t>((count + local - 1) / local);
}

class Recorder {
 public:
  // Binds `bindings` (one per PipelineDesc binding, in order) and dispatches. Checks the binding count and
  // push size against the pipeline's description, and the group counts against the device limits.
  void dispatch(const Pipeline& pipeline, std::span<const BufferView> bindings, const void* push,
                uint32_t push_size, Groups groups);
  template <typename Push>
  void dispatch(const Pipeline& pipeline, std::initializer_list<BufferView> bindings, const Push& push,
                Groups groups) {
    dispatch(pipeline, std::span<const BufferView>(bindings.begin(), bindings.size()), &push,
             static_cast<uint32_t>(sizeof(Push)), groups);
  }
  // The pipeline for `desc`, created on first use and cached by the context.
  const Pipeline& pipeline(const PipelineDesc& desc);

  void fill(BufferView dst, uint32_t value);  // dst.size must be a multiple of 4
  void copy(BufferView dst, BufferView src);  // sizes must match
  void barrier();                             // a full compute/transfer barrier, now
  // Automatic barriers are on by default. Turning them off is for measured optimisations and for the test
  // that proves synchronization validation notices the missing barrier; the caller then owns ordering.
  void set_auto_barriers(bool on) noexcept { auto_barriers_ = on; }
  void reset_queries(const TimestampPool& pool);
  void write_timestamp(const TimestampPool& pool, uint32_t query);
  void begin_label(const char* name);  // debug labels show in captures (RenderDoc, validation)
  void end_label();
  // Profiling: writes query 0 of `pool` now and, after every later dispatch, fill and copy, the next query,
  // appending the command's ProfiledOp to `ops`; so op i took timestamp[i + 1] - timestamp[i] (its barrier
  // included). Costs one timestamp per op: for a separate, measuring recording, not the training step.
  void profile(const TimestampPool& pool, std::vector<ProfiledOp>* ops);

  VkCommandBuffer command_buffer() const noexcept { return cmd_; }
  Context& context() const noexcept { return *ctx_; }
  uint32_t dispatch_count() const noexcept { return dispatches_; }
  uint32_t barrier_count() const noexcept { return barriers_; }

 private:
  friend class CommandList;
  struct Touch {
    BufferView view;
    bool write;
  };
  void track(std::span<const Touch> touches);
  void profiled(std::string name, const void* push, uint32_t push_size, std::span<const Touch> touches,
                Groups groups);
  VkDescriptorSet allocate_set(VkDescriptorSetLayout layout, uint32_t buffers);

  Context* ctx_ = nullptr;
  VkCommandBuffer cmd_ = VK_NULL_HANDLE;
  std::vector<DescriptorPoolHandle>* pools_ = nullptr;
  std::vector<Touch> pending_;
  uint32_t dispatches_ = 0;
  uint32_t barriers_ = 0;
  bool auto_barriers_ = true;
  std::vector<std::string> labels_;
  const TimestampPool* profile_pool_ = nullptr;
  std::vector<ProfiledOp>* profile_ops_ = nullptr;
};

class CommandList {
 public:
  explicit CommandList(Context& ctx);
  // Pinned: the recorder points into it. Hold it in a std::unique_ptr or std::optional to move it around.
  CommandList(const CommandList&) = delete;
  CommandList& operator=(const CommandList&) = delete;

  // Starts (re)recording: earlier contents and descriptor sets are dropped. The list must not be pending.
  Recorder& begin();
  // Ends recording with a barrier that makes every write visible to the host and to later submissions.
  void end();

  VkCommandBuffer get() const noexcept { return cmd_; }
  const Recorder& recorder() const noexcept { return recorder_; }

 private:
  Context* ctx_;
  CommandPoolHandle pool_;
  VkCommandBuffer cmd_ = VK_NULL_HANDLE;  // freed with the pool
  std::vector<DescriptorPoolHandle> descriptor_pools_;
  Recorder recorder_;
  bool recording_ = false;
};

}  // namespace vkae::rt
