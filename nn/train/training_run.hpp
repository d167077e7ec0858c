// TrainingRun: one training run's loop and its state, shared by trainer.cpp (the loop: submits, steps read
// back, hooks) and training_epoch.cpp (an epoch's start and end: its permutation and learning rates,
// validation, the decisions, the files). Internal to nn/train; nn::train (trainer.hpp) is the interface.
#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "nn/parallel/ranks.hpp"
#include "nn/train/checkpoint.hpp"
#include "nn/train/history.hpp"
#include "nn/train/hooks.hpp"
#include "nn/train/live_session.hpp"
#include "nn/train/run_clock.hpp"
#include "nn/train/run_device.hpp"
#include "nn/train/run_setup.hpp"
#include "nn/train/submit_pacer.hpp"
#include "nn/train/synced_steps.hpp"
#include "nn/train/tensorboard_hook.hpp"
#include "nn/train/trainer.hpp"

namespace vkae::nn {

using Clock = std::chrono::steady_clock;
inline double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

class TrainingRun final : public RunControl {
 public:
  TrainingRun(const RunSetup& setup, const TrainCallbacks& callbacks, const TrainHooks& lent);
  TrainResult run();
  void retire_submits(bool block) override;
  uint64_t save_now() override;

 private:
  void start_from_checkpoint_or_seed();
  void start_ranks();                    // several ranks: each step synced over them
  bool run_epoch();                      // false: the run ended inside this epoch (--steps or a stop)
  bool submit_epoch(uint64_t end_step);  // false: a stop request; a checkpoint every --save-every steps
  void write_epoch_state(uint32_t epoch);
  void check_finite() const;             // throws once the finite check flagged a step
  bool submit_until(uint64_t end_step);  // false: a stop request
  bool synced_step();                    // a multi-rank step; false: a rank voted to stop
  StepVotes own_votes();                 // this rank's: a stop asked for, rank 0's viewer controls
  void follow_noise(float noise);        // every rank alike, between steps
  void submit_next(uint64_t end_step);   // one submit of steps (and a streamed shard's upload)
  void wait_retired(uint64_t step);      // until every submitted step before `step` has been read
  bool stop_requested();
  void read_steps(uint64_t done);  // the finished steps' losses into the log and the hooks
  void end_epoch(uint32_t epoch, Clock::time_point start, double train_seconds, bool complete);
  double validation_loss();                                                    // rank 0's, on every rank
  void save(const RunInfo& at, const char* name = "checkpoint.safetensors") {  // rank 0 writes
    if (ranks_.writer()) write_checkpoint(device_, config_, at, log_, name);
  }
  void apply_decision(const EpochDecision& decision, const EpochSummary& summary);
  float lr_at(uint64_t step) const;  // a step of the epoch in progress
  RunInfo position() const;          // info_ at the steps read so far
  // `ending`: the 0-based epoch whose end (validation) is under way, counted among the ends left.
  TrainProgress progress(std::optional<uint32_t> ending = std::nullopt) const;
  double paused_seconds() const { return live_ ? live_->paused_seconds() : 0; }
  void note(const std::string& text) const {
    if (callbacks_.on_note) callbacks_.on_note(text);
  }

  const RunSetup& setup_;
  const TrainConfig& config_;
  const TrainCallbacks& callbacks_;
  std::optional<rt::Context> own_ctx_;
  RunDevice device_;
  MetricsLog log_;
  HistoryCsv history_;
  RunInfo info_;
  uint64_t first_step_ = 0;  // steps done before this run started (a resumed checkpoint's)
  uint64_t steps_per_epoch_ = 0, total_steps_ = 0;
  SubmitPacer pacer_;
  Ranks& ranks_ = Ranks::world();
  std::optional<SyncedSteps> synced_;  // several ranks: each step synced over them
  CallbackHook callback_hook_;
  std::optional<LiveSession> live_;
  std::optional<TensorboardHook> tensorboard_;
  std::vector<TrainHook*> hooks_;
  uint64_t submitted_ = 0, read_ = 0;  // steps submitted and read back, in total
  double epoch_loss_sum_ = 0;
  uint64_t epoch_loss_count_ = 0;
  std::optional<double> last_val_loss_;
  std::vector<float> epoch_lrs_;  // the epoch's learning rate per batch, as the step end reads them
  uint64_t epoch_first_step_ = 0;
  Clock::time_point run_start_;
  RunClock clock_;
  bool stopped_ = false;
  std::string early_stop_;
  float noise_;  // the training inputs' (one rank with a viewer: the LiveSession's instead)
};

}  // namespace vkae::nn
