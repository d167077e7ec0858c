// The training loop: the recorded step replayed through the submit pacer, epoch after epoch, each epoch
// ending with validation and the run folder's files; every observer and steerer of the run is a TrainHook
// called at the same points. Setup is run_setup.cpp's, the device objects run_device.cpp's, pacing
// submit_pacer.cpp's, streamed shards image_stream.cpp's and the viewer's side live_session.cpp's; this file
// only sequences them.
#include "nn/train/trainer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <vector>

#include "nn/parallel/ranks.hpp"
#include "nn/rng.hpp"
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
#include "runtime/buffer.hpp"

namespace vkae::nn {
namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// Epoch e's order of the first `count` images: a seeded Fisher-Yates, so a resumed run redraws it exactly.
std::vector<uint32_t> epoch_permutation(uint32_t count, uint64_t seed, uint32_t epoch, bool shuffle) {
  std::vector<uint32_t> perm(count);
  for (uint32_t i = 0; i < count; ++i) perm[i] = i;
  if (!shuffle) return perm;
  HostRng rng(seed * 0x9E3779B97F4A7C15ull + epoch + 1);
  for (uint32_t i = count; i > 1; --i) std::swap(perm[i - 1], perm[rng.below(i)]);
  return perm;
}

class TrainingRun final : public RunControl {
 public:
  TrainingRun(const RunSetup& setup, const TrainCallbacks& callbacks, const TrainHooks& lent);
  TrainResult run();
  void retire_submits(bool block) override;
  uint64_t save_now() override;

 private:
  void start_from_checkpoint_or_seed();
  void start_ranks(const TrainHooks& lent);  // checks what several ranks cannot do yet, then syncs the steps
  bool run_epoch();                          // false: the run ended inside this epoch (--steps or a stop)
  bool submit_epoch(uint64_t end_step);      // false: a stop request; a checkpoint every --save-every steps
  void write_epoch_state(uint32_t epoch);
  void check_finite() const;             // throws once the finite check flagged a step
  bool submit_until(uint64_t end_step);  // false: a stop request
  bool synced_step();                    // a multi-rank step; false: a rank voted to stop
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
};

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
      clock_(setup.config.batch, setup.config.validate ? setup.val_count : 0) {
  note(describe(device_.plan));
  if (ranks_.size() > 1) start_ranks(lent);
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
  if (lent.live) hooks_.push_back(&live_.emplace(*lent.live, device_, setup, pacer_, *this));
  steps_per_epoch_ = setup.train_count / config_.batch;  // drop_last: every step sees a full batch
  total_steps_ = std::min<uint64_t>(config_.steps.value_or(UINT64_MAX), steps_per_epoch_ * config_.epochs);
  run_start_ = Clock::now();
}

void TrainingRun::start_ranks(const TrainHooks& lent) {
  if (device_.stream)
    throw InputError(
        "the training images stream (past --data-budget), which several ranks do not do yet; "
        "raise --data-budget or train on one rank");
  if (lent.live)
    throw InputError("the live viewer runs on one rank only (drop --live, or run without mpirun)");
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

float TrainingRun::lr_at(uint64_t step) const {
  if (epoch_lrs_.empty()) return config_.lr;
  const uint64_t b = step >= epoch_first_step_ ? step - epoch_first_step_ : 0;
  return epoch_lrs_[std::min<uint64_t>(b, epoch_lrs_.size() - 1)];
}

// The epoch's permutation (or, streaming, the order the shards are packed in), its learning rates and the
// step state it starts from: the only uploads of a resident epoch.
void TrainingRun::write_epoch_state(uint32_t epoch) {
  auto perm = epoch_permutation(setup_.train_count, config_.seed, epoch, config_.shuffle);
  if (device_.stream)  // the step reads the ring through the identity; the host packs in this order
    device_.stream->start_epoch(std::move(perm), info_.step - info_.batch_in_epoch);
  else
    device_.ctx.write(device_.programs.permutation(), perm.data(), perm.size() * 4);
  StepState state;
  state.step = static_cast<uint32_t>(info_.step);
  state.batch = info_.batch_in_epoch;
  state.set_seed(config_.seed);
  epoch_first_step_ = info_.step - info_.batch_in_epoch;
  const ScheduleShape shape{config_.lr, total_steps_, config_.epochs};
  epoch_lrs_.resize(device_.programs.learning_rate_count());
  for (uint32_t b = 0; b < epoch_lrs_.size(); ++b)
    epoch_lrs_[b] =
        scheduled_lr(config_.control.schedule, shape, info_.control_state, epoch_first_step_ + b, epoch);
  device_.ctx.write(device_.programs.learning_rates(), epoch_lrs_.data(), epoch_lrs_.size() * 4);
  state.lr = lr_at(info_.step);
  state.noise = live_ ? live_->noise() : config_.noise;
  state.epoch = epoch;
  if (synced_) {  // this rank's slice of each global batch
    state.image_offset = ranks_.rank() * (config_.batch / ranks_.size());
    state.batch_stride = config_.batch;
    synced_->expect_delay();
  }
  device_.ctx.write(device_.programs.state(), &state, sizeof state);
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

// Every rank votes on stopping at every step; after a stop vote the step's update still runs everywhere
// (retire_submits), so the ranks stop at the same step with the same parameters.
bool TrainingRun::synced_step() {
  const bool go_on = synced_->gradients(submitted_, stop_requested());
  if (submitted_++ > read_) read_steps(submitted_ - 1);  // the previous step's update has run
  check_finite();
  return go_on;
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

void TrainingRun::end_epoch(uint32_t epoch, Clock::time_point start, double train_seconds, bool complete) {
  EpochSummary summary;
  summary.epoch = epoch + 1;
  summary.step = info_.step;
  summary.train_loss = epoch_loss_count_ ? epoch_loss_sum_ / double(epoch_loss_count_) : NAN;
  if (config_.validate) {
    const TrainProgress p = progress(epoch);
    for (TrainHook* hook : hooks_) hook->on_validation(p);
    summary.val_loss = validation_loss();
  }
  if (synced_)  // the ranks' parameters stay identical, or the run stops here
    ranks_.check_same(parameter_digest(device_), "the parameters after step " + std::to_string(info_.step),
                      rank_timeout_seconds() * kRankStartFactor);
  summary.images_per_s = double(epoch_loss_count_) * config_.batch / std::max(train_seconds, 1e-9);
  summary.lr = lr_at(info_.step ? info_.step - 1 : 0);
  summary.complete = complete;
  summary.epoch_step = complete ? steps_per_epoch_ : info_.batch_in_epoch;
  summary.epoch_steps = steps_per_epoch_;
  // Only a complete epoch counts for --save-best, early stopping and the plateau (a resumed partial epoch
  // would otherwise count twice); its decisions are in the checkpoint written next.
  EpochDecision decision;
  if (complete && summary.val_loss)
    decision = observe_validation(config_.control, info_.control_state, *summary.val_loss);
  summary.new_best = decision.new_best && config_.control.save_best;
  if (complete || stopped_ || info_.step == total_steps_)
    log_.add_epoch({epoch + 1, info_.step, summary.train_loss, summary.val_loss, summary.lr, complete});
  apply_decision(decision, summary);  // its events go into the metrics the epoch's files write next
  const Programs::Preview samples =
      ranks_.writer() ? write_epoch_files(device_, setup_, info_, log_) : Programs::Preview{};
  summary.seconds = seconds_since(start);
  if ((complete || stopped_ || info_.step == total_steps_) && ranks_.writer())
    history_.add({epoch + 1, info_.step, summary.train_loss, summary.val_loss, summary.lr, summary.seconds,
                  summary.images_per_s, host_rss_mib(), double(rt::live_buffer_bytes()) / (1024.0 * 1024.0)});
  for (TrainHook* hook : hooks_) hook->on_epoch_end(summary, samples);
  last_val_loss_ = summary.val_loss;
  clock_.end_epoch();
}

// Rank 0 validates; the other ranks take its loss, so that every rank makes the same decisions (best, early
// stopping, plateau).
double TrainingRun::validation_loss() {
  if (!synced_) return run_validation(device_);
  const double own = ranks_.writer() ? run_validation(device_) : 0.0;
  return ranks_.from_writer(own, rank_timeout_seconds() * kRankStartFactor);
}

void TrainingRun::apply_decision(const EpochDecision& decision, const EpochSummary& summary) {
  const TrainControl& c = config_.control;
  if (summary.new_best) {
    log_.add_event("best", summary.epoch, info_.step, *summary.val_loss);
    save(info_, "best.safetensors");
  }
  if (decision.lr_dropped) {
    log_.add_event("lr_drop", summary.epoch, info_.step,
                   scheduled_lr(c.schedule, {config_.lr, total_steps_, config_.epochs}, info_.control_state,
                                info_.step, info_.epoch));
  }
  if (decision.lr_dropped)
    note("plateau: val loss did not improve for " + std::to_string(c.schedule.patience) + " epochs; lr now " +
         format_number(scheduled_lr(c.schedule, {config_.lr, total_steps_, config_.epochs},
                                    info_.control_state, info_.step, info_.epoch)));
  if (decision.stop) {
    early_stop_ = "early stopping: val loss did not improve by more than " + format_number(c.min_delta) +
                  " for " + std::to_string(*c.early_stopping) + " epochs (best " +
                  format_number(info_.control_state.best_val) + ")";
    log_.add_event("early_stop", summary.epoch, info_.step, info_.control_state.best_val);
    stopped_ = true;
  }
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

}  // namespace

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
