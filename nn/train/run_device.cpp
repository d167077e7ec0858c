// The run's device objects and the run-folder writes that read them (see run_device.hpp).
#include "nn/train/run_device.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdio>

#include "nn/io/digest.hpp"
#include "nn/io/png.hpp"
#include "nn/parallel/ranks.hpp"
#include "nn/train/checkpoint.hpp"

namespace vkae::nn {
namespace {

constexpr uint32_t kMaxInFlight = 3;  // submits outstanding: the host never waits on the one just queued
constexpr uint32_t kLossRingSlots = 4096;
constexpr uint32_t kPreviewImages = 8;

// What the run keeps on the device besides the images: the model's arenas and the optimizer's state (at most
// two arena-sized buffers, Adam's moments).
uint64_t model_bytes(const Model& model) {
  uint64_t bytes = 2 * model.arena_floats() * sizeof(float);
  for (const rt::Arena* arena : model.arenas()) bytes += arena->capacity();
  return bytes;
}

// This rank's share of the step (the whole batch on one rank), and the programs that record it.
uint32_t rank_batch(const TrainConfig& config) {
  return config.batch / Ranks::world().size();
}

ProgramOptions program_options(const RunSetup& setup) {
  const TrainConfig& c = setup.config;
  ProgramOptions options{rank_batch(c), setup.train_count,  kLossRingSlots, kPreviewImages, true,
                         true,          c.control.optimizer};
  if (Ranks::world().size() > 1) {
    options.global_batch = c.batch;
    options.synced = true;
  }
  return options;
}

}  // namespace

rt::Context& training_context(const TrainConfig& config, const std::function<void(const std::string&)>& note,
                              rt::Context* lent, std::optional<rt::Context>& own) {
  rt::ContextOptions options = rt::context_options_from_env();
  if (!config.device.empty()) options.device = config.device;
  options.rank = Ranks::world().rank();  // ranks on one machine spread over its devices
  options.quiet = true;
  rt::Context& ctx = lent ? *lent : own.emplace(options);
  if (note)
    note("running on " + ctx.device_name() +
         (ctx.device().is_cpu() ? ", a CPU Vulkan device (no GPU found)" : ""));
  return ctx;
}

RunInfo fresh_run_info(const RunSetup& setup) {
  const TrainConfig& c = setup.config;
  RunInfo info{c.dataset, 0, 0, 0, c.seed, c.batch, c.lr, c.noise, setup.train_count, c.shuffle};
  info.holdout_class = c.holdout_class;
  info.images = c.images;
  info.control = c.control;
  return info;
}

RunDevice::RunDevice(rt::Context& context, const RunSetup& setup)
    : ctx(context),
      model(ctx, setup.spec, setup.config.batch),  // the whole batch: validation as on one rank
      plan(plan_data(ctx.device(), setup, setup.val_count, model_bytes(model))),
      train_images(ctx, setup.train_set, setup.train_count, plan.train),
      test_images(ctx, setup.test_set, setup.val_count, plan.test),
      programs(ctx, model, train_images, test_images, program_options(setup)),
      submitter(ctx.device(), kMaxInFlight) {
  if (plan.train.streamed)
    stream.emplace(ctx, train_images, setup.train_set, setup.config.batch, setup.config.data_staged);
}

std::filesystem::path checkpoint_path(const TrainConfig& config) {
  return config.out / "checkpoint.safetensors";
}

void write_checkpoint(RunDevice& run, const TrainConfig& config, const RunInfo& info, const MetricsLog& log,
                      const std::filesystem::path& name) {
  const OptimizerMoments moments = run.programs.moments();
  save_checkpoint(run.ctx, config.out / name, run.model, &moments, info);
  log.write();
}

void throw_if_not_finite(const RunDevice& run, float lr) {
  const std::optional<BadStep> bad = run.programs.bad_step();
  if (!bad) return;
  std::string where = "the loss";
  if (bad->index) {
    where = "the gradient of a parameter";
    for (const Param& p : run.model.params())
      if (*bad->index >= p.value.offset / 4 && *bad->index < p.value.offset / 4 + p.count)
        where = "the gradient of " + p.name;
  }
  throw TrainingFault("step " + std::to_string(uint64_t{bad->step} + 1) + ": " + where +
                      " is not finite (NaN or infinity); stopped before its update, nothing written "
                      "since the last checkpoint; try a lower --lr (now " +
                      format_number(lr) + ")");
}

uint64_t run_digest(RunDevice& run) {
  std::vector<float> values =
      run.ctx.read<float>(run.model.param_arena().sub(0, run.model.arena_floats() * 4));
  values.push_back(0);
  run.ctx.read(run.programs.state().sub(offsetof(StepState, noise), sizeof(float)), &values.back(),
               sizeof(float));
  return xxh64(std::as_bytes(std::span<const float>(values)));
}

void write_training_noise(RunDevice& run, float noise) {
  run.ctx.write(run.programs.state().sub(offsetof(StepState, noise), sizeof(float)), &noise, sizeof noise);
}

double run_validation(RunDevice& run) {
  VkCommandBuffer v = run.programs.validation();
  run.submitter.wait(run.submitter.submit({&v, 1}));
  return run.programs.validation_mean();
}

Programs::Preview write_epoch_files(RunDevice& run, const RunSetup& setup, const RunInfo& info,
                                    const MetricsLog& log) {
  const TrainConfig& config = setup.config;
  write_checkpoint(run, config, info, log);
  write_loss_plot(config.out / "loss.png", log, setup.spec.name + " on " + config.dataset);
  VkCommandBuffer pv = run.programs.preview();
  run.programs.set_preview(0, config.noise, config.seed);
  run.submitter.wait(run.submitter.submit({&pv, 1}));
  Programs::Preview preview = run.programs.read_preview();
  const SamplesGrid grid = samples_grid(setup, preview);
  write_png(config.out / "samples.png", grid.width, grid.height, grid.channels, grid.pixels);
  return preview;
}

SamplesGrid samples_grid(const RunSetup& setup, const Programs::Preview& preview) {
  const Dataset& d = setup.test_set;  // its samples are whole images: the crop is the training set's
  const auto images = static_cast<uint32_t>(preview.clean.size() / d.sample_size());
  return make_samples_grid(preview.noisy, preview.output, preview.clean, images, d.sample_rows(),
                           d.sample_cols(), d.channels, 3, sample_column_names(setup.spec.denoising));
}

}  // namespace vkae::nn
