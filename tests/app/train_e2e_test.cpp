// What a new user hit with `vkae train`, through the real binary: a run cut short by --steps says its last
// epoch was partial (the epoch line and the closing count), and resuming it leaves one metrics.jsonl row per
// epoch; short runs validate on a subset sized to them, and the progress and ETA count validation.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/run_vkae.hpp"

namespace vkae {
namespace {

namespace fs = std::filesystem;
using test::Outcome;
using ::testing::HasSubstr;
using ::testing::Not;

fs::path scratch(const std::string& name) {
  return test::scratch_dir("train", name);
}

struct EpochRow {
  int epoch;
  int step;
  bool complete;
};

std::vector<EpochRow> epoch_rows(const fs::path& metrics) {
  std::vector<EpochRow> rows;
  std::ifstream in(metrics);
  for (std::string line; std::getline(in, line);) {
    const nlohmann::json j = nlohmann::json::parse(line);
    if (j.at("type") == "epoch") rows.push_back({j.at("epoch"), j.at("step"), j.at("complete")});
  }
  return rows;
}

// 640 images at batch 32: 20 steps an epoch.
const char* kRun =
    "train mnist --model dense --limit 640 --batch 32 --val-limit 64 --epochs 2 --no-tensorboard";

TEST(TrainE2E, APartialEpochSaysSoAndResumingLeavesOneRowPerEpoch) {
  const fs::path out = scratch("cut");
  const Outcome cut = test::run_vkae(std::string(kRun) + " --steps 30 --out " + out.string());
  ASSERT_EQ(cut.code, 0) << cut.err;
  EXPECT_THAT(cut.out, HasSubstr("epoch 1/2: train loss "));
  EXPECT_THAT(cut.out, HasSubstr("epoch 2/2 (partial: 10 of 20 steps): train loss "));
  EXPECT_THAT(cut.out, HasSubstr("done: 30 steps, 1 epoch and 10 of 20 steps of epoch 2 in "));
  std::vector<EpochRow> rows = epoch_rows(out / "metrics.jsonl");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_TRUE(rows[0].complete);
  EXPECT_EQ(rows[1].step, 30);
  EXPECT_FALSE(rows[1].complete);

  const Outcome rest = test::run_vkae(std::string(kRun) + " --out " + out.string() + " --resume " +
                                      (out / "checkpoint.safetensors").string());
  ASSERT_EQ(rest.code, 0) << rest.err;
  EXPECT_THAT(rest.out, HasSubstr("epoch 2/2: train loss "));
  EXPECT_THAT(rest.out, Not(HasSubstr("(partial")));
  EXPECT_THAT(rest.out, HasSubstr("done: 40 steps, 2 epochs in "));
  rows = epoch_rows(out / "metrics.jsonl");
  ASSERT_EQ(rows.size(), 2u) << "one row per epoch after the resume";
  EXPECT_EQ(rows[0].epoch, 1);
  EXPECT_EQ(rows[1].epoch, 2);
  EXPECT_EQ(rows[1].step, 40);
  EXPECT_TRUE(rows[1].complete);
}

// `--steps 20 --limit 512` once spent almost all its time in five 10,000-image validations.
TEST(TrainE2E, AShortRunValidatesOnAsManyImagesAsItTrainsOn) {
  const fs::path out = scratch("short");
  const Outcome r =
      test::run_vkae("train mnist --model dense --steps 4 --batch 32 --no-tensorboard --out " + out.string());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("validating on 128 of 10000 test images, no more than the run trains on "
                               "(--val-limit N to choose)"));
  const Outcome given =
      test::run_vkae("train mnist --model dense --steps 4 --batch 32 --val-limit 64 --no-tensorboard --out " +
                     scratch("given").string());
  ASSERT_EQ(given.code, 0) << given.err;
  EXPECT_THAT(given.out, Not(HasSubstr("validating on")));
}

}  // namespace
}  // namespace vkae
