// The application commands of the autoencoder family, as library calls: a checkpoint's model (prediction mode:
// a VAE's code is mu) over a dataset split to get latent codes (encode), per-image reconstruction errors
// (anomaly scores), a comparison with PCA at the same code size (reduce), and super-resolution of a user's PNG
// (upscale). Printing and file formats of the results belong to the app.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "nn/data/dataset.hpp"

namespace vkae::nn {

// Which checkpoint runs on which images.
struct SplitConfig {
  std::filesystem::path checkpoint;
  std::string dataset;                           // "" = the checkpoint's
  std::optional<std::filesystem::path> data_dir;
  Split split = Split::Test;
  std::optional<uint32_t> limit;                 // the first N images of the split; default all
  std::string device;
};

// What every pass reports besides its numbers.
struct SplitRun {
  std::string model, dataset, device;
  Split split = Split::Test;
  uint32_t images = 0;
  std::vector<uint8_t> labels;  // [images]
  double seconds = 0;           // the model's passes, not loading
};

struct Encoding : SplitRun {
  uint32_t latent = 0;          // Z
  bool vae = false;             // codes are mu
  std::vector<float> codes;     // [images, Z]
};
Encoding encode_split(const SplitConfig& config);

// Per image: the model's reconstruction loss kind (BCE with logits, or MSE) as a mean over the output's
// pixels, on the clean input (a denoising model gets no noise; a super-resolution model the 2x downscale),
// a VAE's KL term not included.
struct ReconstructionScores : SplitRun {
  std::string metric;           // "BCE per pixel" | "MSE per pixel"
  std::vector<float> errors;    // [images]
  int holdout_class = -1;       // from the checkpoint: the class left out of training, -1 none
};
ReconstructionScores score_split(const SplitConfig& config);

// Mean per pixel over the test images; BCE of a prediction clipped to [1e-7, 1 - 1e-7].
struct ReconstructionErrors {
  double mse = 0, bce = 0;
};

struct ReduceConfig {
  SplitConfig test;                     // split is the test split
  std::optional<uint32_t> components;   // default the model's code size
  std::optional<uint32_t> fit_limit;    // PCA fitted on the first N training images; default all
};
struct ReduceReport : SplitRun {
  uint32_t latent = 0, components = 0, fit_images = 0;
  int holdout_class = -1;               // left out of the PCA fit too, -1 none
  ReconstructionErrors model_errors, pca_errors;  // the same metrics on the same test images
  double explained_variance = 0;        // of the PCA with `components` components
  std::vector<std::pair<uint32_t, double>> pca_mse_by_components;  // (K, test MSE per pixel), K = 1, 2, 4, ...
  double fit_seconds = 0;               // covariance and eigen decomposition
};
ReduceReport compare_with_pca(const ReduceConfig& config);

// A super-resolution checkpoint on a user's PNG: made grey, area-resized to the model's input, written at the
// model's output size. InputError naming the checkpoint when it is not a super-resolution model.
struct UpscaleResult {
  uint32_t in_width = 0, in_height = 0, out_width = 0, out_height = 0;
};
UpscaleResult upscale_png(const std::filesystem::path& checkpoint, const std::filesystem::path& in_png,
                          const std::filesystem::path& out_png, const std::string& device);

const char* split_name(Split split) noexcept;  // "test" | "train"

}  // namespace vkae::nn
