// What a run writes for TensorBoard. Per step (step = the global optimizer step, as metrics.jsonl counts):
// train/ batch_loss and learning_rate. Per epoch (step = the 0-based epoch, as Keras counts): train/
// epoch_loss and images_per_second, validation/ epoch_loss (when validated) and the samples grid
// (validation/samples, samples.png's picture). Once at the start: train/model_summary and
// train/command_line as text.
#include "nn/train/tensorboard_hook.hpp"

#include <cmath>

#include "nn/io/png.hpp"
#include "nn/model/spec.hpp"
#include "nn/train/run_device.hpp"

namespace vkae::nn {

std::string markdown_verbatim(const std::string& text) {
  const bool ends_line = !text.empty() && text.back() == '\n';
  return "```\n" + text + (ends_line ? "" : "\n") + "```\n";
}

TensorboardHook::TensorboardHook(const RunSetup& setup, LearningRate learning_rate)
    : setup_(setup),
      learning_rate_(std::move(learning_rate)),
      train_(setup.config.out / "train"),
      validation_(setup.config.out / "validation") {
  const auto first_step = static_cast<int64_t>(setup.resumed ? setup.resumed->info.step : 0);
  train_.add_text("model_summary", first_step, markdown_verbatim(model_summary(setup.spec)));
  if (!setup.config.command_line.empty())
    train_.add_text("command_line", first_step, markdown_verbatim(setup.config.command_line));
  train_.flush();
}

void TensorboardHook::on_steps(std::span<const StepRecord> steps, const TrainProgress&) {
  for (const StepRecord& s : steps) {
    const auto step = static_cast<int64_t>(s.step);
    train_.add_scalar("batch_loss", step, s.loss);
    train_.add_scalar("learning_rate", step, learning_rate_(s.step));
  }
}

void TensorboardHook::on_epoch_end(const EpochSummary& summary, const Programs::Preview& samples) {
  const int64_t epoch = int64_t{summary.epoch} - 1;
  if (std::isfinite(summary.train_loss)) train_.add_scalar("epoch_loss", epoch, summary.train_loss);
  train_.add_scalar("images_per_second", epoch, summary.images_per_s);
  if (summary.val_loss) validation_.add_scalar("epoch_loss", epoch, *summary.val_loss);
  if (!samples.clean.empty()) {
    const SamplesGrid grid = samples_grid(setup_, samples);
    validation_.add_image("samples", epoch, encode_png(grid.width, grid.height, grid.channels, grid.pixels),
                          grid.height, grid.width, grid.channels);
  }
  train_.flush();  // an epoch's figures show at once, not up to 2 s later
  validation_.flush();
}

}  // namespace vkae::nn
