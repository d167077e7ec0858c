// Data-parallel training through the real binary under `mpirun -np 2` (Open MPI, both ranks on lavapipe):
// 2 ranks against 1 at the same global batch and seed give the same per-epoch losses within fp32 summation
// tolerance, and the run's own check that the ranks' parameters stay identical passes; a checkpoint resumes
// across rank counts; a rank that dies or hangs ends the job with a line naming it and the last checkpoint
// intact; a batch that does not split over the ranks is one line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "nn/parallel/ranks.hpp"
#include "nn/train/checkpoint.hpp"
#include "tests/support/run_vkae.hpp"

namespace vkae {
namespace {

namespace fs = std::filesystem;
using test::Outcome;
using ::testing::HasSubstr;

fs::path scratch(const std::string& name) {
  return test::scratch_dir("ranks", name);
}

// One rank per process, one lavapipe thread each (the CI machine has 2 cores); validation layers on. On one
// machine the ranks inherit mpirun's environment (a hostfile run would pass it with -x). Open MPI's shared
// memory copies without cross-process memory access (a container may forbid it, and would print warnings).
std::string mpirun(int ranks, const std::string& env = "") {
  return env +
         " VKAE_VALIDATION=1 LP_NUM_THREADS=1 OMPI_MCA_btl_vader_single_copy_mechanism=none mpirun "
         "--allow-run-as-root --oversubscribe -np " +
         std::to_string(ranks) + " ";
}

// dae on 256 images, global batch 32: 8 steps an epoch.
std::string run_args(const fs::path& out, int epochs = 2) {
  return "train mnist --limit 256 --batch 32 --val-limit 64 --seed 7 --no-tensorboard --epochs " +
         std::to_string(epochs) + " --out " + out.string();
}

// history.csv's train and validation loss per epoch.
std::vector<std::pair<double, double>> epoch_losses(const fs::path& run) {
  std::ifstream in(run / "history.csv");
  std::string line;
  std::getline(in, line);  // header
  std::vector<std::pair<double, double>> rows;
  while (std::getline(in, line)) {
    std::stringstream s(line);
    std::string epoch, step, loss, val;
    std::getline(s, epoch, ',');
    std::getline(s, step, ',');
    std::getline(s, loss, ',');
    std::getline(s, val, ',');
    rows.emplace_back(std::stod(loss), std::stod(val));
  }
  return rows;
}

// Two ranks sum two half-batch gradient sums where one rank sums the whole batch: the same terms in a
// different order, so each gradient differs by a few ulp of its magnitude (fp32: ~1e-7 relative per add,
// ~log2(32 * 784) adds deep), and Adam carries those differences through 16 steps. The losses are means of
// 25,088 terms each; 1e-5 relative is ~100 times what that accounts for, and far below any real difference
// (a wrong slice of the batch, a missing 1/N, the wrong noise) — each of those moves the loss by 1e-2 or
// more.
void expect_close_losses(const fs::path& a, const fs::path& b) {
  const auto x = epoch_losses(a), y = epoch_losses(b);
  ASSERT_EQ(x.size(), y.size());
  ASSERT_FALSE(x.empty());
  for (std::size_t e = 0; e < x.size(); ++e) {
    EXPECT_NEAR(x[e].first, y[e].first, 1e-5 * x[e].first) << "train loss of epoch " << e + 1;
    EXPECT_NEAR(x[e].second, y[e].second, 1e-5 * x[e].second) << "val loss of epoch " << e + 1;
  }
}

class RanksE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(nn::Ranks::built_with_mpi()) << "this build has no MPI: install libopenmpi-dev (setup.sh)";
    ASSERT_EQ(std::system("command -v mpirun >/dev/null"), 0) << "mpirun not found: install openmpi-bin";
  }
};

TEST_F(RanksE2E, TwoRanksTrainLikeOneAtTheSameGlobalBatch) {
  const fs::path one = scratch("one"), two = scratch("two");
  const Outcome a = test::run_vkae(run_args(one), /*validation=*/true);
  ASSERT_EQ(a.code, 0) << a.err;
  const Outcome b = test::run_vkae_after(mpirun(2), run_args(two));
  ASSERT_EQ(b.code, 0) << b.err;  // the parameters' hash matched on both ranks after each epoch
  EXPECT_EQ(b.err, "") << "rank 1 prints nothing, and no validation message";
  EXPECT_THAT(b.out, HasSubstr("2 ranks, 16 of each step's 32 images each"));
  expect_close_losses(one, two);
  // One writer: rank 0's files only, and the checkpoint records the global batch.
  const nn::LoadedCheckpoint c = nn::read_checkpoint(two / "checkpoint.safetensors");
  EXPECT_EQ(c.info.batch, 32u);
  EXPECT_EQ(c.info.step, 16u);
}

// Past a small --data-budget the training images stream through a ring of shard slots; each rank packs the
// whole shards and reads its slice: the losses are those of one resident rank.
TEST_F(RanksE2E, StreamedImagesTrainLikeResidentOnes) {
  const fs::path resident = scratch("resident"), streamed = scratch("streamed");
  ASSERT_EQ(test::run_vkae(run_args(resident)).code, 0);
  const Outcome r = test::run_vkae_after(mpirun(2), run_args(streamed) + " --data-budget 100K");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("streams through"));
  expect_close_losses(resident, streamed);
}

TEST_F(RanksE2E, ACheckpointResumesAcrossRankCounts) {
  const fs::path whole = scratch("whole"), from_two = scratch("from-two"), from_one = scratch("from-one");
  ASSERT_EQ(test::run_vkae(run_args(whole)).code, 0);
  // Epoch 1 on 2 ranks, epoch 2 on 1; and the other way round.
  ASSERT_EQ(test::run_vkae_after(mpirun(2), run_args(from_two, 1)).code, 0);
  const Outcome r1 =
      test::run_vkae(run_args(from_two) + " --resume " + (from_two / "checkpoint.safetensors").string());
  ASSERT_EQ(r1.code, 0) << r1.err;
  ASSERT_EQ(test::run_vkae(run_args(from_one, 1)).code, 0);
  const Outcome r2 = test::run_vkae_after(
      mpirun(2), run_args(from_one) + " --resume " + (from_one / "checkpoint.safetensors").string());
  ASSERT_EQ(r2.code, 0) << r2.err;
  expect_close_losses(whole, from_two);
  expect_close_losses(whole, from_one);
  EXPECT_EQ(nn::read_checkpoint(from_one / "checkpoint.safetensors").info.step, 16u);
}

TEST_F(RanksE2E, ARankThatDiesOrHangsEndsTheJobAndKeepsTheCheckpoint) {
  for (const char* fault : {"kill", "hang"}) {
    const fs::path out = scratch(fault);
    const auto start = std::chrono::steady_clock::now();
    // Rank 1 dies (or stops answering) at step 11, after the save at step 8's epoch end.
    const Outcome r = test::run_vkae_after(
        mpirun(2, std::string("VKAE_RANK_TIMEOUT=8 VKAE_FAULT_RANK=1:11:") + fault), run_args(out));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_NE(r.code, 0) << fault;
    EXPECT_LT(seconds, 120) << fault << ": the job must end within a bounded time";
    if (std::string(fault) == "hang")
      EXPECT_THAT(r.err, HasSubstr("vkae: rank 1 did not reach step 11 within 8 s: dead or hung")) << r.err;
    else
      EXPECT_THAT(r.err, HasSubstr("rank 1")) << r.err;  // mpirun names the rank that died
    const nn::LoadedCheckpoint c = nn::read_checkpoint(out / "checkpoint.safetensors");
    EXPECT_EQ(c.info.step, 8u) << fault << ": the epoch-end checkpoint is intact";
  }
}

// SIGTERM to every rank (as a batch system sends it; mpirun itself would SIGKILL them 1 s after passing it
// on, README: Several GPUs): the ranks vote to stop after the same step, rank 0 saves there and prints the
// resume line, and no rank aborts the job.
TEST_F(RanksE2E, SigtermStopsEveryRankAfterTheSameStepAndRankZeroSaves) {
  const fs::path out = scratch("term");
  const std::string ckpt = (out / "checkpoint.safetensors").string();
  const Outcome r = test::run_vkae_after(mpirun(2), run_args(out, 20) + " --save-every 4",
                                         " & pid=$!; for i in $(seq 3000); do [ -f " + ckpt +
                                             " ] && break; sleep 0.02; done; pkill -TERM -P $pid; wait $pid");
  EXPECT_NE(r.code, 0);
  EXPECT_THAT(r.out, HasSubstr("stopped by SIGTERM after "));
  EXPECT_THAT(r.out, HasSubstr("continue with: vkae train --resume " + ckpt));
  EXPECT_THAT(r.err, ::testing::Not(HasSubstr("MPI_ABORT")));
  const nn::LoadedCheckpoint c = nn::read_checkpoint(ckpt);
  EXPECT_GT(c.info.step, 0u);
  EXPECT_LT(c.info.step, 160u);
}

// The epoch-end check of the parameters' hash: rank 1 takes one sum a little off, and the run stops there.
TEST_F(RanksE2E, RanksWhoseParametersDivergeStopTheRun) {
  const fs::path out = scratch("skew");
  const Outcome r = test::run_vkae_after(mpirun(2, "VKAE_FAULT_RANK=1:3:skew"), run_args(out));
  EXPECT_NE(r.code, 0);
  EXPECT_THAT(
      r.err,
      HasSubstr("vkae: the parameters and noise level after step 8 of rank 1 differ from rank 0's: the ranks "
                "have diverged"));
}

TEST_F(RanksE2E, ABatchThatDoesNotSplitOverTheRanksIsOneLine) {
  const Outcome r = test::run_vkae_after(mpirun(3), run_args(scratch("split")));
  EXPECT_NE(r.code, 0);
  EXPECT_THAT(r.err,
              HasSubstr("vkae: --batch 32: does not split evenly over 3 ranks (expected a multiple of 3"));
}

}  // namespace
}  // namespace vkae
