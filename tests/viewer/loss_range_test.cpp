// The viewer's loss plot range (no display needed): the raw per-step curve's dips stay inside it (they ran
// below the plot when the range came from the smoothed curve alone), spikes are capped at twice the
// smoothed top, and validation losses and steps widen it.
#include <gtest/gtest.h>

#include "viewer/panels.hpp"

namespace vkae::viewer {
namespace {

TEST(LossRange, TheRawCurveFitsAndSpikesAreCapped) {
  const std::vector<nn::LiveLoss> losses{{1, 0.5f}, {2, 0.3f}, {3, 0.45f}, {4, 0.2f}, {5, 9.0f}};
  const std::vector<float> smooth = smoothed_losses(losses);
  const LossRange r = loss_range(losses, smooth, nullptr);
  float smooth_top = 0;
  for (float s : smooth) smooth_top = std::max(smooth_top, s);
  EXPECT_LT(r.lo, 0.2f) << "the raw dip at step 4 is inside the plot";
  EXPECT_LT(r.hi, 2 * smooth_top * 1.1f) << "the spike at step 5 is capped";
  EXPECT_GE(r.hi, 2 * smooth_top);
  EXPECT_EQ(r.x0, 1.0);
  EXPECT_EQ(r.x1, 5.0);
  const std::vector<nn::LiveEpoch> epochs{{1, 8, 0.3, 0.05}};
  const LossRange v = loss_range(losses, smooth, &epochs);
  EXPECT_LT(v.lo, 0.05f);
  EXPECT_EQ(v.x1, 8.0);
}

}  // namespace
}  // namespace vkae::viewer
