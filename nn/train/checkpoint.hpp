// Checkpoints: model parameters in PyTorch layouts and names, the optimizer's state under "optimizer.", and
// the run's metadata (model spec, format version, dataset, epoch, step, seed, training control, ...) in one
// safetensors file, written atomically. Loading checks the format, the model spec and every tensor's name and
// shape.
#pragma once
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <string_view>

#include "nn/data/dataset.hpp"
#include "nn/io/safetensors.hpp"
#include "nn/model/model.hpp"
#include "nn/train/control.hpp"
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
  // The optimizer, schedule and callbacks, and what they remember (absent from older checkpoints: defaults).
  TrainControl control;
  ControlState control_state;
};

// The data options a checkpoint's images are read with again: the run's, at the model's shape, centred
// (--crop random's margin is the training step's alone).
ImageOptions checkpoint_image_options(const ModelSpec& spec, const RunInfo& info);

// The optimizer's state buffers, each in the parameter arena's layout, under PyTorch's state names:
// Adam's and AdamW's exp_avg and exp_avg_sq, momentum's momentum_buffer, none for plain SGD. Stored as
// "optimizer.<param>.<name>".
struct OptimizerMoments {
  std::vector<std::pair<std::string, rt::BufferView>> buffers;
};

// Refuses (Error, nothing written) a tensor holding NaN or infinity: no non-finite number reaches a
// checkpoint.
void save_checkpoint(rt::Context& ctx, const std::filesystem::path& path, const Model& model,
                     const OptimizerMoments* moments, const RunInfo& info);

struct LoadedCheckpoint {
  Safetensors file;
  ModelSpec spec;
  RunInfo info;
};

// Reads and validates the file and its metadata; the tensors are checked against the spec by load_into.
// InputError "checkpoint <path>: <problem>" for anything wrong (checkpoint_read.cpp).
LoadedCheckpoint read_checkpoint(const std::filesystem::path& path);
// The same on bytes already in memory; `what` names the input in messages (and becomes file.path).
LoadedCheckpoint decode_checkpoint(std::span<const std::byte> bytes, std::string_view what);
void load_into(rt::Context& ctx, const LoadedCheckpoint& ckpt, const Model& model,
               const OptimizerMoments* moments);

}  // namespace vkae::nn
