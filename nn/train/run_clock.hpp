// How long a run has taken and has left. Training time and epoch-end time (validation, checkpoint, pictures)
// are kept apart: images/s counts training only, and the ETA is the steps left at the measured step time
// plus each epoch end still to come at the measured mean — before the first epoch end, an estimate from the
// step time (a validated image costs about half a trained one: forward and loss, no backward or update).
// Time the viewer held the run paused counts in neither.
#pragma once
#include <cstdint>
#include <functional>

namespace vkae::nn {

class RunClock {
 public:
  using Now = std::function<double()>;  // seconds on a monotonic clock
  // `batch` images a step; `validated` test images each epoch end (0: no validation); `now` for tests.
  RunClock(uint32_t batch, uint32_t validated, Now now = {});

  // `paused`: the viewer's paused seconds so far (cumulative).
  void start_training(double paused);
  void end_training(double paused);              // the epoch's steps are done; its end begins
  void end_epoch();                              // validation and files are done
  double training_seconds(double paused) const;  // all epochs', the one in progress included
  double epoch_end_seconds() const;              // the mean so far, or the estimate before the first

  // `steps` trained by this process so far, `steps_left` to go and `epoch_ends_left` (the epoch in progress
  // included).
  double images_per_second(uint64_t steps, double paused) const;
  double eta_seconds(uint64_t steps, uint64_t steps_left, uint64_t epoch_ends_left, double paused) const;

 private:
  uint32_t batch_, validated_;
  Now now_;
  double trained_ = 0;  // seconds of training in finished epochs
  double ends_ = 0;     // seconds of epoch ends finished
  uint64_t end_count_ = 0;
  bool training_ = false;
  double started_ = 0;  // when the training (or the end) in progress began
  double paused_at_start_ = 0;
};

}  // namespace vkae::nn
