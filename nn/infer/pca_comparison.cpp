// `vkae reduce`: an autoencoder's test reconstruction error next to PCA's with as many components as the
// model's code has numbers. PCA is fitted on the training images (without the checkpoint's held-out class, as
// the model was), on the host in double; both are scored with the same host formulas on the same images.
#include "nn/infer/pca_comparison.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "nn/analysis/pca.hpp"
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

// The flags' limits, checked before any device work: K within the pixels of an image, two images to fit.
void check_components(const ReduceConfig& config, uint32_t components, uint32_t d, uint32_t fit_count) {
  if (!config.components && components > d)
    throw InputError("checkpoint " + config.test.checkpoint.string() + ": the model's code has " +
                     std::to_string(components) + " numbers, more than the " + std::to_string(d) +
                     " pixels of an image; pass --components K");
  if (components == 0 || components > d)
    throw InputError("--components " + std::to_string(components) + ": expected 1 to " + std::to_string(d) +
                     " (the pixels of an image)");
  if (fit_count < 2)
    throw InputError("--fit-limit " + std::to_string(fit_count) + ": expected at least 2 images");
}

// The covariance of the first `count` training images, a block of rows at a time.
CovarianceAccumulator training_covariance(const Dataset& train, uint32_t count, uint32_t d) {
  CovarianceAccumulator acc(d);
  std::vector<double> block;
  for (uint32_t first = 0; first < count; first += 256) {
    const uint32_t n = std::min(256u, count - first);
    block.resize(size_t{n} * d);
    for (size_t i = 0; i < block.size(); ++i) block[i] = train.images[size_t{first} * d + i] / 255.0;
    acc.add(block);
  }
  return acc;
}

// The curve's numbers of components: 1, 2, 4, ... up to max(K, 64) (at most d), and K itself, ascending.
std::vector<uint32_t> curve_components(uint32_t d, uint32_t components) {
  std::vector<uint32_t> ks;
  for (uint32_t k = 1; k <= std::min(d, std::max(components, 64u)); k *= 2) ks.push_back(k);
  if (std::find(ks.begin(), ks.end(), components) == ks.end()) ks.push_back(components);
  std::sort(ks.begin(), ks.end());
  return ks;
}

// The model's and the PCA's errors on the same test images, and the PCA's squared error at every K of the
// curve. Projected once onto the largest K; the error at fewer components follows from the code: with an
// orthonormal basis, |x - x̂_k|² = |x - mean|² - Σ_{j<k} c_j².
class ErrorTally {
 public:
  ErrorTally(const Pca& pca, const Pca& at_k, std::vector<uint32_t> ks)
      : pca_(pca),
        at_k_(at_k),
        ks_(std::move(ks)),
        curve_squared_(ks_.size(), 0.0),
        code_(pca.components),
        x_(pca.dims),
        x_hat_(pca.dims) {}

  // One test image: its clean pixels in [0, 1] and the model's reconstruction.
  void add(std::span<const float> target, std::span<const float> model_output) {
    std::copy(model_output.begin(), model_output.end(), x_hat_.begin());
    model_sums_.add(x_hat_, target);
    std::copy(target.begin(), target.end(), x_.begin());
    pca_.project(code_, x_);
    at_k_.reconstruct(x_hat_, std::span(code_).first(at_k_.components));
    pca_sums_.add(x_hat_, target);
    double residual = 0;
    for (uint32_t a = 0; a < pca_.dims; ++a) residual += (x_[a] - pca_.mean[a]) * (x_[a] - pca_.mean[a]);
    uint32_t used = 0;
    for (size_t j = 0; j < ks_.size(); ++j) {
      for (; used < ks_[j]; ++used) residual -= code_[used] * code_[used];
      curve_squared_[j] += std::max(residual, 0.0);
    }
  }

  void report(ReduceReport& r, uint32_t images) const {
    r.model_errors = model_sums_.mean();
    r.pca_errors = pca_sums_.mean();
    for (size_t j = 0; j < ks_.size(); ++j)
      r.pca_mse_by_components.emplace_back(ks_[j], curve_squared_[j] / (double(images) * pca_.dims));
  }

 private:
  const Pca& pca_;
  const Pca& at_k_;
  std::vector<uint32_t> ks_;
  ErrorSums model_sums_, pca_sums_;
  std::vector<double> curve_squared_;
  std::vector<double> code_, x_, x_hat_;
};

}  // namespace

ReduceReport compare_with_pca(const ReduceConfig& config) {
  const SplitConfig& c = config.test;
  const LoadedCheckpoint ckpt = read_checkpoint(c.checkpoint);
  const Dataset test = load_for_checkpoint(ckpt, c.checkpoint, c.dataset, c.data_dir, Split::Test);
  Dataset train = load_for_checkpoint(ckpt, c.checkpoint, c.dataset, c.data_dir, Split::Train);
  if (ckpt.info.holdout_class) train = without_class(std::move(train), *ckpt.info.holdout_class);
  const uint32_t count = std::min(test.count, c.limit.value_or(test.count));
  const uint32_t fit_count = std::min(train.count, config.fit_limit.value_or(train.count));
  const uint32_t d = test.rows * test.cols;

  ReduceReport r;
  r.model = ckpt.spec.name;
  r.dataset = test.name;
  r.split = Split::Test;
  r.images = count;
  r.labels.assign(test.labels.begin(), test.labels.begin() + count);
  r.latent =
      uint32_t(code_shape(ckpt.spec).size());  // known before any device work, so flags are checked first
  r.components = config.components.value_or(r.latent);
  check_components(config, r.components, d, fit_count);
  r.fit_images = fit_count;
  r.holdout_class = ckpt.info.holdout_class;
  ModelRunner runner(ckpt, c.device);
  r.device = runner.device_name();

  const auto fit_start = std::chrono::steady_clock::now();
  const CovarianceAccumulator acc = training_covariance(train, fit_count, d);
  std::vector<uint32_t> curve_ks = curve_components(d, r.components);
  const Pca pca = fit_pca(acc, curve_ks.back());
  r.fit_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - fit_start).count();
  Pca at_k = pca;  // the same fit truncated to the compared number of components
  at_k.components = r.components;
  at_k.basis.resize(size_t{r.components} * d);
  r.explained_variance = at_k.explained_variance_ratio();

  ErrorTally tally(pca, at_k, std::move(curve_ks));
  std::vector<float> target(size_t{kInferenceBatch} * d);
  for (uint32_t first = 0; first < count; first += kInferenceBatch) {
    const uint32_t n = std::min(kInferenceBatch, count - first);
    runner.run(test, first, n);
    const std::vector<float> out = runner.read_output(n);
    to_unit(std::span(target).first(size_t{n} * d),
            std::span(test.images).subspan(size_t{first} * d, size_t{n} * d));
    for (uint32_t i = 0; i < n; ++i)
      tally.add(std::span<const float>(target.data() + size_t{i} * d, d),
                std::span<const float>(out.data() + size_t{i} * d, d));
  }
  r.seconds = runner.seconds();
  tally.report(r, count);
  return r;
}

}  // namespace vkae::nn
