// SyncedSteps: how a multi-rank run (nn/parallel) feeds the device. Each step is the recorded gradients half,
// then the host's sum of the gradient arena, the loss and a stop vote over the ranks (the one host wait per
// step the design allows), then the update half. The update of step s and the gradients of step s + 1 go
// in one submit, so each step costs one wait and one all-reduce.
#pragma once
#include <cstdint>

#include "nn/parallel/ranks.hpp"
#include "nn/train/program.hpp"
#include "runtime/queue.hpp"

namespace vkae::nn {

class SyncedSteps {
 public:
  SyncedSteps(rt::Submitter& submitter, const Programs& programs, Ranks& ranks)
      : submitter_(submitter), programs_(programs), ranks_(ranks) {}

  // Step `step`: the previous step's pending update (whose loss the ring then holds), this step's gradients,
  // their sum over the ranks with this rank's stop vote. The update stays pending. Returns false when any
  // rank voted to stop: finish() then applies this step's update, so every rank stops after the same step.
  // `before` (a streamed shard's upload) runs ahead of the gradients in the same submit.
  bool gradients(uint64_t step, bool stop, VkCommandBuffer before = VK_NULL_HANDLE);
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
