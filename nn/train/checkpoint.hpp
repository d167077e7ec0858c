// Checkpoints: model parameters in PyTorch layouts and names, Adam moments under "optimizer.", and the run's
// metadata (model spec, format version, dataset, epoch, step, seed, ...) in one safetensors file, written
// atomically. Loading checks the format, the model spec and every tensor's name and shape.
#pragma once
#include <filesystem>
#include <map>
#include <string>

#include "nn/data/dataset.hpp"
#include "nn/io/safetensors.hpp"
#include "nn/model/model.hpp"
#include "nn/train/defaults.hpp"

namespace vkae::nn {

inline constexpr const char* kCheckpointFormat = "vkae-checkpoint-1";

struct RunInfo {
  std::string dataset;
  uint32_t epoch = 0;           // epochs completed
  uint64_t step = 0;            // optimizer steps completed
  uint32_t batch_in_epoch = 0;  // batches of the current epoch already done (non-zero after --steps)
  uint64_t seed = 0;
  uint32_t batch = kDefaultBatch;
  float lr = kDefaultLr;
  float noise = kDefaultNoise;
  uint32_t limit = 0;  // training images used
  bool shuffle = true;
  HeldOutClass holdout_class;  // the class left out of training (anomaly detection); stored as -1 when none
  // A folder dataset's split and crop (its channels and size are the model's); stored only for folders, so
  // an IDX run's checkpoint keeps its bytes.
  ImageOptions images;
};

// The data options a checkpoint's images are read with again: the run's, at the model's shape, centred
// (--crop random's margin is the training step's alone).
ImageOptions checkpoint_image_options(const ModelSpec& spec, const RunInfo& info);

struct AdamMoments {
  rt::BufferView m, v;  // same layout as the model's parameter arena
};

void save_checkpoint(rt::Context& ctx, const std::filesystem::path& path, const Model& model,
                     const AdamMoments* moments, const RunInfo& info);

struct LoadedCheckpoint {
  Safetensors file;
  ModelSpec spec;
  RunInfo info;
};

// Reads and validates the file and its metadata; the tensors are checked against the spec by load_into.
LoadedCheckpoint read_checkpoint(const std::filesystem::path& path);
void load_into(rt::Context& ctx, const LoadedCheckpoint& ckpt, const Model& model,
               const AdamMoments* moments);

}  // namespace vkae::nn
