// SyncedSteps: how a multi-rank run (nn/parallel) feeds the device. Each step is the recorded gradients half,
// then the host's sum over the ranks of the gradient arena, the loss and the step's votes (the one host wait
// per step the design allows), then the update half. The update of step s and the gradients of step s + 1
// go in one submit, so each step costs one wait and one all-reduce.
#pragma once
#include <cstdint>
#include <optional>
#include <span>

#include "nn/parallel/ranks.hpp"
#include "nn/train/program.hpp"
#include "runtime/queue.hpp"

namespace vkae::nn {

// What every rank must do alike after a step: stop when any rank votes so (a signal, a stop file, the
// viewer), and follow the viewer's pause and noise (only rank 0 has a viewer: the others vote none). They
// ride in the step's all-reduce, so every rank acts on them after the same step.
struct StepVotes {
  bool stop = false;
  bool pause = false;
  std::optional<float> noise;  // a new noise level for the training inputs
};

class SyncedSteps {
 public:
  SyncedSteps(rt::Submitter& submitter, const Programs& programs, Ranks& ranks)
      : submitter_(submitter), programs_(programs), ranks_(ranks) {}

  // Step `step`: the previous step's pending update (whose loss the ring then holds), this step's gradients,
  // their sum over the ranks with this rank's votes; returns the ranks' votes together. The update stays
  // pending: after a stop, finish() applies it, so every rank stops after the same step. `before` (a
  // streamed shard's upload) runs ahead of the gradients in the same submit.
  StepVotes gradients(uint64_t step, const StepVotes& mine, VkCommandBuffer before = VK_NULL_HANDLE);
  // The votes alone, no step: the heartbeat of a paused run after `step` (a dead rank still ends the job).
  StepVotes agree(uint64_t step, const StepVotes& mine);
  // Applies the pending update and waits: every step given to gradients() is done.
  void finish();
  // The next wait may be long (an epoch's start: validation and rank 0's files on the way).
  void expect_delay() noexcept { delay_ = true; }
  double wait_seconds() const noexcept { return wait_seconds_; }  // the device's share, host waiting

 private:
  rt::Submitter& submitter_;
  const Programs& programs_;
  Ranks& ranks_;
  bool pending_ = false, delay_ = true;
  double wait_seconds_ = 0;
};

}  // namespace vkae::nn
