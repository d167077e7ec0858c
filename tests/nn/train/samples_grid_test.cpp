// samples.png's grid (also TensorBoard's image): each column named in a band above the images, the names
// cut to the column's width, and every image pixel where the layout puts it.
#include <gtest/gtest.h>

#include "nn/train/outputs.hpp"

namespace vkae::nn {
namespace {

// White pixels (the label colour) in the band above column `c`.
std::size_t label_pixels(const SamplesGrid& g, uint32_t column_width, uint32_t c) {
  std::size_t n = 0;
  for (uint32_t y = 0; y < kSamplesLabelBand + 4; ++y)
    for (uint32_t x = 4 + c * (column_width + 4); x < 4 + c * (column_width + 4) + column_width; ++x)
      n += g.pixels[(size_t{y} * g.width + x) * g.channels] == 255;
  return n;
}

TEST(SamplesGrid, ColumnsAreNamedAboveTheImages) {
  const uint32_t h = 28, w = 28, rows = 2;
  std::vector<float> noisy(rows * h * w, 0.0f), output(rows * h * w, 0.5f), clean(rows * h * w, 1.0f);
  const SamplesGrid g = make_samples_grid(noisy, output, clean, rows, h, w, 1, 3);
  EXPECT_EQ(g.width, 3 * 84 + 4 * 4u);
  EXPECT_EQ(g.height, kSamplesLabelBand + rows * 84 + 3 * 4u);
  for (uint32_t c = 0; c < 3; ++c) EXPECT_GT(label_pixels(g, 84, c), 20u) << "column " << c;
  const auto at = [&](uint32_t x, uint32_t y) { return g.pixels[size_t{y} * g.width + x]; };
  const uint32_t top = kSamplesLabelBand + 4;  // the first row of images
  EXPECT_EQ(at(4, top), 0);                    // noisy
  EXPECT_EQ(at(4 + 88, top), 128);             // reconstruction, 0.5
  EXPECT_EQ(at(4 + 2 * 88 + 83, top + 83), 255);
  EXPECT_EQ(at(4 + 2 * 88 + 83, top + 84), 128) << "the frame between rows";

  // Tiny images: "reconstruction" is cut to the 24-pixel column (4 characters), nothing spills over.
  std::vector<float> small(8 * 8, 0.0f);
  const SamplesGrid t = make_samples_grid(small, small, small, 1, 8, 8, 1, 3, sample_column_names(false));
  for (uint32_t y = 0; y < kSamplesLabelBand + 4; ++y)
    for (uint32_t gap : {0u, 28u, 56u, 84u})
      for (uint32_t x = gap; x < gap + 4 && x < t.width; ++x)
        EXPECT_EQ(t.pixels[size_t{y} * t.width + x], 128) << "text in the gap at x " << x;
  EXPECT_EQ(std::string(sample_column_names(false)[0]), "input");
  EXPECT_EQ(std::string(sample_column_names(true)[2]), "clean target");
}

}  // namespace
}  // namespace vkae::nn
