// The live session's turns between training submits (see live_session.hpp). Previews and analysis runs only
// read the parameters and copy their results into buffers of their own, so they may sit between training
// submits; they are read when their fence has signalled, never waited for, except at an epoch's end.
#include "nn/train/live_session.hpp"

#include <algorithm>
#include <cstddef>
#include <string>
#include <thread>

namespace vkae::nn {
namespace {

constexpr double kLivePreviewSeconds = 1.5;  // a fresh preview for the viewer this often
// The analysis panels at most this often, and at most ~1/kAnalysisShare of the device's time.
constexpr double kLiveAnalysisSeconds = 3.0;
constexpr double kAnalysisShare = 10.0;
constexpr auto kPauseSlice = std::chrono::milliseconds(20);

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

bool LiveSession::Cadence::due(double seconds) const {
  return !last || seconds_since(*last) >= seconds;
}

LiveSession::LiveSession(LiveFeed& feed, RunDevice& run, const RunSetup& setup, const SubmitPacer& pacer,
                         RunControl& control, bool synced)
    : feed_(feed),
      run_(run),
      setup_(setup),
      pacer_(pacer),
      control_(control),
      synced_(synced),
      noise_(setup.config.noise),
      preview_noise_(noise_) {
  const ModelSpec& spec = setup.spec;
  feed.set_run(run.ctx.device_name(), spec.name, setup.config.dataset, setup.config.lr, loss_label(spec),
               spec.denoising);
  // The latent / anomaly panels: one more recorded program, submitted between training submits.
  const HeldOutClass holdout = setup.config.holdout_class;
  if (run.model.sampling() || holdout) {
    analysis_.emplace(run.ctx, run.model, &run.test_images,
                      live_analysis_options(run.model, holdout.has_value()));
    feed.expect_analysis();
  }
}

LiveSession::Turn LiveSession::between_submits(uint64_t submitted) {
  const LiveControls c = own_turn();
  if (c.stop) return Turn::Stop;
  if (c.noise != noise_) change_noise(c.noise);
  if (c.paused) return pause();
  train_turn(c.sample_set, submitted);
  return Turn::Train;
}

StepVotes LiveSession::rank_votes(uint64_t submitted) {
  const LiveControls c = own_turn();
  StepVotes votes{c.stop, c.paused, std::nullopt};
  if (c.noise != noise_) votes.noise = c.noise;
  if (!c.stop && !c.paused) train_turn(c.sample_set, submitted);
  return votes;
}

void LiveSession::noise_followed(float noise) {
  noise_ = noise;
  preview_due_.force();
}

LiveControls LiveSession::own_turn() {
  const LiveControls c = feed_.controls();
  if (c.sample_set != last_set_) {  // another set of samples: preview it now
    last_set_ = c.sample_set;
    preview_due_.force();
  }
  read_finished_pictures();
  if (!c.stop && feed_.take_save_request()) {
    control_.retire_submits(true);
    if (preview_ticket_) run_.submitter.wait(preview_ticket_);
    const uint64_t step = control_.save_now();
    feed_.publish_saved("saved " + checkpoint_path(setup_.config).string() + " at step " +
                        std::to_string(step));
  }
  return c;
}

void LiveSession::train_turn(uint32_t sample_set, uint64_t submitted) {
  if (paused_published_) feed_.publish_paused(paused_published_ = false);
  submit_preview_if_due(sample_set);
  submit_analysis_if_due(submitted);
}

void LiveSession::read_finished_pictures() {
  const Dataset& test = setup_.test_set;
  if (preview_ticket_ && run_.submitter.done(preview_ticket_)) {
    auto p = run_.programs.read_preview();
    feed_.publish_preview({run_.programs.preview_count(), test.rows, test.cols, preview_set_, preview_noise_,
                           std::move(p.noisy), std::move(p.output), std::move(p.clean), test.channels});
    preview_ticket_ = 0;
  }
  if (analysis_ticket_ && run_.submitter.done(analysis_ticket_)) {
    analysis_cost_s_ = seconds_since(*analysis_due_.last);
    feed_.publish_analysis(
        make_live_analysis(analysis_->read(), run_.model, test, setup_.config.holdout_class, analysis_step_));
    analysis_ticket_ = 0;
  }
}

// Rare: every submit finished, then the one float of the training step state rewritten.
void LiveSession::change_noise(float noise) {
  control_.retire_submits(true);
  write_training_noise(run_, noise);
  noise_followed(noise);
}

LiveSession::Turn LiveSession::pause() {
  const auto start = Clock::now();
  control_.retire_submits(false);
  if (pacer_.idle() && !preview_ticket_ && !analysis_ticket_ && !paused_published_)
    feed_.publish_paused(paused_published_ = true);
  std::this_thread::sleep_for(kPauseSlice);
  paused_s_ += seconds_since(start);
  return Turn::Paused;
}

void LiveSession::submit_preview_if_due(uint32_t sample_set) {
  if (!ready() || preview_ticket_ || !preview_due_.due(kLivePreviewSeconds)) return;
  preview_set_ = sample_set % run_.programs.preview_sets();
  preview_noise_ = noise_;
  run_.programs.set_preview(preview_set_, noise_, setup_.config.seed);
  VkCommandBuffer pv = run_.programs.preview();
  preview_ticket_ = run_.submitter.submit({&pv, 1});
  preview_due_.mark();
}

void LiveSession::submit_analysis_if_due(uint64_t submitted) {
  if (!analysis_ || !ready() || analysis_ticket_ ||
      !analysis_due_.due(std::max(kLiveAnalysisSeconds, kAnalysisShare * analysis_cost_s_)))
    return;
  VkCommandBuffer an = analysis_->commands();
  analysis_ticket_ = run_.submitter.submit({&an, 1});
  analysis_step_ = submitted;
  analysis_due_.mark();
}

void LiveSession::settle() {
  if (preview_ticket_) {
    run_.submitter.wait(preview_ticket_);
    preview_ticket_ = 0;
    preview_due_.force();
  }
  if (analysis_ticket_) {
    run_.submitter.wait(analysis_ticket_);
    analysis_ticket_ = 0;
  }
}

void LiveSession::on_steps(std::span<const StepRecord> steps, const TrainProgress& progress) {
  for (const StepRecord& s : steps) feed_.publish_loss(s.step, s.loss);
  feed_.publish_progress(progress);
}

// At a boundary of the run anyway, like samples.png: a short wait for the analysis is fine here.
void LiveSession::run_analysis_now(uint64_t step) {
  VkCommandBuffer an = analysis_->commands();
  const auto start = Clock::now();
  run_.submitter.wait(run_.submitter.submit({&an, 1}));
  analysis_cost_s_ = seconds_since(start);
  feed_.publish_analysis(
      make_live_analysis(analysis_->read(), run_.model, setup_.test_set, setup_.config.holdout_class, step));
  analysis_due_.mark();
}

void LiveSession::on_epoch_end(const EpochSummary& summary, const Programs::Preview& samples) {
  const TrainConfig& config = setup_.config;
  // samples.png's preview doubles as a live one when the viewer shows the same set and noise.
  const LiveControls c = feed_.controls();
  if (c.sample_set % run_.programs.preview_sets() == 0 && c.noise == config.noise)
    feed_.publish_preview({run_.programs.preview_count(), setup_.test_set.rows, setup_.test_set.cols, 0,
                           config.noise, samples.noisy, samples.output, samples.clean});
  preview_due_.force();
  if (analysis_) run_analysis_now(summary.step);
  feed_.publish_epoch({summary.epoch, summary.step, summary.train_loss, summary.val_loss});
  feed_.publish_message("epoch " + std::to_string(summary.epoch) + " done; saved " +
                        checkpoint_path(config).string());
}

}  // namespace vkae::nn
