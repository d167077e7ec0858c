// encode and anomaly scores: a checkpoint's model in prediction mode over a dataset split, in batches of up
// to kInferenceBatch images through ModelRunner. The PCA comparison is pca_comparison.cpp's.
#include "nn/infer/split_passes.hpp"

#include <algorithm>

#include "nn/infer/model_runner.hpp"
#include "nn/ops/loss.hpp"

namespace vkae::nn {

const char* split_name(Split split) noexcept {
  return split == Split::Train ? "train" : "test";
}

namespace {

// Checkpoint, split data and run description shared by encode and score.
struct SplitSetup {
  LoadedCheckpoint ckpt;
  Dataset data;
  uint32_t count = 0;
};

SplitSetup set_up(const SplitConfig& config, SplitRun& run) {
  SplitSetup s{read_checkpoint(config.checkpoint), {}, 0};
  s.data = load_for_checkpoint(s.ckpt, config.checkpoint, config.dataset, config.data_dir, config.split);
  s.count = std::min(s.data.count, config.limit.value_or(s.data.count));
  if (s.count == 0) throw InputError("--limit 0: expected an integer >= 1");
  run.model = s.ckpt.spec.name;
  run.dataset = s.data.name;
  run.split = config.split;
  run.images = s.count;
  run.labels.assign(s.data.labels.begin(), s.data.labels.begin() + s.count);
  run.class_names = s.data.class_names;
  return s;
}

}  // namespace

Encoding encode_split(const SplitConfig& config) {
  Encoding e;
  const SplitSetup s = set_up(config, e);
  ModelRunner runner(s.ckpt, config.device);
  e.device = runner.device_name();
  e.latent = uint32_t(runner.model().latent_size());
  e.vae = runner.model().sampling() != nullptr;
  e.codes.reserve(size_t{s.count} * e.latent);
  for (uint32_t first = 0; first < s.count; first += kInferenceBatch) {
    const uint32_t n = std::min(kInferenceBatch, s.count - first);
    runner.run(s.data, first, n);
    const std::vector<float> code = runner.read_code(n);
    e.codes.insert(e.codes.end(), code.begin(), code.end());
  }
  e.seconds = runner.seconds();
  return e;
}

ReconstructionScores score_split(const SplitConfig& config) {
  ReconstructionScores r;
  const SplitSetup s = set_up(config, r);
  r.metric = s.ckpt.spec.loss == LossKind::Bce ? "BCE per pixel" : "MSE per pixel";
  r.holdout_class = s.ckpt.info.holdout_class;
  ModelRunner runner(s.ckpt, config.device);
  r.device = runner.device_name();
  r.errors.reserve(s.count);
  for (uint32_t first = 0; first < s.count; first += kInferenceBatch) {
    const uint32_t n = std::min(kInferenceBatch, s.count - first);
    runner.run(s.data, first, n);
    const std::vector<float> errors = runner.read_errors(n);
    r.errors.insert(r.errors.end(), errors.begin(), errors.end());
  }
  r.seconds = runner.seconds();
  return r;
}
}  // namespace vkae::nn
