// render_line_plot: a Canvas with pixel, rectangle, line, dot and 5x7 text primitives, and the layout of one
// plot (margins, data ranges with a small margin, 1/2/5 ticks, grid, series, legend). Pixel-exact and
// deterministic; drawing outside the canvas (or, for series, outside the plot area) is clipped.
// Hand-written on purpose: Debian's plotting libraries (PLplot, gnuplot) bring cairo/Qt drivers or a
// subprocess and promise no pixel-exact output; a loss curve needs lines, dots and a 5x7 font, and loss.png
// must not change.
#include "nn/io/plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "base/error.hpp"
#include "nn/io/font5x7.hpp"

namespace vkae::nn {

namespace {

constexpr Rgb kWhite{255, 255, 255};
constexpr Rgb kBlack{0, 0, 0};
constexpr Rgb kGrid{225, 225, 225};
constexpr Rgb kFrame{150, 150, 150};

struct Rect {
  int left, top, right, bottom;  // inclusive
};

class Canvas {
 public:
  explicit Canvas(RgbImage& image) : image_(image) {}

  void pixel(int x, int y, Rgb c) {
    if (x < clip_.left || x > clip_.right || y < clip_.top || y > clip_.bottom) return;
    const std::size_t i = (static_cast<std::size_t>(y) * image_.width + static_cast<std::size_t>(x)) * 3;
    image_.pixels[i] = c.r;
    image_.pixels[i + 1] = c.g;
    image_.pixels[i + 2] = c.b;
  }

  void fill(Rect r, Rgb c) {
    for (int y = r.top; y <= r.bottom; ++y) {
      for (int x = r.left; x <= r.right; ++x) pixel(x, y, c);
    }
  }

  void frame(Rect r, Rgb c) {
    fill({r.left, r.top, r.right, r.top}, c);
    fill({r.left, r.bottom, r.right, r.bottom}, c);
    fill({r.left, r.top, r.left, r.bottom}, c);
    fill({r.right, r.top, r.right, r.bottom}, c);
  }

  // Bresenham with a 2x2 brush: a 2-px line without anti-aliasing.
  void line(int x0, int y0, int x1, int y1, Rgb c) {
    const int dx = std::abs(x1 - x0), sx = x0 < x1 ? 1 : -1;
    const int dy = -std::abs(y1 - y0), sy = y0 < y1 ? 1 : -1;
    int error = dx + dy;
    for (;;) {
      fill({x0, y0, x0 + 1, y0 + 1}, c);
      if (x0 == x1 && y0 == y1) return;
      const int e2 = 2 * error;
      if (e2 >= dy) {
        error += dy;
        x0 += sx;
      }
      if (e2 <= dx) {
        error += dx;
        y0 += sy;
      }
    }
  }

  void dot(int cx, int cy, int radius, Rgb c) {
    for (int y = -radius; y <= radius; ++y) {
      for (int x = -radius; x <= radius; ++x) {
        if (x * x + y * y <= radius * radius + radius) pixel(cx + x, cy + y, c);
      }
    }
  }

  static int text_width(const std::string& text, int scale) {
    return text.empty() ? 0 : static_cast<int>(text.size()) * (kGlyphWidth + 1) * scale - scale;
  }

  // Horizontal text with its top-left corner at (x, y).
  void text(int x, int y, const std::string& s, Rgb c, int scale = 1) {
    for (const char ch : s) {
      const Glyph& glyph = glyph_for(ch);
      for (int row = 0; row < kGlyphHeight; ++row) {
        for (int col = 0; col < kGlyphWidth; ++col) {
          if (glyph[row] & (0x10 >> col))
            fill({x + col * scale, y + row * scale, x + col * scale + scale - 1, y + row * scale + scale - 1},
                 c);
        }
      }
      x += (kGlyphWidth + 1) * scale;
    }
  }

  // Text rotated 90 degrees counter-clockwise (reads bottom to top), bottom-left corner at (x, y).
  void text_up(int x, int y, const std::string& s, Rgb c) {
    for (const char ch : s) {
      const Glyph& glyph = glyph_for(ch);
      for (int row = 0; row < kGlyphHeight; ++row) {
        for (int col = 0; col < kGlyphWidth; ++col) {
          if (glyph[row] & (0x10 >> col)) pixel(x + row, y - col, c);
        }
      }
      y -= kGlyphWidth + 1;
    }
  }

  void clip(Rect r) { clip_ = r; }
  void unclip() { clip_ = {0, 0, static_cast<int>(image_.width) - 1, static_cast<int>(image_.height) - 1}; }

 private:
  RgbImage& image_;
  Rect clip_{0, 0, static_cast<int>(image_.width) - 1, static_cast<int>(image_.height) - 1};
};

// Tick label with just enough decimals for the step; exponent form for very large or small values.
std::string tick_label(double value, double step) {
  char buf[32];
  if (std::fabs(value) < step * 1e-6) value = 0;  // avoid "-0" and 1e-17 from accumulated steps
  const double magnitude = std::max(std::fabs(value), step);
  if (magnitude >= 1e6 || step < 1e-4) {
    std::snprintf(buf, sizeof buf, "%.2g", value);
  } else {
    const int decimals = step >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(step) - 1e-9));
    std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  }
  return buf;
}

struct Range {
  double lo = std::numeric_limits<double>::infinity(), hi = -std::numeric_limits<double>::infinity();
  bool empty() const { return !(lo <= hi); }
  void add(double v) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
};

// Widens a degenerate or empty range and adds `margin` (a fraction of the span) on both sides.
Range padded(Range r, double margin) {
  if (r.empty()) return {0, 1};
  if (r.hi - r.lo <= std::fabs(r.hi) * 1e-12) {
    const double half = r.lo == 0 ? 1 : std::fabs(r.lo) * 0.1;
    return {r.lo - half, r.hi + half};
  }
  const double pad = (r.hi - r.lo) * margin;
  return {r.lo - pad, r.hi + pad};
}

bool finite_point(const std::pair<double, double>& p) {
  return std::isfinite(p.first) && std::isfinite(p.second);
}

}  // namespace

Rgb plot_color(std::size_t index) noexcept {
  static constexpr Rgb kPalette[] = {{31, 119, 180},  {255, 127, 14}, {44, 160, 44},   {214, 39, 40},
                                     {148, 103, 189}, {140, 86, 75},  {227, 119, 194}, {23, 190, 207}};
  return kPalette[index % (sizeof kPalette / sizeof kPalette[0])];
}

Rgb label_color(std::size_t label) noexcept {
  static constexpr Rgb kTab10[] = {{31, 119, 180},  {255, 127, 14}, {44, 160, 44},   {214, 39, 40},
                                   {148, 103, 189}, {140, 86, 75},  {227, 119, 194}, {127, 127, 127},
                                   {188, 189, 34},  {23, 190, 207}};
  return kTab10[label % 10];
}

std::vector<double> nice_ticks(double lo, double hi, int target) {
  std::vector<double> ticks;
  if (!(lo < hi) || !std::isfinite(lo) || !std::isfinite(hi) || target < 1) return ticks;
  const double raw = (hi - lo) / target;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  double step = 10 * power;
  for (const double m : {1.0, 2.0, 5.0}) {
    if (m * power >= raw) {
      step = m * power;
      break;
    }
  }
  const double first = std::ceil(lo / step - 1e-9);
  for (double k = first; k * step <= hi + step * 1e-9; k += 1) ticks.push_back(k * step);
  return ticks;
}

namespace {

// Where everything goes: data ranges, ticks and the plot area in pixels.
struct PlotLayout {
  bool no_data = false;
  Range x_range, y_range;
  std::vector<double> x_ticks, y_ticks;
  double x_step = 1, y_step = 1;  // tick spacing, for the labels' decimals
  Rect plot{};                    // the frame, inclusive

  std::pair<int, int> to_px(double x, double y) const {
    const double fx = (x - x_range.lo) / (x_range.hi - x_range.lo);
    const double fy = (y - y_range.lo) / (y_range.hi - y_range.lo);
    return std::pair{static_cast<int>(std::lround(plot.left + fx * (plot.right - plot.left))),
                     static_cast<int>(std::lround(plot.bottom - fy * (plot.bottom - plot.top)))};
  }
};

PlotLayout make_layout(const PlotSpec& spec, int w, int h) {
  PlotLayout layout;
  Range xs, ys;
  for (const auto& series : spec.series) {
    for (const auto& p : series.points) {
      if (!finite_point(p)) continue;
      xs.add(p.first);
      ys.add(p.second);
    }
  }
  layout.no_data = xs.empty();
  layout.x_range = padded(xs, spec.x_margin);
  layout.y_range = padded(ys, spec.y_margin);
  layout.x_ticks = nice_ticks(layout.x_range.lo, layout.x_range.hi, std::max(2, w / 120));
  layout.y_ticks = nice_ticks(layout.y_range.lo, layout.y_range.hi, std::max(2, h / 70));
  if (layout.x_ticks.size() > 1) layout.x_step = layout.x_ticks[1] - layout.x_ticks[0];
  if (layout.y_ticks.size() > 1) layout.y_step = layout.y_ticks[1] - layout.y_ticks[0];

  // Left margin fits the widest y tick label, the rotated y title and some air.
  int y_label_width = 0;
  for (const double t : layout.y_ticks)
    y_label_width = std::max(y_label_width, Canvas::text_width(tick_label(t, layout.y_step), 1));
  // A legend on the right gets a column of its own: the widest name, its swatch and some air.
  int legend_column = 0;
  if (spec.legend == LegendPlace::Right) {
    for (const auto& series : spec.series)
      legend_column = std::max(legend_column, Canvas::text_width(series.name, 1));
    legend_column += 60;
  }
  layout.plot = {y_label_width + 28, spec.title.empty() ? 16 : 36, w - 20 - legend_column, h - 42};
  return layout;
}

// Grid, ticks, tick labels and the frame.
void draw_axes(Canvas& canvas, const PlotLayout& layout) {
  const Rect& plot = layout.plot;
  for (const double t : layout.x_ticks) {
    const int x = layout.to_px(t, layout.y_range.lo).first;
    canvas.fill({x, plot.top, x, plot.bottom}, kGrid);
    canvas.fill({x, plot.bottom + 1, x, plot.bottom + 5}, kBlack);
    const std::string label = tick_label(t, layout.x_step);
    canvas.text(x - Canvas::text_width(label, 1) / 2, plot.bottom + 9, label, kBlack);
  }
  for (const double t : layout.y_ticks) {
    const int y = layout.to_px(layout.x_range.lo, t).second;
    canvas.fill({plot.left, y, plot.right, y}, kGrid);
    canvas.fill({plot.left - 5, y, plot.left - 1, y}, kBlack);
    const std::string label = tick_label(t, layout.y_step);
    canvas.text(plot.left - 8 - Canvas::text_width(label, 1), y - kGlyphHeight / 2, label, kBlack);
  }
  canvas.frame(plot, kBlack);
}

// The title, the axis titles, and "no data" when there is nothing to draw.
void draw_titles(Canvas& canvas, const PlotSpec& spec, const PlotLayout& layout, int w, int h) {
  const Rect& plot = layout.plot;
  if (!spec.title.empty())
    canvas.text((w - Canvas::text_width(spec.title, 2)) / 2, 10, spec.title, kBlack, 2);
  if (!spec.x_label.empty()) {
    canvas.text((plot.left + plot.right - Canvas::text_width(spec.x_label, 1)) / 2, h - 14, spec.x_label,
                kBlack);
  }
  if (!spec.y_label.empty()) {
    canvas.text_up(6, (plot.top + plot.bottom + Canvas::text_width(spec.y_label, 1)) / 2, spec.y_label,
                   kBlack);
  }
  if (layout.no_data) {
    const std::string message = "no data";
    canvas.text((plot.left + plot.right - Canvas::text_width(message, 2)) / 2,
                (plot.top + plot.bottom) / 2 - 7, message, kFrame, 2);
  }
}

// Series, clipped to the inside of the frame.
void draw_series(Canvas& canvas, const PlotSpec& spec, const PlotLayout& layout) {
  const Rect& plot = layout.plot;
  canvas.clip({plot.left + 1, plot.top + 1, plot.right - 1, plot.bottom - 1});
  for (const auto& series : spec.series) {
    bool have_previous = false;
    std::pair<int, int> previous{};
    for (std::size_t i = 0; i < series.points.size(); ++i) {
      const auto& p = series.points[i];
      if (!finite_point(p)) {
        have_previous = false;  // a NaN breaks the line rather than bridging it
        continue;
      }
      const auto px = layout.to_px(p.first, p.second);
      if (series.lines && have_previous)
        canvas.line(previous.first, previous.second, px.first, px.second, series.color);
      // An isolated point would be invisible without a marker.
      const bool isolated =
          !have_previous && (i + 1 == series.points.size() || !finite_point(series.points[i + 1]));
      if (series.markers || isolated)
        canvas.dot(px.first, px.second, std::max(0, series.marker_radius), series.color);
      previous = px;
      have_previous = true;
    }
  }
  canvas.unclip();
}

// Legend in the top-right corner of the plot area, or in its own column right of it.
void draw_legend(Canvas& canvas, const PlotSpec& spec, const PlotLayout& layout, int w) {
  std::vector<const PlotSeries*> named;
  int name_width = 0;
  for (const auto& series : spec.series) {
    if (series.name.empty() || series.points.empty()) continue;  // only what is drawn
    named.push_back(&series);
    name_width = std::max(name_width, Canvas::text_width(series.name, 1));
  }
  if (named.empty()) return;
  const int row_height = 14;
  const bool right_column = spec.legend == LegendPlace::Right;
  const int right = right_column ? w - 10 : layout.plot.right - 10;
  const int top = layout.plot.top + (right_column ? 0 : 10);
  const Rect box{right - (name_width + 40), top, right,
                 top + static_cast<int>(named.size()) * row_height + 8};
  canvas.fill(box, kWhite);
  canvas.frame(box, kFrame);
  for (std::size_t i = 0; i < named.size(); ++i) {
    const int y = box.top + 6 + static_cast<int>(i) * row_height;
    const int mid = y + kGlyphHeight / 2;
    if (named[i]->lines) canvas.fill({box.left + 6, mid - 1, box.left + 26, mid}, named[i]->color);
    if (named[i]->markers || !named[i]->lines) canvas.dot(box.left + 16, mid, 3, named[i]->color);
    canvas.text(box.left + 32, y, named[i]->name, kBlack);
  }
}

}  // namespace

RgbImage render_line_plot(const PlotSpec& spec) {
  if (spec.width < 200 || spec.height < 150 || spec.width > 8192 || spec.height > 8192) {
    throw InputError("plot \"" + spec.title + "\": size " + std::to_string(spec.width) + "x" +
                     std::to_string(spec.height) + " is outside 200x150 .. 8192x8192");
  }
  RgbImage image{spec.width, spec.height,
                 std::vector<uint8_t>(std::size_t{spec.width} * spec.height * 3, 255)};
  Canvas canvas(image);
  const int w = static_cast<int>(spec.width), h = static_cast<int>(spec.height);
  const PlotLayout layout = make_layout(spec, w, h);
  draw_axes(canvas, layout);
  draw_titles(canvas, spec, layout, w, h);
  draw_series(canvas, spec, layout);
  draw_legend(canvas, spec, layout, w);
  return image;
}

}  // namespace vkae::nn
