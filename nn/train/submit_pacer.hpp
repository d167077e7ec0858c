// SubmitPacer: how the training loop feeds the device. K replays of the recorded step per submit, K sized so
// a submit takes tens of milliseconds (responsive, far from driver watchdogs); up to the submitter's slots
// in flight; finished submits retired oldest first without ever waiting on the one just queued. Knows
// nothing of losses or epochs: the caller reads the steps a retired submit finished.
#pragma once
#include <chrono>
#include <cstdint>
#include <deque>

#include "runtime/queue.hpp"

namespace vkae::nn {

class SubmitPacer {
 public:
  explicit SubmitPacer(rt::Submitter& submitter) : submitter_(submitter) {}

  // Replays of the step the next submit should carry, at most `remaining` (>= 1).
  uint32_t next_size(uint64_t remaining) const noexcept;
  // Queues `count` replays of `step`, which take the run from `first_step` steps done to first_step + count,
  // after `before` when there is one (a streamed shard's upload), in the same submit.
  void submit(VkCommandBuffer step, uint64_t first_step, uint32_t count,
              VkCommandBuffer before = VK_NULL_HANDLE);
  // Retires finished submits oldest first (every one in flight when `block`), calling on_done(steps done)
  // for each. The first submits run alone and size the later ones.
  template <typename OnDone>
  void retire(bool block, OnDone&& on_done) {
    while (!in_flight_.empty() && front_finished(block)) {
      const InFlight f = in_flight_.front();
      in_flight_.pop_front();
      calibrate(f);
      on_done(f.last_step);
    }
  }
  // Waits for the oldest submit in flight and retires it (on_done as above); false when none is in flight.
  // The streamed images' one wait: a ring slot still read by that submit.
  template <typename OnDone>
  bool retire_oldest(OnDone&& on_done) {
    if (in_flight_.empty()) return false;
    front_finished(true);
    const InFlight f = in_flight_.front();
    in_flight_.pop_front();
    calibrate(f);
    on_done(f.last_step);
    return true;
  }
  // Until calibrated a submit carries one step and is waited for: its time on its own sizes K.
  bool calibrated() const noexcept { return calibrated_; }
  bool idle() const noexcept { return in_flight_.empty(); }

 private:
  using Clock = std::chrono::steady_clock;
  struct InFlight {
    uint64_t ticket, first_step, last_step;
    Clock::time_point start;
  };
  bool front_finished(bool block);
  void calibrate(const InFlight& finished);

  rt::Submitter& submitter_;
  std::deque<InFlight> in_flight_;
  uint32_t steps_per_submit_ = 1;
  uint32_t alone_submits_ = 0;  // submits timed on their own before calibrating
  bool calibrated_ = false;
};

}  // namespace vkae::nn
