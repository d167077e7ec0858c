// See synced_steps.hpp.
#include "nn/train/synced_steps.hpp"

#include <chrono>
#include <vector>

namespace vkae::nn {

bool SyncedSteps::gradients(uint64_t step, bool stop, VkCommandBuffer before) {
  std::vector<VkCommandBuffer> commands;
  if (pending_) commands.push_back(programs_.update());
  if (before != VK_NULL_HANDLE) commands.push_back(before);
  commands.push_back(programs_.gradients());
  const auto start = std::chrono::steady_clock::now();
  submitter_.wait(submitter_.submit(commands));
  wait_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  pending_ = true;
  const std::span<float> values = programs_.sync_values();
  values.back() = stop ? 1.0f : 0.0f;
  ranks_.sum(values, step + 1, rank_timeout_seconds() * (delay_ ? kRankStartFactor : 1));
  delay_ = false;
  // The mean over the ranks of their batch means: the global batch's mean gradient and loss.
  const auto n = static_cast<float>(ranks_.size());
  for (std::size_t i = 0; i + 1 < values.size(); ++i) values[i] /= n;
  return values.back() == 0.0f;
}

void SyncedSteps::finish() {
  if (!pending_) return;
  const VkCommandBuffer update = programs_.update();
  submitter_.wait(submitter_.submit({&update, 1}));
  pending_ = false;
}

}  // namespace vkae::nn
