// TensorboardHook: a run's TensorBoard event files, as Keras' TensorBoard callback lays them out — train/
// and validation/ under the run folder, each with its own event file (a resumed run adds new ones beside
// the old, which TensorBoard merges). Tags and steps are listed in tensorboard_hook.cpp; the file format is
// nn/io/event_writer.hpp's.
#pragma once
#include <cstdint>
#include <functional>

#include "nn/io/event_writer.hpp"
#include "nn/train/hooks.hpp"
#include "nn/train/run_setup.hpp"

namespace vkae::nn {

class TensorboardHook final : public TrainHook {
 public:
  // The learning rate of step `step` (1-based, as StepRecord counts): the trainer's schedule.
  using LearningRate = std::function<double(uint64_t step)>;

  // Opens both files and writes the model summary and the command line. TfRecordError naming the file.
  // `setup` outlives the hook.
  TensorboardHook(const RunSetup& setup, LearningRate learning_rate);
  void on_steps(std::span<const StepRecord> steps, const TrainProgress& progress) override;
  void on_epoch_end(const EpochSummary& summary, const Programs::Preview& samples) override;

 private:
  const RunSetup& setup_;
  LearningRate learning_rate_;
  EventWriter train_, validation_;
};

// The Markdown TensorBoard's text plugin shows: `text` as a fenced block, kept verbatim (its columns).
std::string markdown_verbatim(const std::string& text);

}  // namespace vkae::nn
