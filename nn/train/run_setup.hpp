// Everything about a training run that can fail on the user's input, checked before any output exists: the
// flags' ranges (validate_config), the model spec and a resumed checkpoint's
// agreement with it, the datasets, the batch against the image count, and the run folder (its default name;
// created and proven writable). The training loop is trainer.cpp's.
#pragma once
#include <cstdint>
#include <optional>

#include "nn/data/dataset.hpp"
#include "nn/model/spec.hpp"
#include "nn/train/checkpoint.hpp"
#include "nn/train/trainer.hpp"

namespace vkae::nn {

struct RunSetup {
  TrainConfig config;  // a resumed run's own settings, and the run folder, filled in
  ModelSpec spec;
  std::optional<LoadedCheckpoint> resumed;  // the --resume checkpoint
  Dataset train_set, test_set;              // train_set without the held-out class
  uint32_t train_count = 0;                 // training images used (the first --limit of them)
  uint32_t val_count = 0;                   // test images each validation uses (validation_count)
};

// --val-limit's count, else the whole test split, but never more images than an epoch trains on (nor than
// a --steps run trains on in all): a short run is not spent validating, a full one validates on everything.
uint32_t validation_count(const TrainConfig& config, uint32_t train_count, uint32_t test_count);

// The config's ranges and combinations, checked once per run at the nn boundary (prepare_run calls it);
// InputError naming the flag ("--batch 0: expected an integer >= 1").
void validate_config(const TrainConfig& config);

// InputError naming the flag or file on bad input. Creates the run folder, and nothing else. With `lent`
// datasets (TrainHooks::train_set, test_set) those are used instead of loading config.dataset; `callbacks`
// (optional) hear about decoding a folder's images.
RunSetup prepare_run(const TrainConfig& config, const TrainHooks& lent = {},
                     const TrainCallbacks* callbacks = nullptr);

}  // namespace vkae::nn
