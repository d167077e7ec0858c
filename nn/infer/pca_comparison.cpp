// `vkae reduce`: an autoencoder's test reconstruction error next to PCA's with as many components as the
// model's code has numbers. PCA is fitted on the training images (without the checkpoint's held-out class, as
// the model was), on the host in double; both are scored with the same host formulas on the same images.
#include <algorithm>
#include <chrono>
#include <cmath>

#include "nn/analysis/pca.hpp"
#include "nn/infer/pca_comparison.hpp"
#include "nn/infer/model_runner.hpp"

namespace vkae::nn {
namespace {

constexpr double kClip = 1e-7;  // BCE of a probability clipped to [kClip, 1 - kClip], as Keras' epsilon

// Running sums of squared error and BCE over pixels.
struct ErrorSums {
  double squared = 0, bce = 0;
  uint64_t pixels = 0;

  void add(std::span<const double> prediction, std::span<const float> target) {
    for (size_t i = 0; i < target.size(); ++i) {
      const double t = target[i], p = std::clamp(prediction[i], kClip, 1.0 - kClip);
      squared += (prediction[i] - t) * (prediction[i] - t);
      bce -= t * std::log(p) + (1.0 - t) * std::log(1.0 - p);
    }
    pixels += target.size();
  }
  ReconstructionErrors mean() const { return {squared / double(pixels), bce / double(pixels)}; }
};

void to_unit(std::span<float> out, std::span<const uint8_t> pixels) {
  for (size_t i = 0; i < out.size(); ++i) out[i] = float(pixels[i]) / 255.0f;
}

}  // namespace

ReduceReport compare_with_pca(const ReduceConfig& config) {
  const SplitConfig& c = config.test;
  const LoadedCheckpoint ckpt = read_checkpoint(c.checkpoint);
  const Dataset test = load_for_checkpoint(ckpt, c.checkpoint, c.dataset, c.data_dir, Split::Test);
  Dataset train = load_for_checkpoint(ckpt, c.checkpoint, c.dataset, c.data_dir, Split::Train);
  if (ckpt.info.holdout_class >= 0) train = without_class(std::move(train), uint32_t(ckpt.info.holdout_class));
  const uint32_t count = std::min(test.count, c.limit.value_or(test.count));
  const uint32_t fit_count = std::min(train.count, config.fit_limit.value_or(train.count));
  const uint32_t d = test.rows * test.cols;

  ReduceReport r;
  r.model = ckpt.spec.name;
  r.dataset = test.name;
  r.split = Split::Test;
  r.images = count;
  r.labels.assign(test.labels.begin(), test.labels.begin() + count);
  r.latent = uint32_t(code_shape(ckpt.spec).size());  // known before any device work, so flags are checked first
  r.components = config.components.value_or(r.latent);
  if (!config.components && r.components > d)
    throw InputError("checkpoint " + c.checkpoint.string() + ": the model's code has " + std::to_string(r.components) +
                     " numbers, more than the " + std::to_string(d) + " pixels of an image; pass --components K");
  if (r.components == 0 || r.components > d)
    throw InputError("--components " + std::to_string(r.components) + ": expected 1 to " + std::to_string(d) +
                     " (the pixels of an image)");
  if (fit_count < 2) throw InputError("--fit-limit " + std::to_string(fit_count) + ": expected at least 2 images");
  r.fit_images = fit_count;
  r.holdout_class = ckpt.info.holdout_class;
  ModelRunner runner(ckpt, c.device);
  r.device = runner.device_name();

  // Fit: the covariance of the training images, a block of rows at a time.
  const auto fit_start = std::chrono::steady_clock::now();
  CovarianceAccumulator acc(d);
  std::vector<double> block;
  for (uint32_t first = 0; first < fit_count; first += 256) {
    const uint32_t n = std::min(256u, fit_count - first);
    block.resize(size_t{n} * d);
    for (size_t i = 0; i < block.size(); ++i) block[i] = train.images[size_t{first} * d + i] / 255.0;
    acc.add(block);
  }
  // Project once onto the largest K the curve needs; the error at fewer components follows from the code:
  // with an orthonormal basis, |x - x̂_k|² = |x - mean|² - Σ_{j<k} c_j².
  std::vector<uint32_t> curve_ks;
  for (uint32_t k = 1; k <= std::min(d, std::max(r.components, 64u)); k *= 2) curve_ks.push_back(k);
  if (std::find(curve_ks.begin(), curve_ks.end(), r.components) == curve_ks.end()) curve_ks.push_back(r.components);
  std::sort(curve_ks.begin(), curve_ks.end());
  const Pca pca = fit_pca(acc, curve_ks.back());
  r.fit_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - fit_start).count();
  Pca at_k = pca;  // the same fit truncated to the compared number of components
  at_k.components = r.components;
  at_k.basis.resize(size_t{r.components} * d);
  r.explained_variance = at_k.explained_variance_ratio();

  ErrorSums model_sums, pca_sums;
  std::vector<double> curve_squared(curve_ks.size(), 0.0);
  std::vector<float> target(size_t{kAnalysisBatch} * d);
  std::vector<double> code(pca.components), x(d), x_hat(d);
  for (uint32_t first = 0; first < count; first += kAnalysisBatch) {
    const uint32_t n = std::min(kAnalysisBatch, count - first);
    runner.run(test, first, n);
    const std::vector<float> out = runner.read_output(n);
    to_unit(std::span(target).first(size_t{n} * d), std::span(test.images).subspan(size_t{first} * d, size_t{n} * d));
    for (uint32_t i = 0; i < n; ++i) {
      const std::span<const float> t(target.data() + size_t{i} * d, d);
      std::copy(out.begin() + std::ptrdiff_t(size_t{i} * d), out.begin() + std::ptrdiff_t(size_t{i + 1} * d), x_hat.begin());
      model_sums.add(x_hat, t);
      std::copy(t.begin(), t.end(), x.begin());
      pca.project(code, x);
      at_k.reconstruct(x_hat, std::span(code).first(r.components));
      pca_sums.add(x_hat, t);
      double residual = 0;
      for (uint32_t a = 0; a < d; ++a) residual += (x[a] - pca.mean[a]) * (x[a] - pca.mean[a]);
      uint32_t used = 0;
      for (size_t j = 0; j < curve_ks.size(); ++j) {
        for (; used < curve_ks[j]; ++used) residual -= code[used] * code[used];
        curve_squared[j] += std::max(residual, 0.0);
      }
    }
  }
  r.seconds = runner.seconds();
  r.model_errors = model_sums.mean();
  r.pca_errors = pca_sums.mean();
  for (size_t j = 0; j < curve_ks.size(); ++j)
    r.pca_mse_by_components.emplace_back(curve_ks[j], curve_squared[j] / (double(count) * d));
  return r;
}

}  // namespace vkae::nn
