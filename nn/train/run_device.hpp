// RunDevice: what one training run keeps on the device — the model, the training and test images (and the
// stream refilling the training ring, when they stream), the recorded programs, the optimizer moments (in the
// programs) and the submitter every submit of the run goes through — made from a checked RunSetup. Also the
// run-folder writes that read the device: the checkpoint, the validation loss and the epoch's files
// (checkpoint, metrics.jsonl, loss.png, samples.png). No loop here: trainer.cpp.
#pragma once
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "nn/train/data_plan.hpp"
#include "nn/train/image_stream.hpp"
#include "nn/train/outputs.hpp"
#include "nn/train/program.hpp"
#include "nn/train/run_setup.hpp"
#include "runtime/context.hpp"
#include "runtime/queue.hpp"

namespace vkae::nn {

struct RunDevice {
  RunDevice(rt::Context& ctx, const RunSetup& setup);
  RunDevice(const RunDevice&) = delete;
  RunDevice& operator=(const RunDevice&) = delete;

  rt::Context& ctx;
  Model model;
  DataPlan plan;  // how the images below lie on the device
  DeviceImages train_images, test_images;
  Programs programs;                  // reads model and both image sets; holds Adam's moments
  std::optional<ImageStream> stream;  // fills train_images' ring when the plan streams
  rt::Submitter submitter;            // last: its destructor waits for every submit before the rest goes
};

// The run's device: `lent` (the viewer's) or one made into `own` from the config and VKAE_DEVICE; `note`
// hears "running on ...".
rt::Context& training_context(const TrainConfig& config, const std::function<void(const std::string&)>& note,
                              rt::Context* lent, std::optional<rt::Context>& own);
// A fresh run's position and settings, as its checkpoints record them.
RunInfo fresh_run_info(const RunSetup& setup);

// <run folder>/checkpoint.safetensors
std::filesystem::path checkpoint_path(const TrainConfig& config);

// The model and the optimizer's state at `info` into the run folder's `name`, then metrics.jsonl (both
// atomically). Call with nothing in flight.
void write_checkpoint(RunDevice& run, const TrainConfig& config, const RunInfo& info, const MetricsLog& log,
                      const std::filesystem::path& name = "checkpoint.safetensors");

// Once the finite check flagged a step: TrainingFault naming the step and the first parameter (in arena
// order) whose gradient went non-finite, or the loss. `lr` is for the hint.
void throw_if_not_finite(const RunDevice& run, float lr);

// A hash of the parameter arena and of the training inputs' noise level (a data-parallel run checks both
// are the same on every rank: the noise is the viewer's to change). Reads the device.
uint64_t run_digest(RunDevice& run);
// The training inputs' noise level from the next step on (the viewer's change): one float of the step state.
// Nothing of training may be in flight.
void write_training_noise(RunDevice& run, float noise);

// The mean loss of the recorded validation pass over the test images; waits for it.
double run_validation(RunDevice& run);

// The epoch's files: checkpoint and metrics, loss.png, and samples.png from a fresh preview of sample set 0
// at the run's own noise and seed (always the same images). Returns that preview (the viewer shows it too).
Programs::Preview write_epoch_files(RunDevice& run, const RunSetup& setup, const RunInfo& info,
                                    const MetricsLog& log);
// samples.png's picture of a preview of the run's test images.
SamplesGrid samples_grid(const RunSetup& setup, const Programs::Preview& preview);

}  // namespace vkae::nn
