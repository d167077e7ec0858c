// The viewer's Dear ImGui panels: the three image panels (noisy input | reconstruction | clean target) drawn
// as real pixels through the draw list (Debian's ImGui 1.86 Vulkan backend cannot bind user textures), the
// loss plot with labelled axes, the status lines and the controls. Pure drawing: no Vulkan, no threads.
#pragma once
#include <array>
#include <string>
#include <vector>

#include "nn/train/defaults.hpp"
#include "nn/train/live.hpp"
#include "viewer/window.hpp"

struct ImDrawList;

namespace vkae::viewer {

struct Rect {
  float x = 0, y = 0, w = 0, h = 0;
};

struct NamedRect {
  std::string name;
  Rect rect;
};

struct PanelInput {
  const nn::LivePreview* preview = nullptr;    // null until the first one arrives
  const nn::LiveAnalysis* analysis = nullptr;  // the latent / anomaly panels' data, null until it arrives
  const std::vector<nn::LiveLoss>* losses = nullptr;
  const std::vector<nn::LiveEpoch>* epochs = nullptr;
  nn::LiveStatus status;
  bool training = true;           // training controls (pause, save, stop) or a checkpoint's (browse only)
  std::vector<std::string> info;  // extra status lines (the checkpoint, ...)
  FrameStats frames;
};

// What the user can change; the panels edit it, the caller forwards changes.
struct Controls {
  bool paused = false;
  float noise = nn::kDefaultNoise;
  uint32_t sample_set = 0;
  bool save = false;  // one-shot requests: the caller clears them
  bool stop = false;
};

// Draws every panel for this frame. `rects` receives the three image panels' rectangles in framebuffer
// pixels (noisy, reconstruction, clean), for the screenshot test; `analysis_rects` the analysis panels'.
void draw_panels(const PanelInput& input, Controls& controls, std::array<Rect, 3>& rects,
                 std::vector<NamedRect>& analysis_rects);

// One image [channels (1 grey or 3 RGB), rows, cols] in [0, 1] at (x, y), each pixel scale x scale, through
// the draw list.
void draw_image(ImDrawList* dl, float x, float y, const float* pixels, uint32_t channels, uint32_t rows,
                uint32_t cols, float scale);

// "1.2 min", "3 h 05 min", "--" for unknown.
std::string format_duration(double seconds);

// The loss plot's ranges: steps from the first loss to the last (or the last validation); losses over the
// smoothed curve, the raw one's dips and its spikes up to twice the smoothed top (early spikes would flatten
// the rest), and the validation losses, padded 5%.
struct LossRange {
  double x0 = 0, x1 = 1;
  float lo = 0, hi = 1;
};
// nn::smoothed_losses of the losses, as loss.png draws them.
std::vector<float> smoothed_losses(const std::vector<nn::LiveLoss>& losses);
LossRange loss_range(const std::vector<nn::LiveLoss>& losses, const std::vector<float>& smooth,
                     const std::vector<nn::LiveEpoch>* epochs);

}  // namespace vkae::viewer
