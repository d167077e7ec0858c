// Training control, Keras-style: which optimizer updates the parameters, the learning-rate schedule (with
// warm-up), periodic and best checkpoints, early stopping — the settings (TrainControl) and the state a run
// carries from epoch to epoch (ControlState), both stored in the checkpoint so --resume continues them. The
// schedule is a pure function of the step and that state: the trainer writes each epoch's learning rates
// into a table the recorded step reads, so the command buffer never changes. No device work here.
#pragma once
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vkae::nn {

enum class OptimizerKind { Adam, AdamW, Sgd, Momentum };
enum class LrScheduleKind { Constant, Step, Cosine, Plateau };

struct OptimizerSettings {
  OptimizerKind kind = OptimizerKind::Adam;
  float weight_decay = 0;  // adam, sgd, momentum: L2 added to the gradient (PyTorch); adamw: decoupled
  float momentum = 0.9f;   // momentum only
};

struct ScheduleSettings {
  LrScheduleKind kind = LrScheduleKind::Constant;
  uint64_t warmup = 0;       // steps of linear warm-up from lr/warmup to lr
  uint32_t step_epochs = 0;  // step: multiply by `gamma` every this many epochs (0 = a third of --epochs)
  float gamma = 0.1f;        // step and plateau: the factor
  uint32_t patience = 2;     // plateau: epochs without improvement before the lr drops
  float min_lr = 0;          // cosine's end and plateau's floor
};

struct TrainControl {
  OptimizerSettings optimizer;
  ScheduleSettings schedule;
  uint64_t save_every = 0;                 // steps between mid-epoch checkpoints (0 = only at epoch ends)
  bool save_best = false;                  // keep best.safetensors at the lowest validation loss
  std::optional<uint32_t> early_stopping;  // patience in epochs
  float min_delta = 0;                     // improvement that counts, for early stopping and plateau
};

// What the schedule, --save-best and --early-stopping remember between epochs.
struct ControlState {
  double best_val = std::numeric_limits<double>::infinity();   // lowest validation loss so far
  double stop_best = std::numeric_limits<double>::infinity();  // early stopping's reference (min_delta)
  uint32_t stop_wait = 0;                                      // epochs since it improved
  double plateau_best = std::numeric_limits<double>::infinity();
  uint32_t plateau_wait = 0;
  float lr_scale = 1;  // plateau's product of factors so far
};

// What an epoch's validation loss decides.
struct EpochDecision {
  bool new_best = false;    // lower than every earlier one: write best.safetensors
  bool stop = false;        // early stopping's patience ran out
  bool lr_dropped = false;  // plateau lowered the learning rate
};
EpochDecision observe_validation(const TrainControl& control, ControlState& state, double val_loss);

// The learning rate of the step after `step` completed ones, in epoch `epoch` (0-based), of a run of
// `total_steps` steps and `epochs` epochs at base rate `lr`.
struct ScheduleShape {
  float lr = 0;
  uint64_t total_steps = 0;
  uint32_t epochs = 0;
};
float scheduled_lr(const ScheduleSettings& s, const ScheduleShape& shape, const ControlState& state,
                   uint64_t step, uint32_t epoch);

// The names on the command line and in the checkpoint.
std::string_view optimizer_name(OptimizerKind kind);
std::string_view schedule_name(LrScheduleKind kind);
std::optional<OptimizerKind> optimizer_from_name(std::string_view name);
std::optional<LrScheduleKind> schedule_from_name(std::string_view name);
inline constexpr const char* kOptimizerNames = "adam, adamw, sgd or momentum";
inline constexpr const char* kScheduleNames = "constant, step, cosine or plateau";

// A flag's value as messages echo it ("%g": 0.001, 1e+30).
std::string format_number(double v);

// Checks the settings' ranges (one line naming the flag); `epochs` for the step schedule's default.
void check_control(const TrainControl& control);

// Checkpoint metadata: the settings and the state as JSON text, and back (`where` names the file).
std::map<std::string, std::string> control_metadata(const TrainControl& control, const ControlState& state);
void read_control_metadata(const std::map<std::string, std::string>& metadata, const std::string& where,
                           TrainControl& control, ControlState& state);

}  // namespace vkae::nn
