// `vkae eval` as a library call: a checkpoint's loss on (the first images of) a test split.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "nn/train/defaults.hpp"

namespace vkae::nn {

struct EvalConfig {
  std::filesystem::path checkpoint;
  std::string dataset;  // "" = the checkpoint's dataset
  float noise = kDefaultNoise;
  uint64_t seed = 0;  // validation noise seed
  std::string device;
  std::optional<std::filesystem::path> data_dir;
  std::optional<uint32_t> limit;  // first N test images
};

struct EvalResult {
  double loss = 0;         // the model's loss: mean BCE per pixel (noisy input vs clean target for
                           // a denoising model), or per image for a VAE (Σ BCE + KL)
  std::string loss_label;  // "BCE", "BCE + KL per image", ...
  bool denoising = false;
  uint64_t images = 0;
  double seconds = 0;
  double images_per_s = 0;
  std::string model, dataset, device;
};

EvalResult evaluate(const EvalConfig& config);

// The same on images a caller holds (the Python module's arrays): the first `count` of `test_set`, which
// must be of the model's output shape, with validation noise `noise` from `seed`.
struct LoadedCheckpoint;
struct Dataset;
EvalResult evaluate_images(const LoadedCheckpoint& ckpt, const Dataset& test_set, uint32_t count, float noise,
                           uint64_t seed, const std::string& device);

}  // namespace vkae::nn
