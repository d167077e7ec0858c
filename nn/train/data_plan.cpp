// The run's data plan (see data_plan.hpp).
#include "nn/train/data_plan.hpp"

namespace vkae::nn {

DataPlan plan_data(const rt::Device& device, const RunSetup& setup, uint32_t test_count) {
  const uint64_t limit = image_buffer_limit(device, setup.config.data_buffer_bytes);
  const uint64_t image_bytes = setup.train_set.image_size();
  DataPlan plan;
  plan.train_bytes = uint64_t{setup.train_count} * image_bytes;
  plan.train = resident_layout(setup.train_count, image_bytes, limit);
  plan.test = resident_layout(test_count, setup.test_set.image_size(), limit);
  return plan;
}

std::string describe(const DataPlan& plan) {
  const uint32_t b = plan.train.buffers;
  return "dataset " + size_text(plan.train_bytes) + " resident in " + std::to_string(b) +
         (b == 1 ? " buffer" : " buffers");
}

}  // namespace vkae::nn
