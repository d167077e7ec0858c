// The training loop: the recorded step replayed through the submit pacer, epoch after epoch, each epoch
// ending with validation and the run folder's files; every observer and steerer of the run is a TrainHook
// called at the same points. Setup is run_setup.cpp's, the device objects run_device.cpp's, pacing
// submit_pacer.cpp's, streamed shards image_stream.cpp's and the viewer's side live_session.cpp's; this file
// only sequences them; an epoch's start and end are training_epoch.cpp's.
#include "nn/train/trainer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <vector>

#include "nn/train/training_run.hpp"
#include "runtime/buffer.hpp"

namespace vkae::nn {

TrainingRun::TrainingRun(const RunSetup& setup, const TrainCallbacks& callbacks, const TrainHooks& lent)
    : setup_(setup),
      config_(setup.config),
      callbacks_(callbacks),
      device_(training_context(setup.config, callbacks.on_note, lent.context, own_ctx_), setup),
      log_(setup.config.out / "metrics.jsonl"),
      history_(setup.config.out / "history.csv"),
      info_(fresh_run_info(setup)),
      pacer_(device_.submitter),
      callback_hook_(callbacks),
      clock_(setup.config.batch, setup.config.validate ? setup.val_count : 0),
      noise_(setup.config.noise) {
  note(describe(device_.plan));
  if (ranks_.size() > 1) start_ranks();
  if (config_.validate && !config_.val_limit && setup.val_count < setup.test_set.count)
    note("validating on " + std::to_string(setup.val_count) + " of " + std::to_string(setup.test_set.count) +
         " test images, no more than the run trains on (--val-limit N to choose)");
  start_from_checkpoint_or_seed();
  StepState val_state;  // validation: the run's seed and noise, on the validation stream
  val_state.set_seed(config_.seed);
  val_state.noise = config_.noise;
  device_.ctx.write(device_.programs.validation_state(), &val_state, sizeof val_state);
  hooks_.push_back(&callback_hook_);
  if (config_.tensorboard && ranks_.writer())  // StepRecord's steps count from 1, lr_at's from 0
    hooks_.push_back(&tensorboard_.emplace(setup, [this](uint64_t step) { return lr_at(step - 1); }));
  if (lent.live)  // several ranks: rank 0's (prepare_run lends the others none)
    hooks_.push_back(&live_.emplace(*lent.live, device_, setup, pacer_, *this, synced_.has_value()));
  steps_per_epoch_ = setup.train_count / config_.batch;  // drop_last: every step sees a full batch
  total_steps_ = std::min<uint64_t>(config_.steps.value_or(UINT64_MAX), steps_per_epoch_ * config_.epochs);
  run_start_ = Clock::now();
}

void TrainingRun::start_ranks() {
  synced_.emplace(device_.submitter, device_.programs, ranks_);
  note(std::to_string(ranks_.size()) + " ranks, " + std::to_string(config_.batch / ranks_.size()) +
       " of each step's " + std::to_string(config_.batch) + " images each; rank 0 writes the run folder");
}

void TrainingRun::start_from_checkpoint_or_seed() {
  if (!setup_.resumed) {
    device_.model.initialize(device_.ctx, config_.seed);
    log_.add_control(control_metadata(config_.control, {}).at("control"));
    return;
  }
  const LoadedCheckpoint& resumed = *setup_.resumed;
  const OptimizerMoments moments = device_.programs.moments();
  load_into(device_.ctx, resumed, device_.model, &moments);
  info_.epoch = resumed.info.epoch;
  info_.step = first_step_ = resumed.info.step;
  info_.batch_in_epoch = resumed.info.batch_in_epoch;
  info_.control_state = resumed.info.control_state;
  log_.load_existing(config_.resume->parent_path() / "metrics.jsonl", info_.step, info_.epoch);
  history_.load_existing(config_.resume->parent_path() / "history.csv", info_.epoch);
  note("resuming " + config_.resume->string() + " at epoch " + std::to_string(info_.epoch + 1) + ", step " +
       std::to_string(info_.step));
}

TrainResult TrainingRun::run() {
  while (info_.step < total_steps_ && !stopped_)
    if (!run_epoch()) break;
  TrainResult r;
  r.out = config_.out;
  r.device = device_.ctx.device_name();
  r.steps = info_.step;
  r.epochs_done = info_.epoch;
  r.partial_steps = info_.batch_in_epoch;
  r.epoch_steps = steps_per_epoch_;
  r.final_val_loss = last_val_loss_;
  r.seconds = seconds_since(run_start_) - paused_seconds();
  r.images_per_s = double(info_.step - first_step_) * config_.batch / std::max(r.seconds, 1e-9);
  r.early_stop = early_stop_;
  r.ranks = ranks_.size();
  r.sum_seconds = ranks_.sum_seconds();
  return r;
}

bool TrainingRun::run_epoch() {
  const uint32_t epoch = info_.epoch;  // 0-based epoch in progress
  const auto start = Clock::now();
  const double paused_before = paused_seconds();
  clock_.start_training(paused_before);
  write_epoch_state(epoch);
  const uint64_t end_step = std::min(total_steps_, info_.step - info_.batch_in_epoch + steps_per_epoch_);
  submitted_ = read_ = info_.step;
  epoch_loss_sum_ = 0;
  epoch_loss_count_ = 0;
  stopped_ = !submit_epoch(end_step);
  retire_submits(true);
  check_finite();
  if (live_) live_->settle();
  const double train_seconds = seconds_since(start) - (paused_seconds() - paused_before);  // validation apart
  clock_.end_training(paused_seconds());
  info_ = position();
  const bool complete = info_.batch_in_epoch == steps_per_epoch_;
  if (complete) {
    info_.epoch = epoch + 1;
    info_.batch_in_epoch = 0;
  }
  end_epoch(epoch, start, train_seconds, complete);
  return complete;
}

// --save-every N: the submits end at each multiple of N, and once those steps are read the checkpoint holds
// exactly that position (the next batch of this epoch's permutation, the optimizer state, the schedule).
bool TrainingRun::submit_epoch(uint64_t end_step) {
  const uint64_t every = config_.control.save_every;
  while (submitted_ < end_step) {
    const uint64_t next_save = every ? (submitted_ / every + 1) * every : UINT64_MAX;
    if (!submit_until(std::min(end_step, next_save))) return false;
    if (next_save >= end_step) break;  // the epoch's end saves anyway
    retire_submits(true);
    check_finite();
    save(position());
  }
  return true;
}

void TrainingRun::check_finite() const {
  throw_if_not_finite(device_, config_.lr);
}

bool TrainingRun::submit_until(uint64_t end_step) {
  while (submitted_ < end_step) {
    if (synced_) {
      if (!synced_step()) return false;
      continue;
    }
    if (stop_requested()) return false;
    if (live_) {
      const LiveSession::Turn turn = live_->between_submits(submitted_);
      if (turn == LiveSession::Turn::Stop) return false;
      if (turn == LiveSession::Turn::Paused) continue;
    }
    submit_next(end_step);
    if (!pacer_.calibrated()) retire_submits(true);  // the first submits are timed alone
    retire_submits(false);
    check_finite();
  }
  return true;
}

// Every rank votes at every step (StepVotes); after a stop vote the step's update still runs everywhere
// (retire_submits), so the ranks stop at the same step with the same parameters. A pause holds every rank
// here, after the same step, with rank 0's viewer beating for all of them.
bool TrainingRun::synced_step() {
  // Streamed images: every rank packs the whole shard (the global batches' images; it reads its slice). No
  // step reads a slot when this runs: the previous gradients have finished, the pending update reads none.
  const VkCommandBuffer upload =
      device_.stream ? device_.stream->prepare(submitted_, [](uint64_t) {}) : VK_NULL_HANDLE;
  StepVotes votes = synced_->gradients(submitted_, own_votes(), upload);
  if (submitted_++ > read_) read_steps(submitted_ - 1);  // the previous step's update has run
  check_finite();
  for (bool paused = false;; paused = true) {
    if (votes.noise) follow_noise(*votes.noise);
    if (votes.stop || !votes.pause) return !votes.stop;
    if (!paused) retire_submits(true);  // the pause shows (and a save in it keeps) the step just taken
    if (live_) live_->pause();
    votes = synced_->agree(submitted_, own_votes());
  }
}

StepVotes TrainingRun::own_votes() {
  StepVotes votes = live_ ? live_->rank_votes(submitted_) : StepVotes{};
  votes.stop = votes.stop || stop_requested();
  return votes;
}

// Nothing of training is in flight (this step's gradients are done, its update not yet submitted); a
// preview on rank 0 reads a state of its own.
void TrainingRun::follow_noise(float noise) {
  noise_ = noise;
  write_training_noise(device_, noise);
  if (live_) live_->noise_followed(noise);
}

void TrainingRun::submit_next(uint64_t end_step) {
  uint32_t k = pacer_.next_size(end_step - submitted_);
  VkCommandBuffer upload = VK_NULL_HANDLE;
  if (device_.stream) {  // a submit stays within one shard, which must be in its slot first
    k = device_.stream->clamp(submitted_, k);
    upload = device_.stream->prepare(submitted_, [this](uint64_t step) { wait_retired(step); });
  }
  pacer_.submit(device_.programs.step(), submitted_, k, upload);
  submitted_ += k;
}

void TrainingRun::wait_retired(uint64_t step) {
  while (read_ < std::min(step, submitted_) &&
         pacer_.retire_oldest([this](uint64_t done) { read_steps(done); })) {
  }
}

bool TrainingRun::stop_requested() {
  return std::any_of(hooks_.begin(), hooks_.end(), [](TrainHook* h) { return h->should_stop(); });
}

void TrainingRun::retire_submits(bool block) {
  if (synced_) {
    if (!block) return;
    synced_->finish();
    if (submitted_ > read_) read_steps(submitted_);
    return;
  }
  pacer_.retire(block, [this](uint64_t done) { read_steps(done); });
}

void TrainingRun::read_steps(uint64_t done) {
  std::vector<StepRecord> steps;
  for (; read_ < done; ++read_) {
    const float loss = device_.programs.ring()[read_ % device_.programs.ring_slots()];
    steps.push_back({info_.epoch + 1, read_ + 1, loss});
    log_.add_step(steps.back());
    epoch_loss_sum_ += loss;
    ++epoch_loss_count_;
  }
  const TrainProgress p = progress();
  for (TrainHook* hook : hooks_) hook->on_steps(steps, p);
}

RunInfo TrainingRun::position() const {
  RunInfo now = info_;
  now.step = read_;
  now.batch_in_epoch = static_cast<uint32_t>(read_ - uint64_t{info_.epoch} * steps_per_epoch_);
  return now;
}

uint64_t TrainingRun::save_now() {
  save(position());
  return read_;
}

TrainProgress TrainingRun::progress(std::optional<uint32_t> ending) const {
  const uint32_t epoch = ending.value_or(info_.epoch);  // 0-based, not ended yet
  const uint64_t ends = (total_steps_ + steps_per_epoch_ - 1) / steps_per_epoch_;
  const uint64_t done_here = read_ - first_step_;
  const double paused = paused_seconds();
  TrainProgress p{
      epoch + 1,
      config_.epochs,
      read_,
      read_ - uint64_t{epoch} * steps_per_epoch_,
      steps_per_epoch_,
      log_.steps().back().loss,
      lr_at(read_ ? read_ - 1 : 0),
      clock_.images_per_second(done_here, paused),
      clock_.eta_seconds(done_here, total_steps_ - read_, ends > epoch ? ends - epoch : 0, paused)};
  if (ending) p.validating = setup_.val_count;
  return p;
}

TrainResult train(const TrainConfig& config, const TrainCallbacks& callbacks) {
  return train(config, callbacks, TrainHooks{});
}

TrainResult train(const TrainConfig& config, const TrainCallbacks& callbacks, const TrainHooks& hooks) {
  // Everything that can fail on user input fails here, before any output exists.
  const RunSetup setup = prepare_run(config, hooks, &callbacks);
  if (callbacks.on_start) callbacks.on_start(setup.config, setup.spec);
  TrainingRun run(setup, callbacks, hooks);
  return run.run();
}

}  // namespace vkae::nn