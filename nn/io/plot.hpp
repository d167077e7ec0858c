// Line plots and scatter plots rendered on the CPU into an RGB buffer (loss.png, latent.png): axes with ticks
// and numeric labels, axis titles, a title, a legend, any number of series as 2-px lines and/or markers (dots
// of any radius: radius 1 is a 3x3 dot, small enough for 10,000 points), text in the built-in 5x7 font. Not a
// charting library: linear axes only, no anti-aliasing; writing the PNG is write_png's job.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace vkae::nn {

struct Rgb {
  uint8_t r = 0, g = 0, b = 0;
  friend bool operator==(const Rgb&, const Rgb&) = default;
};

struct PlotSeries {
  std::string name;
  Rgb color;
  std::vector<std::pair<double, double>> points;  // (x, y); NaN/inf points are skipped and break the line
  bool lines = true;                              // connect consecutive points with a 2-px line
  bool markers = false;                           // draw a dot on each point (e.g. one per epoch)
  int marker_radius = 3;                          // dot radius in pixels: 3 gives 7x7, 1 gives 3x3
};

enum class LegendPlace { Inside, Right };  // the plot area's top-right corner, or a column right of it

struct PlotSpec {
  uint32_t width = 800, height = 500;
  std::string title, x_label, y_label;  // e.g. "loss", "step", "BCE"
  std::vector<PlotSeries> series;
  double x_margin = 0.0, y_margin = 0.05;  // empty space around the data, a fraction of each axis' span
  LegendPlace legend = LegendPlace::Inside;
};

struct RgbImage {
  uint32_t width = 0, height = 0;
  std::vector<uint8_t> pixels;  // [height, width, 3]
  Rgb at(uint32_t x, uint32_t y) const {
    const std::size_t i = (std::size_t{y} * width + x) * 3;
    return {pixels[i], pixels[i + 1], pixels[i + 2]};
  }
};

// A palette of distinguishable series colours (blue, orange, green, red, purple, ...), by index, cycling.
Rgb plot_color(std::size_t index) noexcept;
// Ten distinguishable colours for class labels 0-9 (matplotlib's tab10), cycling.
Rgb label_color(std::size_t label) noexcept;

// Tick positions covering [lo, hi] with a 1/2/5 x 10^k step giving about `target` intervals.
std::vector<double> nice_ticks(double lo, double hi, int target);

// Throws InputError if width < 200 or height < 150 (no room for axes) or larger than 8192.
// Empty series or all-NaN data give a plot with axes on a default [0,1] range and "no data".
RgbImage render_line_plot(const PlotSpec& spec);

}  // namespace vkae::nn
