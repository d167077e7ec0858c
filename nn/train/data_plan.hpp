// Where a training run keeps its images on the device: every image resident, split over as many buffers as
// the device's largest binding needs; the test split always so. (Past the data budget the training images
// stream instead: image_stream.hpp.) Decided once per run from the checked setup, and said in one note line.
#pragma once
#include <string>

#include "nn/train/device_images.hpp"
#include "nn/train/run_setup.hpp"
#include "runtime/device.hpp"

namespace vkae::nn {

struct DataPlan {
  ImageLayout train, test;
  uint64_t train_bytes = 0;  // the training images' bytes (count x image size)
};

DataPlan plan_data(const rt::Device& device, const RunSetup& setup, uint32_t test_count);

// The run's note: "dataset 147 MB resident in 2 buffers".
std::string describe(const DataPlan& plan);

}  // namespace vkae::nn
