// TrainHook: what observes or steers a training run plugs in here — the progress display and Ctrl-C
// (CallbackHook, from TrainCallbacks), the live viewer's feed (LiveSession), and later metrics writers,
// early stopping, schedules and periodic checkpoints. The loop calls every hook at the same points, in
// the order they were added: after each finished submit, at each epoch's end, and between submits to ask
// whether to stop. What changes inside the recorded step (the learning rate, a gradient all-reduce between
// backward and the optimizer) goes through the step-state buffer and Programs' step seam, not through here.
#pragma once
#include <span>

#include "nn/train/outputs.hpp"
#include "nn/train/program.hpp"
#include "nn/train/trainer.hpp"

namespace vkae::nn {

class TrainHook {
 public:
  virtual ~TrainHook() = default;
  // After each finished submit: the steps it finished (epoch, step, loss) and the run's progress since.
  virtual void on_steps(std::span<const StepRecord> steps, const TrainProgress& progress) {
    (void)steps, (void)progress;
  }
  // After the epoch's files are written (a run ended by --steps or a stop also ends its last epoch here);
  // `samples` is what samples.png shows.
  virtual void on_epoch_end(const EpochSummary& summary, const Programs::Preview& samples) {
    (void)summary, (void)samples;
  }
  // At an epoch's end, as its validation begins (progress.validating says on how many images).
  virtual void on_validation(const TrainProgress& progress) { (void)progress; }
  // Polled between submits; true ends the run after the submits in flight, with the epoch's end as usual.
  virtual bool should_stop() { return false; }
};

// TrainCallbacks as a hook: the app's progress bar, epoch lines and Ctrl-C.
class CallbackHook final : public TrainHook {
 public:
  explicit CallbackHook(const TrainCallbacks& callbacks) : callbacks_(callbacks) {}
  void on_steps(std::span<const StepRecord>, const TrainProgress& progress) override {
    if (callbacks_.on_progress) callbacks_.on_progress(progress);
  }
  void on_validation(const TrainProgress& progress) override {
    if (callbacks_.on_progress) callbacks_.on_progress(progress);
  }
  void on_epoch_end(const EpochSummary& summary, const Programs::Preview&) override {
    if (callbacks_.on_epoch) callbacks_.on_epoch(summary);
  }
  bool should_stop() override { return callbacks_.should_stop && callbacks_.should_stop(); }

 private:
  const TrainCallbacks& callbacks_;
};

}  // namespace vkae::nn
