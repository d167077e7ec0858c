// `vkae reduce` as a library call: the checkpoint's test reconstruction error next to PCA's with as many
// components as the model's code has numbers. Printing belongs to the app.
#pragma once
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "nn/infer/split_passes.hpp"

namespace vkae::nn {

// Mean per pixel over the test images; BCE of a prediction clipped to [1e-7, 1 - 1e-7].
struct ReconstructionErrors {
  double mse = 0, bce = 0;
};

struct ReduceConfig {
  SplitConfig test;                    // split is the test split
  std::optional<uint32_t> components;  // default the model's code size
  std::optional<uint32_t> fit_limit;   // PCA fitted on the first N training images; default all
};
struct ReduceReport : SplitRun {
  uint32_t latent = 0, components = 0, fit_images = 0;
  HeldOutClass holdout_class;                     // left out of the PCA fit too
  ReconstructionErrors model_errors, pca_errors;  // the same metrics on the same test images
  double explained_variance = 0;                  // of the PCA with `components` components
  std::vector<std::pair<uint32_t, double>>
      pca_mse_by_components;  // (K, test MSE per pixel), K = 1, 2, 4, ...
  double fit_seconds = 0;     // covariance and eigen decomposition
};
ReduceReport compare_with_pca(const ReduceConfig& config);

}  // namespace vkae::nn
