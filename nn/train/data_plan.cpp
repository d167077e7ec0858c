// The run's data plan (see data_plan.hpp): resident while it fits, else the ring's shard size and slots.
#include "nn/train/data_plan.hpp"

#include <algorithm>

#include "base/error.hpp"

namespace vkae::nn {
namespace {

constexpr uint32_t kRingSlots = 4;  // one shard training, the next packed, two more of slack for the submits

// The ring: kRingSlots slots of whole batches each (a batch never straddles shards), as large as the budget
// and one binding allow; fewer larger slots are not better (the host packs a whole shard at a time), more
// only where the budget holds under four batches a slot.
// `what` names the budget in errors: "--data-budget N" or the default's origin.
ImageLayout ring_layout(uint64_t budget, uint64_t image_bytes, uint32_t batch, uint64_t buffer_limit,
                        const std::string& what) {
  const uint64_t batch_bytes = uint64_t{batch} * image_bytes;
  if (batch_bytes > buffer_limit)
    throw InputError("--batch " + std::to_string(batch) + ": a batch of " + size_text(batch_bytes) +
                     " is larger than a storage buffer of " + size_text(buffer_limit) +
                     " (to stream the images)");
  if (budget < 2 * batch_bytes)
    throw InputError(what + ": too small to stream the images through, expected at least two batches of " +
                     std::to_string(batch) + " images (" + std::to_string(2 * batch_bytes) + " bytes)");
  const uint64_t slot_batches = std::min(budget / kRingSlots, buffer_limit) / batch_bytes;
  if (slot_batches == 0) {  // under four batches: one batch a slot, as many slots as fit (2 or 3)
    const auto slots = static_cast<uint32_t>(budget / batch_bytes);
    return {batch, slots, true};
  }
  return {static_cast<uint32_t>(slot_batches * batch), kRingSlots, true};
}

}  // namespace

uint64_t default_data_budget(const rt::Device& device, uint64_t other_bytes) {
  const VkPhysicalDeviceMemoryProperties& mem = device.memory();
  uint64_t heap = 0;
  for (uint32_t i = 0; i < mem.memoryHeapCount; ++i)
    if (mem.memoryHeaps[i].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT)
      heap = std::max<uint64_t>(heap, mem.memoryHeaps[i].size);
  const auto share = static_cast<uint64_t>(double(heap) * kDataBudgetHeapShare);
  return share > other_bytes ? share - other_bytes : 0;
}

DataPlan plan_data(const rt::Device& device, const RunSetup& setup, uint32_t test_count,
                   uint64_t other_bytes) {
  const TrainConfig& config = setup.config;
  const uint64_t limit = image_buffer_limit(device, config.data_buffer_bytes);
  const uint64_t image_bytes = setup.train_set.image_size();
  DataPlan plan;
  plan.test = resident_layout(test_count, setup.test_set.image_size(), limit);
  plan.image_bytes = image_bytes;
  plan.train_bytes = uint64_t{setup.train_count} * image_bytes;
  const uint64_t test_bytes =
      uint64_t{plan.test.buffers} * plan.test.buffer_bytes(setup.test_set.image_size());
  plan.budget = config.data_budget.value_or(default_data_budget(device, other_bytes + test_bytes));
  const uint64_t per_buffer =
      std::min<uint64_t>(limit / std::max<uint64_t>(image_bytes, 1), setup.train_count);
  const bool fits = per_buffer > 0 && (setup.train_count + per_buffer - 1) / per_buffer <= kGatherBuffers;
  if (plan.train_bytes <= plan.budget && fits)
    plan.train = resident_layout(setup.train_count, image_bytes, limit);
  else
    plan.train =
        ring_layout(plan.budget, image_bytes, config.batch, limit,
                    config.data_budget ? "--data-budget " + std::to_string(plan.budget)
                                       : "the default data budget of " + std::to_string(plan.budget) +
                                             " bytes (half the device memory less the model's)");
  return plan;
}

std::string describe(const DataPlan& plan) {
  const ImageLayout& t = plan.train;
  const std::string data = "dataset " + size_text(plan.train_bytes);
  if (t.streamed)
    return data + " streams through a " + std::to_string(t.buffers) + " x " +
           size_text(t.buffer_bytes(plan.image_bytes)) + " ring (budget " + size_text(plan.budget) + ")";
  return data + " resident in " + std::to_string(t.buffers) + (t.buffers == 1 ? " buffer" : " buffers");
}

}  // namespace vkae::nn
