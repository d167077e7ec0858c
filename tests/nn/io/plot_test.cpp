// Tests for the line plot renderer: size, non-blank, series colours where the data is, NaN/empty handling.
#include "nn/io/plot.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "base/error.hpp"
#include "nn/io/font5x7.hpp"

namespace vkae::nn {
namespace {

std::size_t count_color(const RgbImage& image, Rgb color) {
  std::size_t n = 0;
  for (uint32_t y = 0; y < image.height; ++y) {
    for (uint32_t x = 0; x < image.width; ++x) n += image.at(x, y) == color;
  }
  return n;
}

PlotSpec loss_spec() {
  PlotSpec spec;
  spec.title = "loss";
  spec.x_label = "step";
  spec.y_label = "BCE";
  PlotSeries train{"train", plot_color(0), {}, true, false};
  for (int step = 0; step <= 1000; step += 10)
    train.points.emplace_back(step, 0.3 * std::exp(-step / 300.0) + 0.08);
  PlotSeries val{"val", plot_color(1), {}, true, true};
  for (int epoch = 1; epoch <= 4; ++epoch)
    val.points.emplace_back(epoch * 250, 0.3 * std::exp(-epoch * 250 / 300.0) + 0.1);
  spec.series = {train, val};
  return spec;
}

TEST(Plot, RendersRightSizeNonBlankWithSeriesColours) {
  const RgbImage image = render_line_plot(loss_spec());
  EXPECT_EQ(image.width, 800u);
  EXPECT_EQ(image.height, 500u);
  ASSERT_EQ(image.pixels.size(), 800u * 500u * 3u);
  EXPECT_EQ(image.at(0, 0), (Rgb{255, 255, 255}));     // white background
  EXPECT_GT(count_color(image, Rgb{0, 0, 0}), 1000u);  // axes, ticks, text
  EXPECT_GT(count_color(image, plot_color(0)), 500u);  // train line
  EXPECT_GT(count_color(image, plot_color(1)), 100u);  // val line + markers
}

TEST(Plot, SeriesAreDrawnWhereTheirDataIs) {
  PlotSpec spec;
  spec.series = {{"low", Rgb{255, 0, 0}, {{0, 0}, {10, 0}}, true, false},
                 {"high", Rgb{0, 0, 255}, {{0, 1}, {10, 1}}, true, false}};
  const RgbImage image = render_line_plot(spec);
  // Mean row of each colour: the y=1 series must be above (smaller row) the y=0 series.
  const auto mean_row = [&](Rgb c) {
    double sum = 0;
    std::size_t n = 0;
    for (uint32_t y = 0; y < image.height; ++y) {
      for (uint32_t x = 0; x < image.width / 2; ++x) {  // left half: away from the legend
        if (image.at(x, y) == c) {
          sum += y;
          ++n;
        }
      }
    }
    EXPECT_GT(n, 0u);
    return sum / static_cast<double>(n);
  };
  EXPECT_LT(mean_row(Rgb{0, 0, 255}) + 100, mean_row(Rgb{255, 0, 0}));
}

TEST(Plot, HandlesEmptyAndNaNData) {
  PlotSpec empty;
  empty.title = "nothing";
  const RgbImage blank = render_line_plot(empty);
  EXPECT_GT(count_color(blank, Rgb{0, 0, 0}), 100u);  // axes still drawn
  const double nan = std::numeric_limits<double>::quiet_NaN();
  PlotSpec with_nan;
  with_nan.series = {{"a", Rgb{0, 200, 0}, {{0, 1}, {1, nan}, {2, 3}, {nan, 4}, {4, 2}}, true, false},
                     {"all nan", Rgb{200, 0, 0}, {{nan, nan}}, true, false}};
  const RgbImage image = render_line_plot(with_nan);
  EXPECT_GT(count_color(image, Rgb{0, 200, 0}), 20u);
  const PlotSpec single{400, 300, "", "", "", {{"one", Rgb{9, 9, 9}, {{5, 5}}, true, false}}};
  EXPECT_GT(count_color(render_line_plot(single), Rgb{9, 9, 9}), 20u);  // drawn as a marker
}

TEST(Plot, NiceTicksUseOneTwoFiveSteps) {
  EXPECT_EQ(nice_ticks(0, 1000, 5), (std::vector<double>{0, 200, 400, 600, 800, 1000}));
  const auto ticks = nice_ticks(0.071, 0.392, 8);
  ASSERT_GE(ticks.size(), 2u);
  EXPECT_NEAR(ticks[1] - ticks[0], 0.05, 1e-12);
  EXPECT_NEAR(ticks.front(), 0.1, 1e-12);
  EXPECT_TRUE(nice_ticks(1, 1, 5).empty());
}

TEST(Plot, MarkerOnlyScatterDrawsSmallDotsForTenThousandPoints) {
  PlotSpec spec;
  spec.width = 600;
  spec.height = 600;
  spec.x_margin = spec.y_margin = 0.05;
  spec.legend = LegendPlace::Right;
  for (uint32_t label = 0; label < 10; ++label) {
    PlotSeries s{std::to_string(label), label_color(label), {}, false, true};
    s.marker_radius = 1;
    spec.series.push_back(s);
  }
  for (int i = 0; i < 10000; ++i)
    spec.series[i % 10].points.emplace_back(std::sin(i * 0.37) * 3, std::cos(i * 0.91) * 2);
  // One lonely point far from the rest: its dot is exactly 3x3.
  PlotSeries lone{"", Rgb{1, 2, 3}, {{-3.6, -2.4}}, false, true};
  lone.marker_radius = 1;
  spec.series.push_back(lone);
  const RgbImage image = render_line_plot(spec);
  EXPECT_EQ(count_color(image, Rgb{1, 2, 3}), 9u);
  for (uint32_t label = 0; label < 10; ++label)
    EXPECT_GT(count_color(image, label_color(label)), 200u) << label;
  // No line joins the points of a series: the plot is far from filled.
  std::size_t coloured = 0;
  for (uint32_t label = 0; label < 10; ++label) coloured += count_color(image, label_color(label));
  EXPECT_LT(coloured, 600u * 600u / 2);
  EXPECT_EQ(label_color(3), label_color(13));
}

TEST(Plot, RejectsTinyCanvas) {
  PlotSpec spec;
  spec.width = 50;
  EXPECT_THROW(render_line_plot(spec), InputError);
}

TEST(Font, HasGlyphsForPlotText) {
  for (const char c : std::string("0123456789.-+e:ABCXYZabcxyz()")) {
    int bits = 0;
    for (const uint8_t row : glyph_for(c)) bits += row != 0;
    EXPECT_GT(bits, 0) << c;
  }
  EXPECT_EQ(glyph_for('\x01'), glyph_for('?'));
}

}  // namespace
}  // namespace vkae::nn
