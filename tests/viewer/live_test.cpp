// The trainer's side of the viewer, without a window: a run on the validated test Context with a LiveFeed
// gets the viewer's controls between submits (sample set, noise, save now, pause, stop) and publishes losses,
// progress and previews of exactly the test images asked for.
#include "nn/train/live.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

#include "nn/data/dataset.hpp"
#include "tests/support/gpu.hpp"

namespace vkae::nn {
namespace {

class TrainLive : public test::GpuTest {};

size_t losses_count(const LiveFeed& feed) {
  std::vector<LiveLoss> losses;
  return feed.copy_losses(losses);
}

TEST_F(TrainLive, ControlsReachTheTrainerAndPreviewsShowTheChosenImages) {
  TrainConfig c;
  c.batch = 32;
  c.limit = 640;
  c.epochs = 5;  // 100 steps: far more than the test lets it run
  c.validate = false;
  c.val_limit = 256;
  c.out = std::filesystem::temp_directory_path() / ("vkae-test-live-" + std::to_string(::getpid()));
  std::filesystem::remove_all(c.out);

  LiveFeed feed(c.noise);
  feed.set_sample_set(2);
  feed.set_noise(0.25f);
  feed.request_save();
  TrainResult result;
  std::thread trainer([&] { result = train(c, {}, TrainHooks{&test::ctx(), &feed}); });

  std::optional<LivePreview> preview;
  uint64_t version = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline && !feed.status().finished) {
    if (auto p = feed.preview_if_newer(version); p && p->sample_set == 2 && p->noise == 0.25f) {
      preview = std::move(p);
      if (feed.status().saves > 0) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  // Pause: the trainer says so once the submits in flight have finished; from then on no step is taken.
  feed.set_paused(true);
  for (int i = 0; i < 600 && !feed.status().paused && !feed.status().finished; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_TRUE(feed.status().paused) << "the trainer never reported the pause";
  const uint64_t paused_at = feed.status().progress.step;
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(feed.status().progress.step, paused_at) << "a step was taken while paused";
  EXPECT_EQ(losses_count(feed), paused_at);
  feed.set_paused(false);
  feed.request_stop();
  trainer.join();

  ASSERT_TRUE(preview) << "no preview of sample set 2 at noise 0.25 arrived";
  const LiveStatus status = feed.status();
  EXPECT_GE(status.saves, 1u) << "the save request was not answered";
  EXPECT_LT(result.steps, 100u) << "the stop request was not answered";
  EXPECT_TRUE(std::filesystem::exists(c.out / "checkpoint.safetensors"));
  std::vector<LiveLoss> losses;
  EXPECT_EQ(feed.copy_losses(losses), result.steps);
  EXPECT_FALSE(status.device.empty());

  // Set 2 of 8 images: test images 16..23, exactly, through the preview's own state buffer.
  ASSERT_EQ(preview->count, 8u);
  const Dataset test_set = load_dataset("mnist", Split::Test, DataSearch{});
  const size_t pixels = size_t{preview->rows} * preview->cols;
  ASSERT_EQ(preview->clean.size(), 8 * pixels);
  double noise_diff = 0;
  for (size_t i = 0; i < 8 * pixels; ++i) {
    ASSERT_FLOAT_EQ(preview->clean[i], test_set.images[16 * pixels + i] / 255.0f) << "pixel " << i;
    noise_diff += std::abs(preview->noisy[i] - preview->clean[i]);
    ASSERT_TRUE(std::isfinite(preview->output[i]));
  }
  EXPECT_GT(noise_diff / double(8 * pixels), 0.05) << "the noisy inputs carry no noise";
  std::filesystem::remove_all(c.out);
}

// A VAE with a held-out class: the run publishes the analysis panels' data (codes, manifold, errors) of the
// first test images, labels included, without the viewer asking.
TEST_F(TrainLive, VaeHoldoutRunPublishesItsAnalysis) {
  TrainConfig c;
  c.model = "vae";
  c.batch = 64;
  c.limit = 512;
  c.epochs = 1;
  c.val_limit = 300;
  c.holdout_class = 3;
  c.out = std::filesystem::temp_directory_path() / ("vkae-test-live-vae-" + std::to_string(::getpid()));
  std::filesystem::remove_all(c.out);
  LiveFeed feed(c.noise);
  train(c, {}, TrainHooks{&test::ctx(), &feed});
  EXPECT_TRUE(feed.status().analysis_expected);
  uint64_t version = 0;
  const auto a = feed.analysis_if_newer(version);
  ASSERT_TRUE(a) << "no analysis was published";
  EXPECT_GE(version, 1u);
  EXPECT_EQ(a->images, 300u);  // all of --val-limit: fewer than the panels' 1,000
  EXPECT_EQ(a->latent, 2u);
  ASSERT_EQ(a->codes.size(), 600u);
  ASSERT_EQ(a->grid, 10u);
  ASSERT_EQ(a->manifold.size(), 100u * a->rows * a->cols);
  ASSERT_EQ(a->errors.size(), 300u);
  EXPECT_EQ(a->holdout_class, 3u);
  const Dataset test_set = load_dataset("mnist", Split::Test, DataSearch{});
  EXPECT_TRUE(std::equal(a->labels.begin(), a->labels.end(), test_set.labels.begin()));
  for (float v : a->codes) ASSERT_TRUE(std::isfinite(v));
  for (float v : a->manifold) ASSERT_TRUE(v >= 0 && v <= 1) << v;
  for (float v : a->errors) ASSERT_TRUE(std::isfinite(v) && v > 0) << v;
  std::filesystem::remove_all(c.out);
}

}  // namespace
}  // namespace vkae::nn
