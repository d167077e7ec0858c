// loss.png: the raw per-step curve is drawn under the smoothed one, the validation series (points and
// legend swatch) appears only when there are validation losses, and --no-val leaves no trace of it.
#include <gtest/gtest.h>

#include "nn/io/plot.hpp"
#include "nn/train/outputs.hpp"

namespace vkae::nn {
namespace {

std::size_t count(const RgbImage& image, Rgb colour) {
  std::size_t n = 0;
  for (uint32_t y = 0; y < image.height; ++y)
    for (uint32_t x = 0; x < image.width; ++x) n += image.at(x, y) == colour;
  return n;
}

MetricsLog noisy_run(bool validated) {
  MetricsLog log("unused.jsonl");
  for (uint64_t s = 1; s <= 40; ++s)
    log.add_step({uint32_t((s - 1) / 20 + 1), s, (s % 2 ? 0.6f : 0.2f) + 0.2f / float(s)});
  for (uint32_t e = 1; e <= 2; ++e)
    log.add_epoch({e, e * 20ull, 0.4, validated ? std::optional(0.3 - 0.05 * e) : std::nullopt, 1e-3f});
  return log;
}

TEST(LossPlot, RawAndSmoothedTrainCurvesAndValidationOnlyWhenThere) {
  const Rgb blue = plot_color(0), orange = plot_color(1);
  const Rgb faint{uint8_t((blue.r + 510) / 3), uint8_t((blue.g + 510) / 3), uint8_t((blue.b + 510) / 3)};
  const RgbImage with = render_loss_plot(noisy_run(true), "dense on mnist");
  EXPECT_GT(count(with, faint), 200u) << "the raw curve, zig-zagging between 0.2 and 0.6";
  EXPECT_GT(count(with, blue), 100u) << "the smoothed curve";
  EXPECT_GT(count(with, orange), 20u) << "the validation points and their swatch";
  const RgbImage without = render_loss_plot(noisy_run(false), "dense on mnist");
  EXPECT_GT(count(without, faint), 200u);
  EXPECT_EQ(count(without, orange), 0u) << "no validation: neither points nor a legend entry";
}

// TensorBoard's smoothing: the first point is the first loss, and a step of the loss is followed at the
// rate 0.1 of the debiased weights, not dragged back toward the first loss.
TEST(LossPlot, SmoothingIsTensorBoardsDebiasedAverage) {
  const std::vector<float> s = smoothed_losses({1.0f, 0.0f, 0.0f});
  ASSERT_EQ(s.size(), 3u);
  EXPECT_FLOAT_EQ(s[0], 1.0f);
  EXPECT_FLOAT_EQ(s[1], 0.09f / 0.19f);    // (0.9 * 0.1) / (1 - 0.81)
  EXPECT_FLOAT_EQ(s[2], 0.081f / 0.271f);  // (0.81 * 0.1) / (1 - 0.729)
}

}  // namespace
}  // namespace vkae::nn
