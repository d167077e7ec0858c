// An epoch's start and end in a training run (see training_run.hpp): the permutation, the learning rates
// and the step state it starts from; validation (rank 0's, on every rank), Keras' decisions (best, early
// stopping, plateau) and the run folder's files.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "nn/rng.hpp"
#include "nn/train/training_run.hpp"

namespace vkae::nn {
namespace {

// Epoch e's order of the first `count` images: a seeded Fisher-Yates, so a resumed run redraws it exactly.
std::vector<uint32_t> epoch_permutation(uint32_t count, uint64_t seed, uint32_t epoch, bool shuffle) {
  std::vector<uint32_t> perm(count);
  for (uint32_t i = 0; i < count; ++i) perm[i] = i;
  if (!shuffle) return perm;
  HostRng rng(seed * 0x9E3779B97F4A7C15ull + epoch + 1);
  for (uint32_t i = count; i > 1; --i) std::swap(perm[i - 1], perm[rng.below(i)]);
  return perm;
}

}  // namespace

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
  state.noise = live_ ? live_->noise() : noise_;  // the viewer's, or (other ranks) the one voted
  state.epoch = epoch;
  if (synced_) {  // this rank's slice of each global batch
    state.image_offset = ranks_.rank() * (config_.batch / ranks_.size());
    state.batch_stride = config_.batch;
    synced_->expect_delay();
  }
  device_.ctx.write(device_.programs.state(), &state, sizeof state);
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
    ranks_.check_same(run_digest(device_),
                      "the parameters and noise level after step " + std::to_string(info_.step),
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

}  // namespace vkae::nn
