// The training images split over several storage buffers: the layout arithmetic and its errors, a capped
// DeviceImages gathering bit for bit what one buffer does, and a dataset over lavapipe's 128 MiB binding
// limit training with the same losses and parameters as the same data split into smaller buffers.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "nn/io/atomic_file.hpp"
#include "nn/step_state.hpp"
#include "nn/train/device_images.hpp"
#include "nn/train/trainer.hpp"
#include "tests/nn/train/synthetic_data.hpp"
#include "tests/support/gpu.hpp"

namespace vkae::nn {
namespace {

using testing::synthetic;

TEST(ImageLayout, ResidentSplitHoldsWholeImagesPerBuffer) {
  const ImageLayout one = resident_layout(1000, 784, 1u << 27);
  EXPECT_EQ(one.buffers, 1u);
  EXPECT_EQ(one.per_buffer, 1000u);
  const ImageLayout split = resident_layout(192000, 784, 1u << 27);  // 144 MiB over 128 MiB buffers
  EXPECT_EQ(split.per_buffer, (1u << 27) / 784);
  EXPECT_EQ(split.buffers, 2u);
  EXPECT_EQ(split.buffer_bytes(784), uint64_t{split.per_buffer} * 784);
  const ImageLayout odd = resident_layout(10, 63, 200);  // 3 images of 63 bytes a buffer: 4 buffers
  EXPECT_EQ(odd.per_buffer, 3u);
  EXPECT_EQ(odd.buffers, 4u);
  EXPECT_EQ(odd.buffer_bytes(63), 192u);  // 189 bytes rounded up to whole words
}

TEST(ImageLayout, ErrorsNameTheSizesAndTheLimit) {
  try {
    resident_layout(10, 300, 256);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "images: one image of 300 bytes is larger than a storage buffer of 256 bytes");
  }
  try {
    resident_layout(200000, 3072, 1u << 26);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(),
                 "images: 200000 images of 3072 bytes (586 MiB) need 10 buffers of at most 64 MiB, more than "
                 "the 8 the gather reads");
  }
  EXPECT_EQ(size_text(900), "900 bytes");
  EXPECT_EQ(size_text(150'528'000), "144 MiB");
  EXPECT_EQ(size_text(50176), "49 KiB");
  EXPECT_EQ(size_text(2'500'000'000), "2.3 GiB");
}

class DataSplit : public test::GpuTest {};

// 3x5x7 images (105 bytes: not whole words) capped at 4 images per buffer, then the whole set in one buffer:
// the same batch, bit for bit, through a shuffled permutation.
TEST_F(DataSplit, CappedDeviceImagesGatherWhatOneBufferDoes) {
  const Dataset data = synthetic(30, 3, 5, 7, 1);
  const DeviceImages whole(test::ctx(), data, 30);
  const DeviceImages split(test::ctx(), data, 30, resident_layout(30, data.image_size(), 4 * 105 + 3));
  ASSERT_EQ(whole.layout.buffers, 1u);
  ASSERT_EQ(split.layout.buffers, 8u);  // 7 of 4 images, the last of 2
  std::vector<uint32_t> perm(30);
  for (uint32_t i = 0; i < 30; ++i) perm[i] = (i * 7 + 3) % 30;
  auto permb = test::upload_u32(perm, "perm");
  std::vector<uint32_t> state_words(sizeof(StepState) / 4, 0u);
  state_words[1] = 2;  // batch 2
  auto state = test::upload_u32(state_words, "state");
  const GatherShape shape{9, 105, 30};
  auto a = test::make_output(9 * 105), b = test::make_output(9 * 105);
  test::ctx().run_now([&](rt::Recorder& rec) {
    record_gather(rec, a.view(), whole.source(), permb.view(), state.view(), shape);
    record_gather(rec, b.view(), split.source(), permb.view(), state.view(), shape);
  });
  const auto got_whole = test::download(a), got_split = test::download(b);
  EXPECT_EQ(got_split, got_whole);
  std::vector<float> want(9 * 105);
  gather_ref<float>(want, data.images, perm, 18, shape);
  EXPECT_TRUE(test::all_close(got_whole, want, 2e-7));
}

std::filesystem::path temp_dir(const std::string& name) {
  auto dir =
      std::filesystem::temp_directory_path() / ("vkae-test-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  return dir;
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

// 192,000 images of 28x28 (144 MiB: two of lavapipe's 128 MiB bindings) train 6 steps of the dense model;
// the same data capped at 32 MiB buffers (5 of them) gives the same losses and checkpoint, bit for bit.
TEST_F(DataSplit, DatasetOverOneBindingTrainsLikeASmallerSplit) {
  const Dataset train_set = synthetic(192000, 1, 28, 28, 2), test_set = synthetic(64, 1, 28, 28, 3);
  std::vector<std::string> notes;
  TrainCallbacks callbacks;
  callbacks.on_note = [&](const std::string& n) { notes.push_back(n); };
  TrainHooks hooks;
  hooks.context = &test::ctx();
  hooks.train_set = &train_set;
  hooks.test_set = &test_set;
  const auto run = [&](const std::string& name, std::optional<uint64_t> cap) {
    TrainConfig c;
    c.dataset = "synthetic";
    c.model = "dense";
    c.batch = 32;
    c.epochs = 1;
    c.steps = 6;
    c.validate = false;
    c.out = temp_dir(name);
    c.data_buffer_bytes = cap;
    train(c, callbacks, hooks);
    return c.out;
  };
  const auto two = run("split-2", std::nullopt), five = run("split-5", uint64_t{32} << 20);
  EXPECT_NE(std::find(notes.begin(), notes.end(), "dataset 144 MiB resident in 2 buffers"), notes.end());
  EXPECT_NE(std::find(notes.begin(), notes.end(), "dataset 144 MiB resident in 5 buffers"), notes.end());
  const auto losses = step_losses(two / "metrics.jsonl");
  ASSERT_EQ(losses.size(), 6u);
  EXPECT_EQ(step_losses(five / "metrics.jsonl"), losses);
  EXPECT_TRUE(read_text_file(two / "checkpoint.safetensors") ==
              read_text_file(five / "checkpoint.safetensors"))
      << "the parameters differ";
  std::filesystem::remove_all(two);
  std::filesystem::remove_all(five);
}

}  // namespace
}  // namespace vkae::nn
