// Analysis panel drawing: panels side by side in the window's remaining region, each a caption over a square
// (scatter, manifold) or wide (histogram) plot area; points and bars are filled rectangles in the draw list.
#include "viewer/analysis_panels.hpp"

#include <imgui.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <tuple>

#include "nn/io/plot.hpp"

namespace vkae::viewer {
namespace {

constexpr float kGap = 10.0f;
const ImU32 kAxis = IM_COL32(180, 180, 180, 255);

ImU32 label_col(uint32_t label, int alpha = 255) {
  const nn::Rgb c = nn::label_color(label);
  return IM_COL32(c.r, c.g, c.b, alpha);
}

std::string number(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// Min and max of the finite values, widened by 5% (and to a unit span when flat).
std::pair<double, double> padded_range(const std::vector<double>& v) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (double x : v)
    if (std::isfinite(x)) lo = std::min(lo, x), hi = std::max(hi, x);
  if (!(lo <= hi)) return {-1, 1};
  if (hi - lo < 1e-6) return {lo - 0.5, hi + 0.5};
  const double pad = (hi - lo) * 0.05;
  return {lo - pad, hi + pad};
}

// A frame with ticks and numbers on the left and bottom edges, axis titles; returns the maps to pixels.
struct Axes {
  ImVec2 a, b;  // top-left, bottom-right of the plot area
  double x0, x1, y0, y1;
  float px(double x) const { return float(a.x + (x - x0) / (x1 - x0) * (b.x - a.x)); }
  float py(double y) const { return float(b.y - (y - y0) / (y1 - y0) * (b.y - a.y)); }
};

// The y title sits above the axis, right-aligned to it but never left of `left` (the panel's edge).
// At least three ticks where a 1/2/5 step allows: a span just under 10 would otherwise get only one.
std::vector<double> ticks(double lo, double hi) {
  auto t = nn::nice_ticks(lo, hi, 4);
  return t.size() >= 3 ? t : nn::nice_ticks(lo, hi, 8);
}

std::string tick_text(double t) {
  return number("%g", std::fabs(t) < 1e-12 ? 0.0 : t);
}  // never "-0"

void draw_axes(ImDrawList* dl, const Axes& ax, const char* x_label, const char* y_label, float left) {
  dl->AddRect(ax.a, ax.b, kAxis);
  for (double t : ticks(ax.x0, ax.x1)) {
    dl->AddLine(ImVec2(ax.px(t), ax.b.y), ImVec2(ax.px(t), ax.b.y + 3), kAxis);
    const std::string s = tick_text(t);
    dl->AddText(ImVec2(ax.px(t) - ImGui::CalcTextSize(s.c_str()).x / 2, ax.b.y + 3), kAxis, s.c_str());
  }
  for (double t : ticks(ax.y0, ax.y1)) {
    dl->AddLine(ImVec2(ax.a.x - 3, ax.py(t)), ImVec2(ax.a.x, ax.py(t)), kAxis);
    const std::string s = tick_text(t);
    dl->AddText(ImVec2(ax.a.x - 5 - ImGui::CalcTextSize(s.c_str()).x, ax.py(t) - 7), kAxis, s.c_str());
  }
  const float line = ImGui::GetTextLineHeight();
  dl->AddText(ImVec2((ax.a.x + ax.b.x - ImGui::CalcTextSize(x_label).x) / 2, ax.b.y + 3 + line), kAxis,
              x_label);
  dl->AddText(ImVec2(std::max(left, ax.a.x - 5 - ImGui::CalcTextSize(y_label).x), ax.a.y - line - 2), kAxis,
              y_label);
}

// The test images' mu (first two coordinates), 3x3 px per image, with a 0-9 legend on the right.
void draw_latent(ImDrawList* dl, const nn::LiveAnalysis& an, ImVec2 top, float w, float h, Rect& out) {
  const float legend_w = 26, left = 34, bottom = 2 * ImGui::GetTextLineHeight() + 6,
              head = ImGui::GetTextLineHeight() + 4;
  const float side = std::max(40.0f, std::min(w - legend_w - left, h - bottom - head));
  Axes ax{ImVec2(top.x + left, top.y + head), ImVec2(top.x + left + side, top.y + head + side), 0, 1, 0, 1};
  const uint32_t z = an.latent;
  std::vector<double> xs(an.images), ys(an.images, 0.0);
  for (uint32_t i = 0; i < an.images; ++i) {
    xs[i] = an.codes[size_t{i} * z];
    if (z > 1) ys[i] = an.codes[size_t{i} * z + 1];
  }
  std::tie(ax.x0, ax.x1) = padded_range(xs);
  std::tie(ax.y0, ax.y1) = padded_range(ys);
  draw_axes(dl, ax, "z0", z > 1 ? "z1" : "(z1: none)", top.x);
  dl->PushClipRect(ax.a, ax.b, true);
  for (uint32_t i = 0; i < an.images; ++i) {
    if (!std::isfinite(xs[i]) || !std::isfinite(ys[i])) continue;
    const float x = ax.px(xs[i]), y = ax.py(ys[i]);
    dl->AddRectFilled(ImVec2(x - 1, y - 1), ImVec2(x + 2, y + 2), label_col(an.labels[i]));
  }
  dl->PopClipRect();
  const float line = ImGui::GetTextLineHeight();
  for (uint32_t k = 0; k < an.class_names.size(); ++k) {
    const ImVec2 at(ax.b.x + 8, ax.a.y + k * (line + 2));
    dl->AddRectFilled(ImVec2(at.x, at.y + 3), ImVec2(at.x + 7, at.y + 10), label_col(k));
    dl->AddText(ImVec2(at.x + 10, at.y), kAxis, an.class_names[k].c_str());
  }
  out = {ax.a.x, ax.a.y, side, side};
}

// The decoded grid: row 0 at the top (largest z1), column 0 at the left (smallest z0).
void draw_manifold(ImDrawList* dl, const nn::LiveAnalysis& an, ImVec2 top, float w, float h, Rect& out) {
  const float head = ImGui::GetTextLineHeight() + 4, bottom = 2 * ImGui::GetTextLineHeight() + 6;
  const float side = std::max(20.0f, std::min(w - 20, h - head - bottom));
  const float scale = side / float(an.grid * std::max(an.rows, an.cols));
  const ImVec2 a(top.x + 14, top.y + head);
  for (uint32_t i = 0; i < an.grid; ++i)
    for (uint32_t j = 0; j < an.grid; ++j)
      draw_image(dl, a.x + j * an.cols * scale, a.y + i * an.rows * scale,
                 an.manifold.data() + (size_t{i} * an.grid + j) * an.channels * an.rows * an.cols,
                 an.channels, an.rows, an.cols, scale);
  const float line = ImGui::GetTextLineHeight();
  dl->AddText(ImVec2(a.x, a.y + an.grid * an.rows * scale + 3), kAxis, "z0 ->");
  dl->AddText(ImVec2(a.x - 14, a.y - line - 2), kAxis, an.latent > 2 ? "z1 ^  (z2.. = 0)" : "z1 ^");
  out = {a.x, a.y, an.grid * an.cols * scale, an.grid * an.rows * scale};
}

// The errors' histogram range: the 1st to 99th percentile of the finite errors, widened a little (a few badly
// reconstructed images would squash the rest into one bin). Those outside land in the first or last bin.
std::pair<double, double> error_range(const std::vector<float>& errors) {
  // Only finite errors count (a diverged model's NaNs would break the sort and the binning).
  std::vector<float> sorted;
  for (float e : errors)
    if (std::isfinite(e)) sorted.push_back(e);
  std::sort(sorted.begin(), sorted.end());
  auto percentile = [&](double q) { return double(sorted[size_t(q * double(sorted.size() - 1))]); };
  double lo = sorted.empty() ? 0 : percentile(0.01), hi = sorted.empty() ? 1 : percentile(0.99);
  const double pad = std::max((hi - lo) * 0.05, 1e-3);
  lo = std::max(0.0, lo - pad);
  hi += pad;
  return {lo, hi};
}

// Two histograms over [lo, hi): group 0 the other classes, group 1 the held-out class, each bin the fraction
// of its group's finite errors (the held-out class is a tenth of the images).
struct ErrorHistograms {
  static constexpr int kBins = 30;
  double lo = 0, hi = 1;
  std::array<std::array<double, kBins>, 2> fraction{};
  std::array<uint32_t, 2> n{};
  std::array<double, 2> sum{};
  double peak = 0;  // the highest fraction of either group
};

ErrorHistograms bin_errors(const nn::LiveAnalysis& an) {
  constexpr int kBins = ErrorHistograms::kBins;
  ErrorHistograms h;
  std::tie(h.lo, h.hi) = error_range(an.errors);
  for (uint32_t i = 0; i < an.images; ++i) {
    if (!std::isfinite(an.errors[i])) continue;
    const int g = an.labels[i] == an.holdout_class ? 1 : 0;
    const int bin = std::clamp(int((an.errors[i] - h.lo) / (h.hi - h.lo) * kBins), 0, kBins - 1);
    h.fraction[g][bin] += 1;
    ++h.n[g];
    h.sum[g] += an.errors[i];
  }
  for (int g = 0; g < 2; ++g)
    for (double& c : h.fraction[g]) h.peak = std::max(h.peak, c /= std::max(1u, h.n[g]));
  return h;
}

const ImU32 kErrorColours[2] = {IM_COL32(90, 170, 255, 150), IM_COL32(255, 150, 60, 170)};

// Two lines at the panel's top: each group's colour, count and mean error.
void draw_error_legend(ImDrawList* dl, const ErrorHistograms& h, uint32_t holdout_class, ImVec2 top) {
  const float line = ImGui::GetTextLineHeight();
  const std::string names[2] = {
      "others: " + std::to_string(h.n[0]) + ", mean " + number("%.3f", h.n[0] ? h.sum[0] / h.n[0] : 0),
      "held out " + std::to_string(holdout_class) + ": " + std::to_string(h.n[1]) + ", mean " +
          number("%.3f", h.n[1] ? h.sum[1] / h.n[1] : 0)};
  for (int g = 0; g < 2; ++g) {
    const ImVec2 at(top.x + 4, top.y + g * (line + 2));
    dl->AddRectFilled(ImVec2(at.x, at.y + 3), ImVec2(at.x + 10, at.y + 11),
                      kErrorColours[g] | IM_COL32(0, 0, 0, 255));
    dl->AddText(ImVec2(at.x + 14, at.y), kAxis, names[g].c_str());
  }
}

// Per-image reconstruction errors: the held-out class and the rest as two histograms (bin_errors).
void draw_errors(ImDrawList* dl, const nn::LiveAnalysis& an, ImVec2 top, float w, float h, Rect& out) {
  constexpr int kBins = ErrorHistograms::kBins;
  const float line = ImGui::GetTextLineHeight();
  const float left = 40, head = 3 * line + 8, bottom = 2 * line + 6;  // two legend lines, then the y title
  Axes ax{ImVec2(top.x + left, top.y + head),
          ImVec2(top.x + std::max(left + 40, w - 8), top.y + std::max(head + 40, h - bottom)),
          0,
          1,
          0,
          1};
  const ErrorHistograms hist = bin_errors(an);
  const double lo = hist.lo, hi = hist.hi;
  ax.x0 = lo;
  ax.x1 = hi;
  ax.y1 = std::max(hist.peak * 1.05, 1e-3);
  draw_axes(dl, ax, "reconstruction error", "fraction", top.x);
  for (int g = 0; g < 2; ++g)
    for (int k = 0; k < kBins; ++k)
      if (hist.fraction[g][k] > 0)
        dl->AddRectFilled(ImVec2(ax.px(lo + (hi - lo) * k / kBins) + 1, ax.py(hist.fraction[g][k])),
                          ImVec2(ax.px(lo + (hi - lo) * (k + 1) / kBins), ax.b.y), kErrorColours[g]);
  draw_error_legend(dl, hist, an.holdout_class.value_or(0), top);
  if (an.auc) {
    const std::string s = "ROC AUC " + number("%.3f", *an.auc);
    dl->AddText(ImVec2(ax.b.x - ImGui::CalcTextSize(s.c_str()).x - 4, ax.a.y + 2), kAxis, s.c_str());
  }
  out = {ax.a.x, ax.a.y, ax.b.x - ax.a.x, ax.b.y - ax.a.y};
}

}  // namespace

void draw_analysis(const nn::LiveAnalysis* an, std::vector<NamedRect>& rects) {
  rects.clear();
  if (!an) {
    ImGui::TextUnformatted("waiting for the first pass over the test images ...");
    return;
  }
  const bool latent = an->latent > 0 && !an->codes.empty(), manifold = an->grid > 0 && !an->manifold.empty();
  const bool errors = an->holdout_class && !an->errors.empty();
  ImGui::Text("%u test images at step %llu%s%s", an->images, static_cast<unsigned long long>(an->step),
              manifold ? "; manifold at normal quantiles 0.05..0.95" : "",
              errors ? "; errors: loss per pixel" : "");
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const ImVec2 top = ImGui::GetCursorScreenPos();
  ImGui::Dummy(avail);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  // Square panels first, the histogram takes what is left (at least a third).
  const int squares = int(latent) + int(manifold);
  const float legend = latent ? 30.0f : 0.0f;  // the latent panel's 0-9 legend
  const float square = std::min(avail.y, (avail.x - (errors ? avail.x / 3 : 0) - squares * kGap - legend) /
                                             float(std::max(1, squares)));
  float x = top.x;
  if (latent) {
    Rect r;
    draw_latent(dl, *an, ImVec2(x, top.y), square + legend, avail.y, r);
    rects.push_back({"latent", r});
    x += square + legend + kGap;
  }
  if (manifold) {
    Rect r;
    draw_manifold(dl, *an, ImVec2(x, top.y), square, avail.y, r);
    rects.push_back({"manifold", r});
    x += square + kGap;
  }
  if (errors) {
    Rect r;
    draw_errors(dl, *an, ImVec2(x, top.y), top.x + avail.x - x, avail.y, r);
    rects.push_back({"errors", r});
  }
}

}  // namespace vkae::viewer
