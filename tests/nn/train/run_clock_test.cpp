// The run's clock on a fake time: images/s from training time only, the ETA as the steps left at the step
// time plus the epoch ends left (estimated from the step time until one is measured), pauses excluded; and
// the validation size a run picks without --val-limit.
#include "nn/train/run_clock.hpp"

#include <gtest/gtest.h>

#include "nn/train/run_setup.hpp"

namespace vkae::nn {
namespace {

TEST(RunClock, TheEtaCountsTheEpochEndsEstimatedThenMeasured) {
  double t = 0;
  RunClock clock(10, 100, [&] { return t; });  // batch 10, 100 validated images an epoch end
  clock.start_training(0);
  t = 2;  // 4 steps in 2 s: 0.5 s a step, 20 img/s
  EXPECT_DOUBLE_EQ(clock.images_per_second(4, 0), 20.0);
  // 6 steps left (3 s) and 2 epoch ends, each estimated at 100 images x half a trained image's 0.05 s.
  EXPECT_DOUBLE_EQ(clock.eta_seconds(4, 6, 2, 0), 3.0 + 2 * 2.5);
  clock.end_training(0);
  t = 5;  // the epoch end took 3 s
  clock.end_epoch();
  EXPECT_DOUBLE_EQ(clock.epoch_end_seconds(), 3.0);
  EXPECT_DOUBLE_EQ(clock.images_per_second(4, 0), 20.0) << "the epoch end is not training time";
  clock.start_training(0);
  t = 7;  // 8 steps in 4 s of training
  EXPECT_DOUBLE_EQ(clock.eta_seconds(8, 2, 1, 0), 1.0 + 3.0);
}

TEST(RunClock, PausedTimeIsNotTrainingTime) {
  double t = 10;
  RunClock clock(1, 0, [&] { return t; });
  clock.start_training(5);  // 5 s paused before this epoch
  t = 14;                   // 4 s later, 3 of them paused
  EXPECT_DOUBLE_EQ(clock.training_seconds(8), 1.0);
  EXPECT_DOUBLE_EQ(clock.eta_seconds(2, 4, 1, 8), 2.0) << "no validation: the ends cost nothing yet";
}

TEST(ValidationCount, NoMoreThanTheRunTrainsOnUnlessGiven) {
  TrainConfig c;
  c.batch = 128;
  EXPECT_EQ(validation_count(c, 60000, 10000), 10000u) << "a full epoch validates on everything";
  EXPECT_EQ(validation_count(c, 512, 10000), 512u) << "--limit 512";
  EXPECT_EQ(validation_count(c, 600, 10000), 512u) << "drop_last: 4 steps of 128";
  c.steps = 3;
  EXPECT_EQ(validation_count(c, 60000, 10000), 384u) << "--steps 3";
  c.val_limit = 5000;
  EXPECT_EQ(validation_count(c, 60000, 10000), 5000u) << "--val-limit wins";
  c.val_limit = 20000;
  EXPECT_EQ(validation_count(c, 60000, 10000), 10000u);
}

}  // namespace
}  // namespace vkae::nn
