// A checkpoint's model (prediction mode: a VAE's code is mu) over a dataset split: latent codes (encode) and
// per-image reconstruction errors (anomaly scores); SplitConfig and SplitRun are also the PCA comparison's.
// Printing and file formats of the results belong to the app.
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
  std::string dataset;  // "" = the checkpoint's
  std::optional<std::filesystem::path> data_dir;
  Split split = Split::Test;
  std::optional<uint32_t> limit;  // the first N images of the split; default all
  std::string device;
};

// What every pass reports besides its numbers.
struct SplitRun {
  std::string model, dataset, device;
  Split split = Split::Test;
  uint32_t images = 0;
  std::vector<uint8_t> labels;           // [images]
  std::vector<std::string> class_names;  // by label ("(unlabelled)" alone for a folder without classes)
  double seconds = 0;                    // the model's passes, not loading
};

struct Encoding : SplitRun {
  uint32_t latent = 0;       // Z
  bool vae = false;          // codes are mu
  std::vector<float> codes;  // [images, Z]
};
Encoding encode_split(const SplitConfig& config);

// Per image: the model's reconstruction loss kind (BCE with logits, or MSE) as a mean over the output's
// pixels, on the clean input (a denoising model gets no noise; a super-resolution model the 2x downscale),
// a VAE's KL term not included.
struct ReconstructionScores : SplitRun {
  std::string metric;          // "BCE per pixel" | "MSE per pixel"
  std::vector<float> errors;   // [images]
  HeldOutClass holdout_class;  // from the checkpoint: the class left out of training
};
ReconstructionScores score_split(const SplitConfig& config);

const char* split_name(Split split) noexcept;  // "test" | "train"

}  // namespace vkae::nn
