// Tests for --crop random on a folder: the margin rule, the training split stored at the margin size and
// the validation split at the size (channels still decided over both), the missing-size error, and short
// runs: two with the same seed train bit for bit alike, unlike --crop center, streamed like resident; the
// model takes the window's shape and eval reads the checkpoint's images back at the size.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "nn/data/folder_dataset.hpp"
#include "nn/infer/evaluate.hpp"
#include "nn/io/atomic_file.hpp"
#include "nn/io/image.hpp"
#include "nn/train/checkpoint.hpp"
#include "nn/train/trainer.hpp"
#include "tests/nn/io/test_files.hpp"
#include "tests/support/gpu.hpp"

namespace vkae::nn {
namespace {

using testing::put_image;

using testing::TempDir;

// Smooth enough that a shifted window differs a little, varied enough that it differs at all.
Image pattern(uint32_t width, uint32_t height, uint32_t channels, uint32_t seed) {
  Image image{width, height, channels, std::vector<uint8_t>(std::size_t{width} * height * channels)};
  for (uint32_t y = 0; y < height; ++y)
    for (uint32_t x = 0; x < width; ++x)
      for (uint32_t c = 0; c < channels; ++c)
        image.pixels[(std::size_t{y} * width + x) * channels + c] =
            static_cast<uint8_t>((x * 23 + y * 41 + c * 67 + seed * 101 + x * y * 5) % 251);
  return image;
}

std::vector<float> step_losses(const std::filesystem::path& metrics) {
  std::ifstream in(metrics);
  std::vector<float> out;
  std::string line;
  while (std::getline(in, line)) {
    const nlohmann::json j = nlohmann::json::parse(line);
    if (j.at("type").get<std::string>() == "step")
      out.push_back(static_cast<float>(j.at("loss").get<double>()));
  }
  return out;
}

TEST(FolderCrop, TheMarginIsAnEighthAndAtLeastTwo) {
  EXPECT_EQ(crop_margin(1), 2u);
  EXPECT_EQ(crop_margin(8), 2u);
  EXPECT_EQ(crop_margin(20), 3u);  // 2.5 rounds up
  EXPECT_EQ(crop_margin(24), 3u);
  EXPECT_EQ(crop_margin(28), 4u);
  EXPECT_EQ(crop_margin(64), 8u);
  ImageOptions o;
  o.height = 24;
  o.width = 17;
  EXPECT_EQ(stored_size(o, Split::Train), (std::pair{24u, 17u}));
  o.crop = Crop::Random;
  EXPECT_EQ(stored_size(o, Split::Train), (std::pair{27u, 19u}));
  EXPECT_EQ(stored_size(o, Split::Test), (std::pair{24u, 17u}));
}

TEST(FolderCrop, TheTrainingSplitKeepsItsMarginAndValidationIsAtTheSize) {
  TempDir dir;
  for (int i = 0; i < 6; ++i)
    put_image(dir / ("d/train/" + std::to_string(i) + ".png"), pattern(30, 20, 1, i));
  put_image(dir / "d/val/a.png", pattern(30, 20, 1, 7));
  put_image(dir / "d/val/b.png", pattern(30, 20, 3, 8));  // colour in validation alone makes both splits RGB
  DataSearch search;
  search.images.height = 24;
  search.images.width = 17;
  search.images.crop = Crop::Random;
  std::vector<std::string> notes;
  search.on_note = [&](const std::string& n) { notes.push_back(n); };
  const DatasetSplits s = load_splits((dir / "d").string(), search);
  EXPECT_EQ(s.train.count, 6u);
  EXPECT_EQ(s.train.channels, 3u);
  EXPECT_EQ(s.train.rows, 27u);
  EXPECT_EQ(s.train.cols, 19u);
  EXPECT_EQ(s.train.crop_rows, 24u);
  EXPECT_EQ(s.train.crop_cols, 17u);
  EXPECT_EQ(s.train.sample_size(), 3u * 24 * 17);
  EXPECT_EQ(s.train.images.size(), 6u * 3 * 27 * 19);
  EXPECT_EQ(s.test.count, 2u);
  EXPECT_EQ(s.test.channels, 3u);
  EXPECT_EQ(s.test.rows, 24u);
  EXPECT_EQ(s.test.cols, 17u);
  EXPECT_EQ(s.test.crop_rows, 0u);
  ASSERT_FALSE(notes.empty());
  EXPECT_THAT(notes.front(), ::testing::HasSubstr("3x24x17 (train stored 27x19 for --crop random)"));
  // The centre: both splits at the size, no window, the validation images those of --crop random.
  search.images.crop = Crop::Center;
  const DatasetSplits centre = load_splits((dir / "d").string(), search);
  EXPECT_EQ(centre.train.rows, 24u);
  EXPECT_EQ(centre.train.crop_rows, 0u);
  EXPECT_EQ(centre.test.images, s.test.images);
}

TEST(FolderCrop, RandomNeedsASize) {
  TrainConfig c;
  c.dataset = "mnist";
  c.images.crop = Crop::Random;
  EXPECT_THAT([&] { train(c, {}); },
              ::testing::ThrowsMessage<InputError>(::testing::StrEq("--crop random needs --size H[xW]")));
}

class FolderCropRun : public test::GpuTest {
 protected:
  void SetUp() override {
    test::GpuTest::SetUp();
    for (int i = 0; i < 24; ++i)
      put_image(dir_ / ("photos/" + std::to_string(i) + ".png"), pattern(14, 11, 3, i));
  }
  // 18 train and 6 val images at 8x8 (stored 10x10 with --crop random), batch 6: 3 steps an epoch, so the
  // 7 steps cross two epoch ends.
  TrainConfig config(const std::string& name, Crop crop) const {
    TrainConfig c;
    c.dataset = (dir_ / "photos").string();
    c.model = "dae";
    c.images.height = c.images.width = 8;
    c.images.crop = crop;
    c.images.val_split = 0.25;
    c.batch = 6;
    c.epochs = 3;
    c.steps = 7;
    c.noise = 0.1f;
    c.seed = 5;
    c.out = dir_ / name;
    return c;
  }
  TrainResult run(const TrainConfig& c) {
    TrainCallbacks callbacks;
    callbacks.on_note = [this](const std::string& n) { notes_.push_back(n); };
    TrainHooks hooks;
    hooks.context = &test::ctx();
    return train(c, callbacks, hooks);
  }
  TempDir dir_;
  std::vector<std::string> notes_;
};

TEST_F(FolderCropRun, RandomWindowsTrainReproduciblyUnlikeTheCentre) {
  const TrainConfig a = config("a", Crop::Random), b = config("b", Crop::Random);
  const TrainResult ra = run(a);
  run(b);
  const auto losses = step_losses(a.out / "metrics.jsonl");
  ASSERT_EQ(losses.size(), 7u);
  EXPECT_EQ(step_losses(b.out / "metrics.jsonl"), losses);                                      // bit for bit
  EXPECT_EQ(read_text_file(a.out / "metrics.jsonl"), read_text_file(b.out / "metrics.jsonl"));  // val too
  const TrainConfig centre = config("centre", Crop::Center);
  run(centre);
  const auto centre_losses = step_losses(centre.out / "metrics.jsonl");
  ASSERT_EQ(centre_losses.size(), 7u);
  size_t differ = 0;
  for (size_t i = 0; i < losses.size(); ++i) differ += losses[i] != centre_losses[i];
  EXPECT_GE(differ, 6u) << "random windows train like the centre";
  // The model reads the window; eval reads the checkpoint's validation images back at 8x8.
  const LoadedCheckpoint ckpt = read_checkpoint(a.out / "checkpoint.safetensors");
  EXPECT_EQ(ckpt.spec.input, (Shape3{3, 8, 8}));
  EXPECT_EQ(ckpt.info.images.crop, Crop::Random);
  ASSERT_TRUE(ra.final_val_loss);
  EvalConfig e;
  e.checkpoint = a.out / "checkpoint.safetensors";
  e.noise = 0.1f;
  e.seed = 5;
  EXPECT_NEAR(evaluate(e).loss, *ra.final_val_loss, 1e-6);
}

// A budget of two batches streams the 18 training images through a ring: the windows, keyed by the
// permutation entry, are the resident run's.
TEST_F(FolderCropRun, StreamedRandomWindowsAreTheResidentOnes) {
  const TrainConfig resident = config("resident", Crop::Random);
  run(resident);
  TrainConfig streamed = config("streamed", Crop::Random);
  streamed.data_budget = 2 * 6 * 3 * 10 * 10;
  notes_.clear();
  run(streamed);
  EXPECT_THAT(notes_, ::testing::Contains(::testing::HasSubstr("streams through a 2 x")));
  EXPECT_EQ(step_losses(streamed.out / "metrics.jsonl"), step_losses(resident.out / "metrics.jsonl"));
  EXPECT_TRUE(read_text_file(streamed.out / "checkpoint.safetensors") ==
              read_text_file(resident.out / "checkpoint.safetensors"));
}

}  // namespace
}  // namespace vkae::nn
