// Panel drawing. Images are runs of equal colour drawn as filled rectangles (one per run of equal pixels in a
// row, each pixel scaled up, nearest): 1.86's Vulkan backend ignores ImTextureID, so there is no texture
// path.
#include "viewer/panels.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "nn/train/outputs.hpp"
#include "viewer/analysis_panels.hpp"

namespace vkae::viewer {
namespace {

constexpr float kGap = 4.0f;
constexpr int kGridColumns = 2;  // images per row inside one panel
// The first panel is what the model reads: noisy for a denoising model, the 14x14 input (shown at the
// output's size) for super-resolution, else the image itself.
std::string printf_string(const char* format, double a) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, a);
  return buf;
}

uint8_t grey(float v) {
  return static_cast<uint8_t>(std::lround(std::clamp(v, 0.0f, 1.0f) * 255.0f));
}

void draw_samples(const nn::LivePreview* p, Controls& controls, bool training, bool denoising,
                  std::array<Rect, 3>& rects) {
  const auto names = nn::sample_column_names(denoising);
  const uint32_t count = p ? p->count : 8, rows = p ? p->rows : 28, cols = p ? p->cols : 28;
  const uint32_t grid_rows = (count + kGridColumns - 1) / kGridColumns;
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float reserve = 140.0f;  // the caption line and the controls below the panels
  const float panel_w = (avail.x - 2 * 3 * kGap) / 3;
  float scale = std::floor(std::min((panel_w - (kGridColumns - 1) * kGap) / (kGridColumns * cols),
                                    (avail.y - reserve - (grid_rows - 1) * kGap) / (grid_rows * rows)));
  scale = std::clamp(scale, 1.0f, 8.0f);
  const float image_w = cols * scale, image_h = rows * scale;
  const float grid_w = kGridColumns * image_w + (kGridColumns - 1) * kGap;
  const float grid_h = grid_rows * image_h + (grid_rows - 1) * kGap;

  const ImVec2 top = ImGui::GetCursorScreenPos();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  for (int k = 0; k < 3; ++k) {
    const float x = top.x + k * (grid_w + 3 * kGap);
    dl->AddText(ImVec2(x, top.y), IM_COL32(220, 220, 220, 255), names[size_t(k)]);
    const ImVec2 origin(x, top.y + ImGui::GetTextLineHeightWithSpacing());
    rects[k] = {origin.x, origin.y, grid_w, grid_h};
    if (!p) {
      dl->AddRect(origin, ImVec2(origin.x + grid_w, origin.y + grid_h), IM_COL32(90, 90, 90, 255));
      continue;
    }
    const std::vector<float>& images = k == 0 ? p->noisy : k == 1 ? p->output : p->clean;
    for (uint32_t i = 0; i < count; ++i) {
      const ImVec2 at(origin.x + (i % kGridColumns) * (image_w + kGap),
                      origin.y + (i / kGridColumns) * (image_h + kGap));
      draw_image(dl, at.x, at.y, images.data() + size_t{i} * p->channels * rows * cols, p->channels, rows,
                 cols, scale);
    }
  }
  ImGui::Dummy(ImVec2(3 * grid_w + 6 * kGap, ImGui::GetTextLineHeightWithSpacing() + grid_h + kGap));
  if (p && denoising)
    ImGui::Text("test images %u to %u, noise %.2f", p->sample_set * count, (p->sample_set + 1) * count - 1,
                double(p->noise));
  else if (p)
    ImGui::Text("test images %u to %u", p->sample_set * count, (p->sample_set + 1) * count - 1);
  else
    ImGui::TextUnformatted(training ? "waiting for the first preview ..." : "loading ...");

  if (ImGui::Button("< previous samples") && controls.sample_set > 0) --controls.sample_set;
  ImGui::SameLine();
  if (ImGui::Button("show other samples >")) ++controls.sample_set;
  if (!denoising) return;  // the noise factor means nothing to a model that reads clean images
  ImGui::SetNextItemWidth(220);
  ImGui::SliderFloat("noise factor", &controls.noise, 0.0f, 1.0f, "%.2f");
  if (training) ImGui::TextDisabled("the noise factor applies to the next steps and the preview");
}

const ImU32 kPlotAxis = IM_COL32(180, 180, 180, 255), kRawLoss = IM_COL32(70, 110, 170, 255),
            kSmoothLoss = IM_COL32(90, 170, 255, 255), kValLoss = IM_COL32(255, 150, 60, 255);

// The loss plot's area (a top-left, b bottom-right), its step and loss ranges, and the maps to pixels.
struct LossAxes {
  ImVec2 a, b;
  double x0 = 0, x1 = 1;
  float lo = 0, hi = 1;
  float px(double x) const { return float(a.x + (x - x0) / (x1 - x0) * (b.x - a.x)); }
  float py(double y) const { return float(b.y - (y - lo) / (hi - lo) * (b.y - a.y)); }
};

LossAxes loss_axes(ImVec2 a, ImVec2 b, const LossRange& range) {
  LossAxes ax{a, b};
  ax.x0 = range.x0;
  ax.x1 = range.x1;
  ax.lo = range.lo;
  ax.hi = range.hi;
  return ax;
}

void draw_loss_ticks(ImDrawList* dl, const LossAxes& ax) {
  for (int t = 0; t <= 4; ++t) {
    const double xv = ax.x0 + (ax.x1 - ax.x0) * t / 4, yv = ax.lo + (ax.hi - ax.lo) * t / 4;
    dl->AddLine(ImVec2(ax.px(xv), ax.b.y), ImVec2(ax.px(xv), ax.b.y + 4), kPlotAxis);
    const std::string xs = printf_string("%.0f", xv);
    dl->AddText(ImVec2(ax.px(xv) - ImGui::CalcTextSize(xs.c_str()).x / 2, ax.b.y + 4), kPlotAxis, xs.c_str());
    dl->AddLine(ImVec2(ax.a.x - 4, ax.py(yv)), ImVec2(ax.a.x, ax.py(yv)), kPlotAxis);
    const std::string ys = printf_string("%.3f", yv);
    dl->AddText(ImVec2(ax.a.x - 6 - ImGui::CalcTextSize(ys.c_str()).x, ax.py(yv) - 7), kPlotAxis, ys.c_str());
  }
}

void draw_loss_curves(ImDrawList* dl, const LossAxes& ax, const std::vector<nn::LiveLoss>& losses,
                      const std::vector<float>& smooth, const std::vector<nn::LiveEpoch>* epochs) {
  dl->PushClipRect(ax.a, ax.b, true);
  // At most ~one point per pixel column: long runs are drawn from every k-th step.
  const size_t stride = std::max<size_t>(1, losses.size() / size_t(std::max(1.0f, ax.b.x - ax.a.x)));
  std::vector<ImVec2> raw, sm;
  for (size_t i = 0; i < losses.size(); i += stride) {
    raw.emplace_back(ax.px(double(losses[i].step)), ax.py(losses[i].loss));
    sm.emplace_back(ax.px(double(losses[i].step)), ax.py(smooth[i]));
  }
  dl->AddPolyline(raw.data(), int(raw.size()), kRawLoss, 0, 1.0f);
  dl->AddPolyline(sm.data(), int(sm.size()), kSmoothLoss, 0, 2.0f);
  std::vector<ImVec2> val;
  if (epochs)
    for (const auto& e : *epochs)
      if (e.val_loss) val.emplace_back(ax.px(double(e.step)), ax.py(*e.val_loss));
  if (val.size() > 1) dl->AddPolyline(val.data(), int(val.size()), kValLoss, 0, 2.0f);
  for (const ImVec2& v : val) dl->AddCircleFilled(v, 4.0f, kValLoss);
  dl->PopClipRect();
}

// The legend on the title's line, right of the title.
void draw_loss_legend(ImDrawList* dl, ImVec2 top, float plot_left, const std::string& title, bool val) {
  const float ly = top.y + 3;
  float lx = std::max(plot_left + 60, top.x + ImGui::CalcTextSize(title.c_str()).x + 24);
  std::vector<std::pair<const char*, ImU32>> names{{"train (per step)", kRawLoss},
                                                   {"train (smoothed)", kSmoothLoss}};
  if (val) names.emplace_back("val (per epoch)", kValLoss);  // only what is drawn
  for (const auto& [name, col] : names) {
    dl->AddRectFilled(ImVec2(lx, ly + 5), ImVec2(lx + 14, ly + 9), col);
    dl->AddText(ImVec2(lx + 18, ly), kPlotAxis, name);
    lx += 18 + ImGui::CalcTextSize(name).x + 16;
  }
}

// Loss plot: train loss per step (raw, faint; smoothed EMA 0.9 like loss.png) and validation per epoch.
void draw_loss_plot(const std::vector<nn::LiveLoss>* losses, const std::vector<nn::LiveEpoch>* epochs,
                    const std::string& loss_label) {
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const ImVec2 top = ImGui::GetCursorScreenPos();
  ImGui::Dummy(avail);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float left = 56, bottom = 36, right = 12, head = 22;
  const ImVec2 a(top.x + left, top.y + head), b(top.x + avail.x - right, top.y + avail.y - bottom);
  if (b.x - a.x < 40 || b.y - a.y < 40) return;
  dl->AddRect(a, b, kPlotAxis);
  const std::string title = "loss (" + loss_label + ")";
  dl->AddText(ImVec2(top.x, top.y), kPlotAxis, title.c_str());
  const char* xlabel = "step";
  dl->AddText(ImVec2((a.x + b.x) / 2 - ImGui::CalcTextSize(xlabel).x / 2, b.y + 18), kPlotAxis, xlabel);
  if (!losses || losses->empty()) {
    dl->AddText(ImVec2(a.x + 10, a.y + 10), kPlotAxis, "no losses yet");
    return;
  }
  const std::vector<float> smooth = smoothed_losses(*losses);
  const LossAxes ax = loss_axes(a, b, loss_range(*losses, smooth, epochs));
  draw_loss_ticks(dl, ax);
  draw_loss_curves(dl, ax, *losses, smooth, epochs);
  const bool val = epochs && std::any_of(epochs->begin(), epochs->end(),
                                         [](const nn::LiveEpoch& e) { return e.val_loss.has_value(); });
  draw_loss_legend(dl, top, a.x, title, val);
}

void draw_status(const PanelInput& in, Controls& controls) {
  const nn::LiveStatus& s = in.status;
  const nn::TrainProgress& p = s.progress;
  ImGui::Text("device: %s", s.device.empty() ? "..." : s.device.c_str());
  if (!s.model.empty()) ImGui::Text("model: %s on %s", s.model.c_str(), s.dataset.c_str());
  for (const auto& line : in.info) ImGui::TextUnformatted(line.c_str());
  if (in.training) {
    ImGui::Text("epoch %u / %u    step %llu (%llu / %llu in this epoch)", p.epoch, p.epochs,
                static_cast<unsigned long long>(p.step), static_cast<unsigned long long>(p.epoch_step),
                static_cast<unsigned long long>(p.epoch_steps));
    ImGui::Text("%.0f images/s    ETA %s    learning rate %g    loss %.4f", p.images_per_s,
                s.finished ? "done" : format_duration(s.started ? p.eta_s : -1).c_str(), double(s.lr),
                double(p.loss));
    ImGui::Text("state: %s", s.finished        ? "finished"
                             : s.paused        ? "paused"
                             : controls.paused ? "pausing (finishing the steps on the device) ..."
                             : s.started       ? "training"
                                               : "starting");
    if (ImGui::Button(controls.paused ? "resume" : "pause")) controls.paused = !controls.paused;
    ImGui::SameLine();
    if (ImGui::Button("save checkpoint now")) controls.save = true;
    ImGui::SameLine();
    if (ImGui::Button("stop")) controls.stop = true;
  }
  if (!s.message.empty()) ImGui::TextWrapped("%s", s.message.c_str());
  ImGui::TextDisabled("frames: median %.1f ms, max %.1f ms", in.frames.median_ms, in.frames.max_ms);
}

}  // namespace

std::vector<float> smoothed_losses(const std::vector<nn::LiveLoss>& losses) {
  std::vector<float> values;
  for (const nn::LiveLoss& l : losses) values.push_back(l.loss);
  return nn::smoothed_losses(values);
}

LossRange loss_range(const std::vector<nn::LiveLoss>& losses, const std::vector<float>& smooth,
                     const std::vector<nn::LiveEpoch>* epochs) {
  LossRange r;
  r.x0 = double(losses.front().step);
  r.x1 = double(losses.back().step);
  r.lo = *std::min_element(smooth.begin(), smooth.end());
  r.hi = *std::max_element(smooth.begin(), smooth.end());
  const float cap = 2 * r.hi;
  for (const auto& l : losses) {  // the raw curve's dips are in range; its spikes only up to the cap
    r.lo = std::min(r.lo, l.loss);
    r.hi = std::max(r.hi, std::min(l.loss, cap));
  }
  if (epochs)
    for (const auto& e : *epochs)
      if (e.val_loss) {
        r.lo = std::min(r.lo, float(*e.val_loss));
        r.hi = std::max(r.hi, float(*e.val_loss));
        r.x1 = std::max(r.x1, double(e.step));
      }
  if (r.x1 <= r.x0) r.x1 = r.x0 + 1;
  if (r.hi <= r.lo) r.hi = r.lo + 1e-3f;
  const float pad = (r.hi - r.lo) * 0.05f;
  r.lo -= pad;
  r.hi += pad;
  return r;
}

// Horizontal runs of the same colour are one rectangle.
void draw_image(ImDrawList* dl, float x, float y, const float* pixels, uint32_t channels, uint32_t rows,
                uint32_t cols, float scale) {
  const size_t plane = size_t{rows} * cols;
  const auto colour = [&](uint32_t r, uint32_t c) {
    const size_t at = size_t{r} * cols + c;
    const uint8_t red = grey(pixels[at]);
    if (channels == 1) return IM_COL32(red, red, red, 255);
    return IM_COL32(red, grey(pixels[plane + at]), grey(pixels[2 * plane + at]), 255);
  };
  for (uint32_t r = 0; r < rows; ++r) {
    uint32_t c = 0;
    while (c < cols) {
      const ImU32 value = colour(r, c);
      uint32_t end = c + 1;
      while (end < cols && colour(r, end) == value) ++end;
      const ImVec2 a(x + c * scale, y + r * scale);
      dl->AddRectFilled(a, ImVec2(x + end * scale, a.y + scale), value);
      c = end;
    }
  }
}

std::string format_duration(double seconds) {
  if (!(seconds >= 0) || !std::isfinite(seconds)) return "--";
  if (seconds < 60) return printf_string("%.0f s", seconds);
  if (seconds < 3600) return printf_string("%.1f min", seconds / 60);
  const int h = int(seconds / 3600), m = int(std::fmod(seconds, 3600) / 60);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%d h %02d min", h, m);
  return buf;
}

void draw_panels(const PanelInput& in, Controls& controls, std::array<Rect, 3>& rects,
                 std::vector<NamedRect>& analysis_rects) {
  const ImVec2 size = ImGui::GetIO().DisplaySize;
  const ImGuiWindowFlags fixed = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                                 ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings;
  const float left_w = std::max(320.0f, std::floor(size.x * 0.46f));
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(ImVec2(left_w, size.y));
  ImGui::Begin(in.status.denoising ? "samples: noisy input | reconstruction | clean target###samples"
                                   : "samples: input | reconstruction | target###samples",
               nullptr, fixed);
  draw_samples(in.preview, controls, in.training, in.status.denoising, rects);
  ImGui::End();

  const float status_h = std::min(210.0f, size.y * 0.4f);
  ImGui::SetNextWindowPos(ImVec2(left_w, 0));
  ImGui::SetNextWindowSize(ImVec2(size.x - left_w, status_h));
  ImGui::Begin(in.training ? "training" : "checkpoint", nullptr, fixed);
  draw_status(in, controls);
  ImGui::End();

  // With analysis panels the loss plot keeps the upper part of the right column, the panels the rest.
  const float rest_h = size.y - status_h;
  const float loss_h = in.status.analysis_expected ? std::floor(rest_h * 0.4f) : rest_h;
  ImGui::SetNextWindowPos(ImVec2(left_w, status_h));
  ImGui::SetNextWindowSize(ImVec2(size.x - left_w, loss_h));
  ImGui::Begin("loss", nullptr, fixed);
  draw_loss_plot(in.losses, in.epochs, in.status.loss_label);
  ImGui::End();
  if (!in.status.analysis_expected) return;
  ImGui::SetNextWindowPos(ImVec2(left_w, status_h + loss_h));
  ImGui::SetNextWindowSize(ImVec2(size.x - left_w, rest_h - loss_h));
  ImGui::Begin("analysis", nullptr, fixed);
  draw_analysis(in.analysis, analysis_rects);
  ImGui::End();
}

}  // namespace vkae::viewer
