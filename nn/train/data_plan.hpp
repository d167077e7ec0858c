// Where a training run keeps its images on the device, decided once per run from the checked setup: every
// training image resident, split over as many buffers as the device's largest binding needs, while they fit
// the data budget (TrainConfig::data_budget, by default default_data_budget) and the gather's 8 bindings;
// past that a ring of shard slots the host refills while the step trains (image_stream.hpp). The test split
// is always resident (validation and the previews read it through the identity). Said in one note line.
#pragma once
#include <cstdint>
#include <string>

#include "nn/train/device_images.hpp"
#include "nn/train/run_setup.hpp"
#include "runtime/device.hpp"

namespace vkae::nn {

// Of the largest device-local heap, the share the training images may take by default; the model, its
// optimizer state and the test split come out of that share first.
inline constexpr double kDataBudgetHeapShare = 0.5;

struct DataPlan {
  ImageLayout train, test;
  uint64_t image_bytes = 0;  // of one training image
  uint64_t train_bytes = 0;  // the training images' bytes (count x image size)
  uint64_t budget = 0;       // device bytes the training images may take
};

// kDataBudgetHeapShare of the largest device-local heap less `other_bytes` (what the run keeps besides the
// training images), at least 0.
uint64_t default_data_budget(const rt::Device& device, uint64_t other_bytes);

// `other_bytes`: the model's arenas and optimizer state (the test split is added here). InputError when a
// budget is too small to stream through (fewer than two batches) or the test split needs too many buffers.
DataPlan plan_data(const rt::Device& device, const RunSetup& setup, uint32_t test_count,
                   uint64_t other_bytes);

// The run's note: "dataset 141 MiB resident in 2 buffers", "dataset 600 MiB streams through a 4 x 32 MiB
// ring (budget 128 MiB)".
std::string describe(const DataPlan& plan);

}  // namespace vkae::nn
