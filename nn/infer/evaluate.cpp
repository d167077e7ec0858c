// `vkae eval`: a checkpoint's loss over the test split, through the same recorded validation program the
// trainer uses.
#include "nn/infer/evaluate.hpp"

#include <algorithm>
#include <chrono>

#include "nn/data/dataset.hpp"
#include "nn/infer/model_runner.hpp"
#include "nn/train/checkpoint.hpp"
#include "nn/train/defaults.hpp"
#include "nn/train/program.hpp"
#include "runtime/queue.hpp"

namespace vkae::nn {

EvalResult evaluate(const EvalConfig& config) {
  const LoadedCheckpoint ckpt = read_checkpoint(config.checkpoint);
  const std::string dataset = config.dataset.empty() ? ckpt.info.dataset : config.dataset;
  require_known_dataset(dataset);
  if (!(config.noise >= 0)) throw InputError("--noise: expected a number >= 0");
  const Dataset test_set = load_dataset(dataset, Split::Test, checkpoint_data_search(ckpt, config.data_dir));
  const uint32_t count = std::min(test_set.count, config.limit.value_or(test_set.count));
  if (count == 0) throw InputError("--limit 0: expected an integer >= 1");
  EvalResult r = evaluate_images(ckpt, test_set, count, config.noise, config.seed, config.device);
  r.dataset = dataset;
  return r;
}

EvalResult evaluate_images(const LoadedCheckpoint& ckpt, const Dataset& test_set, uint32_t count, float noise,
                           uint64_t seed, const std::string& device) {
  if (count == 0 || count > test_set.count)
    throw Error("evaluate: " + std::to_string(count) + " of " + std::to_string(test_set.count) + " images");
  rt::Context ctx(analysis_context_options(device));
  const uint32_t batch = std::min(kInferenceBatch, count);
  Model model(ctx, ckpt.spec, batch);
  load_into(ctx, ckpt, model, nullptr);
  DeviceImages images(ctx, test_set, count);
  Programs programs(ctx, model, images, images, ProgramOptions{batch, count, 16, 8, true, /*step=*/false});
  StepState state;
  state.set_seed(seed);
  state.noise = noise;
  ctx.write(programs.validation_state(), &state, sizeof state);

  rt::Submitter submitter(ctx.device(), 1);
  {
    // Warm-up, untimed: a pipeline's first dispatch compiles it (llvmpipe's JIT, a GPU driver's first use),
    // so one batch goes through the same pipelines first. (This used to be a whole extra pass over the test
    // set, which doubled the command's time.)
    const DeviceImages warm_images(ctx, test_set, batch);
    Programs warm(ctx, model, warm_images, warm_images,
                  ProgramOptions{batch, batch, 16, 8, true, /*step=*/false});
    ctx.write(warm.validation_state(), &state, sizeof state);
    VkCommandBuffer w = warm.validation();
    submitter.wait(submitter.submit({&w, 1}));
  }
  VkCommandBuffer v = programs.validation();
  const auto start = std::chrono::steady_clock::now();
  submitter.wait(submitter.submit({&v, 1}));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  EvalResult r;
  r.loss = programs.validation_mean();
  r.loss_label = loss_label(ckpt.spec);
  r.denoising = ckpt.spec.denoising;
  r.images = uint64_t{programs.validation_batches()} * programs.validation_batch();
  r.seconds = seconds;
  r.images_per_s = double(r.images) / std::max(seconds, 1e-9);
  r.model = ckpt.spec.name;
  r.dataset = test_set.name;
  r.device = ctx.device_name();
  return r;
}

}  // namespace vkae::nn
