// LiveSession: a training run's side of the live viewer. Between training submits it applies the viewer's
// controls (pause, noise, sample set, save now, stop) and keeps the viewer's pictures fresh: a preview every
// kLivePreviewSeconds and, for a VAE or a run with a held-out class, the analysis panels — each submitted
// between training submits and read once its fence has signalled, never waited for. As a hook it publishes
// the step losses, the progress and each epoch's end. The LiveFeed mailbox itself is live.hpp's.
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>

#include "nn/infer/analysis_program.hpp"
#include "nn/train/hooks.hpp"
#include "nn/train/live.hpp"
#include "nn/train/run_device.hpp"
#include "nn/train/submit_pacer.hpp"
#include "nn/train/synced_steps.hpp"

namespace vkae::nn {

// What the live session asks of the run it sits in.
class RunControl {
 public:
  virtual ~RunControl() = default;
  virtual void retire_submits(bool block) = 0;  // read what finished (every submit in flight when block)
  virtual uint64_t save_now() = 0;              // checkpoint at the steps done; nothing may be in flight
};

class LiveSession final : public TrainHook {
 public:
  // `synced`: a multi-rank run (SyncedSteps feeds the device, not the pacer; this session is rank 0's).
  LiveSession(LiveFeed& feed, RunDevice& run, const RunSetup& setup, const SubmitPacer& pacer,
              RunControl& control, bool synced);

  enum class Turn { Train, Paused, Stop };
  // Before each training submit; `submitted` = steps submitted so far.
  Turn between_submits(uint64_t submitted);
  // A multi-rank run's turn before each step: what is rank 0's alone (the pictures, the sample set, save now)
  // happens here; what every rank must do alike (stop, pause, a new noise) comes back as its votes.
  StepVotes rank_votes(uint64_t submitted);
  void noise_followed(float noise);  // the ranks changed the noise as voted
  // One slice of a pause (a short sleep, counted as paused time; the viewer told once all is idle).
  Turn pause();
  // Waits for a preview or analysis still in flight: the epoch's submits are over.
  void settle();
  float noise() const noexcept { return noise_; }
  double paused_seconds() const noexcept { return paused_s_; }

  void on_steps(std::span<const StepRecord> steps, const TrainProgress& progress) override;
  void on_epoch_end(const EpochSummary& summary, const Programs::Preview& samples) override;

 private:
  using Clock = std::chrono::steady_clock;
  // "Due every `seconds`", and force() for "due now".
  struct Cadence {
    std::optional<Clock::time_point> last;
    bool due(double seconds) const;
    void force() { last.reset(); }
    void mark() { last = Clock::now(); }
  };
  LiveControls own_turn();  // the viewer's controls, the sample set, finished pictures and save now applied
  void train_turn(uint32_t sample_set, uint64_t submitted);      // not paused: the pictures that are due
  bool ready() const { return synced_ || pacer_.calibrated(); }  // training is timed: pictures may go in
  void read_finished_pictures();
  void change_noise(float noise);
  void submit_preview_if_due(uint32_t sample_set);
  void submit_analysis_if_due(uint64_t submitted);
  void run_analysis_now(uint64_t step);

  LiveFeed& feed_;
  RunDevice& run_;
  const RunSetup& setup_;
  const SubmitPacer& pacer_;
  RunControl& control_;
  bool synced_;
  std::optional<AnalysisProgram> analysis_;
  float noise_;  // the viewer may change it while training
  uint32_t last_set_ = 0;
  uint64_t preview_ticket_ = 0;  // a preview in flight (0: none)
  uint32_t preview_set_ = 0;
  float preview_noise_;
  Cadence preview_due_;
  uint64_t analysis_ticket_ = 0, analysis_step_ = 0;
  Cadence analysis_due_;
  double analysis_cost_s_ = 0;  // the last run's time on the device (submit to seen done: an upper bound)
  double paused_s_ = 0;         // excluded from images/s and ETA
  bool paused_published_ = false;
};

}  // namespace vkae::nn
