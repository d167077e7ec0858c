// See synced_steps.hpp.
#include "nn/train/synced_steps.hpp"

#include <array>
#include <chrono>
#include <string>
#include <vector>

namespace vkae::nn {
namespace {

static_assert(Programs::kSyncVoteWords == 4);

// [stop, pause, noise given, noise]: summed, a stop is any rank's; the rest only rank 0 sets, so the sum is
// its value to the bit.
void put_votes(const StepVotes& v, std::span<float> words) {
  words[0] = v.stop ? 1.0f : 0.0f;
  words[1] = v.pause ? 1.0f : 0.0f;
  words[2] = v.noise ? 1.0f : 0.0f;
  words[3] = v.noise.value_or(0.0f);
}

StepVotes take_votes(std::span<const float> words) {
  StepVotes v;
  v.stop = words[0] != 0.0f;
  v.pause = words[1] != 0.0f;
  if (words[2] != 0.0f) v.noise = words[3];
  return v;
}

}  // namespace

StepVotes SyncedSteps::gradients(uint64_t step, const StepVotes& mine, VkCommandBuffer before) {
  std::vector<VkCommandBuffer> commands;
  if (pending_) commands.push_back(programs_.update());
  if (before != VK_NULL_HANDLE) commands.push_back(before);
  commands.push_back(programs_.gradients());
  const auto start = std::chrono::steady_clock::now();
  submitter_.wait(submitter_.submit(commands));
  wait_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  pending_ = true;
  const std::span<float> values = programs_.sync_values();
  const std::size_t summed = values.size() - Programs::kSyncVoteWords;  // the gradients and the loss
  put_votes(mine, values.subspan(summed));
  ranks_.sum(values, step + 1, rank_timeout_seconds() * (delay_ ? kRankStartFactor : 1));
  delay_ = false;
  // The mean over the ranks of their batch means: the global batch's mean gradient and loss.
  const auto n = static_cast<float>(ranks_.size());
  for (std::size_t i = 0; i < summed; ++i) values[i] /= n;
  return take_votes(values.subspan(summed));
}

StepVotes SyncedSteps::agree(uint64_t step, const StepVotes& mine) {
  std::array<float, Programs::kSyncVoteWords> words{};
  put_votes(mine, words);
  ranks_.agree(words, "the pause after step " + std::to_string(step), rank_timeout_seconds());
  return take_votes(words);
}

void SyncedSteps::finish() {
  if (!pending_) return;
  const VkCommandBuffer update = programs_.update();
  submitter_.wait(submitter_.submit({&update, 1}));
  pending_ = false;
}

}  // namespace vkae::nn
