// The learning-rate schedules, the epoch-end decisions (best, early stopping, plateau) as Keras makes them,
// and the control's checkpoint metadata.
#include "nn/train/control.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "nn/io/json.hpp"

namespace vkae::nn {
namespace {

constexpr std::pair<OptimizerKind, std::string_view> kOptimizers[] = {{OptimizerKind::Adam, "adam"},
                                                                      {OptimizerKind::AdamW, "adamw"},
                                                                      {OptimizerKind::Sgd, "sgd"},
                                                                      {OptimizerKind::Momentum, "momentum"}};
constexpr std::pair<LrScheduleKind, std::string_view> kSchedules[] = {{LrScheduleKind::Constant, "constant"},
                                                                      {LrScheduleKind::Step, "step"},
                                                                      {LrScheduleKind::Cosine, "cosine"},
                                                                      {LrScheduleKind::Plateau, "plateau"}};

// Keras' rule, shared by EarlyStopping and ReduceLROnPlateau: an improvement is a loss below best - delta.
bool improves(double loss, double best, float min_delta) {
  return loss < best - double(min_delta);
}

// JSON has no infinity: "no best yet" is stored as null.
Json finite_or_null(double v) {
  return std::isfinite(v) ? Json(v) : Json(nullptr);
}
double number_or_infinity(const Json& v) {
  return v.is_null() ? std::numeric_limits<double>::infinity() : json_number(v);
}

}  // namespace

std::string format_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

EpochDecision observe_validation(const TrainControl& control, ControlState& state, double val_loss) {
  EpochDecision d;
  if (val_loss < state.best_val) {
    state.best_val = val_loss;
    d.new_best = true;
  }
  if (control.early_stopping) {
    if (improves(val_loss, state.stop_best, control.min_delta)) {
      state.stop_best = val_loss;
      state.stop_wait = 0;
    } else if (++state.stop_wait >= *control.early_stopping) {
      d.stop = true;
    }
  }
  const ScheduleSettings& s = control.schedule;
  if (s.kind == LrScheduleKind::Plateau) {
    if (improves(val_loss, state.plateau_best, control.min_delta)) {
      state.plateau_best = val_loss;
      state.plateau_wait = 0;
    } else if (++state.plateau_wait >= s.patience) {
      state.lr_scale *= s.gamma;
      state.plateau_wait = 0;
      d.lr_dropped = true;
    }
  }
  return d;
}

float scheduled_lr(const ScheduleSettings& s, const ScheduleShape& shape, const ControlState& state,
                   uint64_t step, uint32_t epoch) {
  const double base = shape.lr;
  if (step < s.warmup) return static_cast<float>(base * double(step + 1) / double(s.warmup));
  switch (s.kind) {
    case LrScheduleKind::Constant:
      return shape.lr;  // the float itself: a constant run's bits do not depend on this function
    case LrScheduleKind::Step: {
      const uint32_t every = s.step_epochs ? s.step_epochs : std::max(1u, shape.epochs / 3);
      return static_cast<float>(base * std::pow(double(s.gamma), double(epoch / every)));
    }
    case LrScheduleKind::Cosine: {
      const double span = double(std::max<uint64_t>(shape.total_steps, s.warmup + 1) - s.warmup);
      const double t = std::min(double(step - s.warmup) / span, 1.0);
      return static_cast<float>(s.min_lr + (base - s.min_lr) * 0.5 * (1 + std::cos(M_PI * t)));
    }
    case LrScheduleKind::Plateau:
      return static_cast<float>(std::max(base * double(state.lr_scale), double(s.min_lr)));
  }
  return shape.lr;
}

std::string_view optimizer_name(OptimizerKind kind) {
  for (const auto& [k, name] : kOptimizers)
    if (k == kind) return name;
  return "adam";
}

std::string_view schedule_name(LrScheduleKind kind) {
  for (const auto& [k, name] : kSchedules)
    if (k == kind) return name;
  return "constant";
}

std::optional<OptimizerKind> optimizer_from_name(std::string_view name) {
  for (const auto& [k, n] : kOptimizers)
    if (n == name) return k;
  return std::nullopt;
}

std::optional<LrScheduleKind> schedule_from_name(std::string_view name) {
  for (const auto& [k, n] : kSchedules)
    if (n == name) return k;
  return std::nullopt;
}

void check_control(const TrainControl& c) {
  auto finite_at_least_zero = [](float v) { return std::isfinite(v) && v >= 0; };
  if (!finite_at_least_zero(c.optimizer.weight_decay))
    throw InputError("--weight-decay " + format_number(c.optimizer.weight_decay) +
                     ": expected a number >= 0");
  if (!(c.optimizer.momentum >= 0 && c.optimizer.momentum < 1))
    throw InputError("--momentum " + format_number(c.optimizer.momentum) + ": expected a number in [0, 1)");
  if (!(c.schedule.gamma > 0 && c.schedule.gamma < 1))
    throw InputError("--lr-gamma " + format_number(c.schedule.gamma) + ": expected a number in (0, 1)");
  if (c.schedule.patience == 0) throw InputError("--lr-patience 0: expected an integer >= 1");
  if (!finite_at_least_zero(c.schedule.min_lr))
    throw InputError("--min-lr " + format_number(c.schedule.min_lr) + ": expected a number >= 0");
  if (c.early_stopping && *c.early_stopping == 0)
    throw InputError("--early-stopping 0: expected an integer >= 1");
  if (!finite_at_least_zero(c.min_delta))
    throw InputError("--min-delta " + format_number(c.min_delta) + ": expected a number >= 0");
}

std::map<std::string, std::string> control_metadata(const TrainControl& c, const ControlState& s) {
  Json settings = Json::object();
  settings["optimizer"] = optimizer_name(c.optimizer.kind);
  settings["weight_decay"] = c.optimizer.weight_decay;
  settings["momentum"] = c.optimizer.momentum;
  settings["lr_schedule"] = schedule_name(c.schedule.kind);
  settings["warmup"] = c.schedule.warmup;
  settings["lr_step_epochs"] = c.schedule.step_epochs;
  settings["lr_gamma"] = c.schedule.gamma;
  settings["lr_patience"] = c.schedule.patience;
  settings["min_lr"] = c.schedule.min_lr;
  settings["save_every"] = c.save_every;
  settings["save_best"] = c.save_best;
  settings["early_stopping"] = c.early_stopping ? Json(*c.early_stopping) : Json(nullptr);
  settings["min_delta"] = c.min_delta;
  Json state = Json::object();
  state["best_val"] = finite_or_null(s.best_val);
  state["stop_best"] = finite_or_null(s.stop_best);
  state["stop_wait"] = s.stop_wait;
  state["plateau_best"] = finite_or_null(s.plateau_best);
  state["plateau_wait"] = s.plateau_wait;
  state["lr_scale"] = s.lr_scale;
  return {{"control", to_json(settings)}, {"control_state", to_json(state)}};
}

void read_control_metadata(const std::map<std::string, std::string>& metadata, const std::string& where,
                           TrainControl& c, ControlState& s) {
  const auto settings_it = metadata.find("control"), state_it = metadata.find("control_state");
  if (settings_it == metadata.end() || state_it == metadata.end()) return;  // an older checkpoint: defaults
  const Json j = parse_json(settings_it->second, where + " control");
  const auto optimizer = optimizer_from_name(json_string(json_at(j, "optimizer")));
  const auto schedule = schedule_from_name(json_string(json_at(j, "lr_schedule")));
  if (!optimizer || !schedule) throw InputError(where + ": unknown optimizer or lr schedule in \"control\"");
  c.optimizer = {*optimizer, float(json_number(json_at(j, "weight_decay"))),
                 float(json_number(json_at(j, "momentum")))};
  c.schedule = {*schedule,
                uint64_t(json_int(json_at(j, "warmup"))),
                uint32_t(json_int(json_at(j, "lr_step_epochs"))),
                float(json_number(json_at(j, "lr_gamma"))),
                uint32_t(json_int(json_at(j, "lr_patience"))),
                float(json_number(json_at(j, "min_lr")))};
  c.save_every = uint64_t(json_int(json_at(j, "save_every")));
  c.save_best = json_bool(json_at(j, "save_best"));
  const Json& es = json_at(j, "early_stopping");
  c.early_stopping = es.is_null() ? std::nullopt : std::optional<uint32_t>(uint32_t(json_int(es)));
  c.min_delta = float(json_number(json_at(j, "min_delta")));
  check_control(c);
  const Json t = parse_json(state_it->second, where + " control_state");
  s.best_val = number_or_infinity(json_at(t, "best_val"));
  s.stop_best = number_or_infinity(json_at(t, "stop_best"));
  s.stop_wait = uint32_t(json_int(json_at(t, "stop_wait")));
  s.plateau_best = number_or_infinity(json_at(t, "plateau_best"));
  s.plateau_wait = uint32_t(json_int(json_at(t, "plateau_wait")));
  s.lr_scale = float(json_number(json_at(t, "lr_scale")));
}

}  // namespace vkae::nn
