// `vkae train`'s training-control flags, Keras-style: the optimizer and its weight decay, the learning-rate
// schedule and warm-up, periodic and best checkpoints, early stopping. The settings and their checks are
// nn/train/control.hpp's; this file only maps flags onto them (any State whose command.config is a
// TrainConfig).
#pragma once
#include <string>
#include <vector>

#include "app/options.hpp"
#include "nn/train/control.hpp"

namespace vkae::app::cli {

template <typename S>
std::vector<Option<S>> optimizer_options() {
  return {
      {"--optimizer", "NAME", nn::kOptimizerNames,
       "adam, adamw (decoupled weight decay), sgd, or momentum (SGD with momentum) (default adam)",
       [](S& s, std::string_view flag, std::string_view v) {
         const auto kind = nn::optimizer_from_name(v);
         if (!kind) bad_value(flag, v, nn::kOptimizerNames);
         s.command.config.control.optimizer.kind = *kind;
       }},
      number_option<S>(
          "--weight-decay", true,
          "weight decay: added to the gradient as wd*p (adam, sgd, momentum; PyTorch's form), or "
          "p *= 1 - lr*wd (adamw) (default 0)",
          [](S& s, float v) { s.command.config.control.optimizer.weight_decay = v; }),
      number_option<S>("--momentum", true, "momentum's factor, in [0, 1) (default 0.9)",
                       [](S& s, float v) { s.command.config.control.optimizer.momentum = v; }),
  };
}

template <typename S>
std::vector<Option<S>> schedule_options() {
  return {
      {"--lr-schedule", "NAME", nn::kScheduleNames,
       "constant; step (x --lr-gamma every --lr-step-epochs); cosine (to --min-lr at the run's end); plateau "
       "(x --lr-gamma after --lr-patience epochs without a better val loss) (default constant)",
       [](S& s, std::string_view flag, std::string_view v) {
         const auto kind = nn::schedule_from_name(v);
         if (!kind) bad_value(flag, v, nn::kScheduleNames);
         s.command.config.control.schedule.kind = *kind;
       }},
      integer_option<S, uint64_t>("--warmup", 0, "steps of linear warm-up to --lr (default 0)",
                                  [](S& s, uint64_t v) { s.command.config.control.schedule.warmup = v; }),
      integer_option<S, uint32_t>(
          "--lr-step-epochs", 1, "step schedule's period (default: a third of --epochs)",
          [](S& s, uint32_t v) { s.command.config.control.schedule.step_epochs = v; }),
      number_option<S>("--lr-gamma", false, "step and plateau schedules' factor, in (0, 1) (default 0.1)",
                       [](S& s, float v) { s.command.config.control.schedule.gamma = v; }),
      integer_option<S, uint32_t>("--lr-patience", 1, "plateau schedule's patience in epochs (default 2)",
                                  [](S& s, uint32_t v) { s.command.config.control.schedule.patience = v; }),
      number_option<S>("--min-lr", true, "cosine's final and plateau's lowest learning rate (default 0)",
                       [](S& s, float v) { s.command.config.control.schedule.min_lr = v; }),
  };
}

template <typename S>
std::vector<Option<S>> callback_options() {
  return {
      integer_option<S, uint64_t>("--save-every", 1,
                                  "also write the checkpoint every N steps, mid-epoch, to resume exactly "
                                  "from (default: at epoch ends only)",
                                  [](S& s, uint64_t v) { s.command.config.control.save_every = v; }),
      switch_option<S>("--save-best",
                       "keep best.safetensors: the checkpoint of the epoch with the lowest val loss "
                       "(default: off)",
                       [](S& s) { s.command.config.control.save_best = true; }),
      integer_option<S, uint32_t>("--early-stopping", 1,
                                  "stop after N epochs without a val loss lower than the best by more than "
                                  "--min-delta (default: off)",
                                  [](S& s, uint32_t v) { s.command.config.control.early_stopping = v; }),
      number_option<S>("--min-delta", true, "the improvement early stopping and plateau count (default 0)",
                       [](S& s, float v) { s.command.config.control.min_delta = v; }),
  };
}

}  // namespace vkae::app::cli
