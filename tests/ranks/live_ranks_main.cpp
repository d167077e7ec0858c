// The live viewer on several ranks, without a window: this program runs under `mpirun -np 2` (CTest does
// that, see tests/CMakeLists.txt). Rank 0 trains with a LiveFeed that the test drives as the viewer would;
// rank 1 trains without one. The viewer's noise, pause, save and stop must reach rank 1 through the steps'
// votes: a rank that kept the old noise fails the epoch-end check of the parameters and noise level, one
// that was not held by the pause heartbeat times out (VKAE_RANK_TIMEOUT is 4 s here, the pause 10 s).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>

#include "nn/parallel/ranks.hpp"
#include "nn/train/live.hpp"
#include "nn/train/trainer.hpp"
#include "tests/support/gpu.hpp"

namespace vkae::nn {
namespace {

class RanksLive : public test::GpuTest {};

using Clock = std::chrono::steady_clock;

// Polls `done` every 20 ms for up to `seconds`; false when it never came true.
bool wait_for(const std::function<bool()>& done, double seconds) {
  const auto deadline = Clock::now() + std::chrono::duration<double>(seconds);
  while (!done()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

// What rank 0's viewer does: a new noise, a long pause with a save in it, then stop.
void drive_viewer(LiveFeed& feed) {
  const auto step = [&] { return feed.status().progress.step; };
  ASSERT_TRUE(wait_for([&] { return step() >= 3 || feed.status().finished; }, 120)) << "no step was taken";
  feed.set_noise(0.3f);
  uint64_t version = 0;
  ASSERT_TRUE(wait_for(
      [&] {
        const auto p = feed.preview_if_newer(version);
        return (p && p->noise == 0.3f) || feed.status().finished;
      },
      60))
      << "no preview at the new noise";
  feed.set_paused(true);
  ASSERT_TRUE(wait_for([&] { return feed.status().paused || feed.status().finished; }, 60))
      << "the trainer never reported the pause";
  const uint64_t paused_at = step();
  feed.request_save();  // rank 0's alone: the others stay paused
  ASSERT_TRUE(wait_for([&] { return feed.status().saves > 0 || feed.status().finished; }, 60));
  std::this_thread::sleep_for(std::chrono::seconds(10));  // past VKAE_RANK_TIMEOUT: the heartbeat holds
  EXPECT_EQ(step(), paused_at) << "a step was taken while paused";
  feed.set_paused(false);
  EXPECT_TRUE(wait_for([&] { return step() >= paused_at + 3 || feed.status().finished; }, 60));
  feed.request_stop();
}

TEST_F(RanksLive, TheViewersControlsReachEveryRankAfterTheSameStep) {
  Ranks& ranks = Ranks::world();
  ASSERT_EQ(ranks.size(), 2u) << "run under mpirun -np 2";
  TrainConfig c;
  c.batch = 32;
  c.limit = 640;
  c.epochs = 5;  // 100 steps: far more than the viewer lets it run
  c.validate = false;
  c.out = std::filesystem::temp_directory_path() / ("vkae-test-live-ranks-" + std::to_string(::getppid()));
  if (ranks.writer()) std::filesystem::remove_all(c.out);

  TrainResult result;
  if (ranks.writer()) {
    LiveFeed feed(c.noise);
    std::thread trainer([&] {
      try {
        result = train(c, {}, TrainHooks{&test::ctx(), &feed});
      } catch (const std::exception& e) {
        ADD_FAILURE() << "rank 0: " << e.what();
      }
      feed.publish_finished();
    });
    drive_viewer(feed);
    feed.request_stop();
    trainer.join();
    EXPECT_FALSE(feed.status().finished && result.steps == 0) << "rank 0 did not train";
    EXPECT_GE(feed.status().saves, 1u) << "the save request was not answered";
    EXPECT_LT(result.steps, 100u) << "the stop request was not answered";
    EXPECT_TRUE(std::filesystem::exists(c.out / "checkpoint.safetensors"));
  } else {
    EXPECT_NO_THROW(result = train(c, {}, TrainHooks{&test::ctx(), nullptr}));
  }
  // Every rank stopped after the same step (rank 0 throws naming the rank that did not).
  EXPECT_NO_THROW(ranks.check_same(result.steps, "the steps trained", 60));
  if (ranks.writer()) std::filesystem::remove_all(c.out);
}

}  // namespace
}  // namespace vkae::nn

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  vkae::nn::Ranks::init();
  const int failed = RUN_ALL_TESTS();
  vkae::nn::Ranks::finalize();
  return failed;
}
