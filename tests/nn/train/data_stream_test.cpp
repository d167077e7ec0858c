// Training images streamed through a ring of shard slots (a forced small --data-budget): the same losses
// and the same checkpoint, bit for bit, as the resident run on the same data and seed — written directly
// into host-visible slots and through staging copies, with two slots and with four, across an epoch boundary
// and resumed in the middle of a shard; the plan's note and the budget's errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "nn/io/atomic_file.hpp"
#include "nn/train/trainer.hpp"
#include "tests/support/gpu.hpp"

namespace vkae::nn {
namespace {

std::filesystem::path temp_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("vkae-test-stream-" + name + "-" + std::to_string(::getpid()));
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

constexpr uint64_t kBatchBytes = 32 * 784;

// 640 MNIST images (490 KiB), batch 32: 20 steps an epoch; 26 steps cross into the second epoch.
TrainConfig small_run(const std::string& name) {
  TrainConfig c;
  c.dataset = "mnist";
  c.model = "dae";
  c.batch = 32;
  c.limit = 640;
  c.epochs = 2;
  c.steps = 26;
  c.out = temp_dir(name);
  c.val_limit = 64;
  return c;
}

class DataStream : public test::GpuTest {
 protected:
  // Trains `c` on the shared validated context; returns the notes.
  std::vector<std::string> run(const TrainConfig& c) {
    std::vector<std::string> notes;
    TrainCallbacks callbacks;
    callbacks.on_note = [&](const std::string& n) { notes.push_back(n); };
    TrainHooks hooks;
    hooks.context = &test::ctx();
    train(c, callbacks, hooks);
    return notes;
  }
  static bool has(const std::vector<std::string>& notes, const std::string& note) {
    return std::find(notes.begin(), notes.end(), note) != notes.end();
  }
  void expect_same_run(const std::filesystem::path& got, const std::filesystem::path& want) {
    const auto losses = step_losses(want / "metrics.jsonl");
    ASSERT_EQ(losses.size(), 26u);
    EXPECT_EQ(step_losses(got / "metrics.jsonl"), losses);
    EXPECT_EQ(read_text_file(got / "metrics.jsonl"), read_text_file(want / "metrics.jsonl"));  // val too
    EXPECT_TRUE(read_text_file(got / "checkpoint.safetensors") ==
                read_text_file(want / "checkpoint.safetensors"))
        << "the parameters differ";
  }
};

TEST_F(DataStream, StreamedRunsTrainLikeTheResidentOne) {
  const TrainConfig resident = small_run("resident");
  EXPECT_TRUE(has(run(resident), "dataset 490 KiB resident in 1 buffer"));
  // 8 batches: 4 slots of 2 batches (64 images, 10 shards an epoch), written into the mapped slots.
  TrainConfig four = small_run("four");
  four.data_budget = 8 * kBatchBytes;
  EXPECT_TRUE(has(run(four), "dataset 490 KiB streams through a 4 x 49 KiB ring (budget 196 KiB)"));
  expect_same_run(four.out, resident.out);
  // The same through staging buffers and a recorded copy ahead of each shard's first submit.
  TrainConfig staged = four;
  staged.out = temp_dir("staged");
  staged.data_staged = true;
  run(staged);
  expect_same_run(staged.out, resident.out);
  // 3 batches: 3 slots of one batch, so the host waits on the oldest submit before nearly every shard.
  TrainConfig three = small_run("three");
  three.data_budget = 3 * kBatchBytes;
  three.data_staged = true;
  EXPECT_TRUE(has(run(three), "dataset 490 KiB streams through a 3 x 24 KiB ring (budget 74 KiB)"));
  expect_same_run(three.out, resident.out);
  for (const auto& dir : {resident.out, four.out, staged.out, three.out}) std::filesystem::remove_all(dir);
}

// Stopped after 7 steps (inside shard 3 of 2 steps each) and resumed: the stream starts at the resumed
// step's shard and the run ends as the uninterrupted resident one.
TEST_F(DataStream, ResumedStreamedRunContinuesExactly) {
  const TrainConfig resident = small_run("resume-resident");
  run(resident);
  TrainConfig first = small_run("resume-part");
  first.data_budget = 8 * kBatchBytes;
  first.steps = 7;
  run(first);
  TrainConfig rest = first;
  rest.steps = 26;
  rest.resume = first.out / "checkpoint.safetensors";
  run(rest);
  EXPECT_EQ(step_losses(first.out / "metrics.jsonl"), step_losses(resident.out / "metrics.jsonl"));
  EXPECT_TRUE(read_text_file(first.out / "checkpoint.safetensors") ==
              read_text_file(resident.out / "checkpoint.safetensors"));
  std::filesystem::remove_all(resident.out);
  std::filesystem::remove_all(first.out);
}

TEST(DataStreamErrors, BudgetsNameTheFlagAndWhatIsNeeded) {
  TrainConfig c = small_run("bad");
  c.data_budget = 0;
  EXPECT_THAT([&] { train(c, {}); }, ::testing::ThrowsMessage<InputError>(
                                         ::testing::StrEq("--data-budget 0: expected a size like 512M")));
  c.data_budget = 50000;
  EXPECT_THAT(
      [&] { train(c, {}); },
      ::testing::ThrowsMessage<InputError>(::testing::StrEq(
          "--data-budget 50000: too small to stream the images through, expected at least two batches "
          "of 32 images (50176 bytes)")));
  std::filesystem::remove_all(c.out);
}

}  // namespace
}  // namespace vkae::nn
