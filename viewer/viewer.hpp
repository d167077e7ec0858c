// The two ways to open the viewer: training with a live window (`vkae train --viewer`: the window on the main
// thread, nn::train on a second thread, a LiveFeed between them; the window has its own logical device on the
// physical device that trains, so frames never queue behind training submits), and a
// trained checkpoint without training (`vkae view`). Both can render N frames and save a screenshot.
#pragma once
#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "nn/train/defaults.hpp"
#include "nn/train/trainer.hpp"
#include "viewer/panels.hpp"
#include "viewer/window.hpp"

namespace vkae::viewer {

struct ViewerOptions {
  // Render `frames` frames with a preview (fewer when training ends first), save the window, stop, quit.
  std::optional<std::filesystem::path> screenshot;
  uint32_t frames = 30;
  std::function<bool()> should_quit;  // polled each frame (Ctrl-C); training is stopped through its callbacks
  int width = 1280, height = 760;
};

struct ViewerReport {
  FrameStats frames;
  std::array<Rect, 3> panels{};            // noisy, reconstruction, clean: where the last frame drew them
  std::vector<NamedRect> analysis_panels;  // latent, manifold, errors: those the run has
  uint32_t width = 0, height = 0;
  std::string screenshot;       // the PNG written, if any
  bool closed = false;          // the user closed the window
  bool stop_requested = false;  // closed, stop button or screenshot: training was asked to stop
};

nn::TrainResult train_with_viewer(const nn::TrainConfig& config, const nn::TrainCallbacks& callbacks,
                                  const ViewerOptions& options, ViewerReport& report);

struct ViewConfig {
  std::filesystem::path checkpoint;
  std::string dataset;  // "" = the checkpoint's
  std::optional<std::filesystem::path> data_dir;
  std::string device;
  float noise = nn::kDefaultNoise;
  uint64_t seed = 0;
};

ViewerReport view_checkpoint(const ViewConfig& config, const ViewerOptions& options);

}  // namespace vkae::viewer
