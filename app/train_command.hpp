// `vkae train`: its command struct, its entry for the command table (options, help, runner) and the start
// line it prints. Training itself is nn::train's (viewer::train_with_viewer with --viewer).
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "app/command_entry.hpp"
#include "nn/train/trainer.hpp"

namespace vkae::app {

// `vkae train [mnist|fashion] [flags]`, also spelled `vkae --train ...`.
struct TrainCommand {
  nn::TrainConfig config;
  bool viewer = false;                              // --viewer: a live window (needs a display)
  std::optional<std::filesystem::path> screenshot;  // --screenshot F: save the window after --frames, stop
  uint32_t frames = 30;
};

CommandEntry train_entry();

// "vkae train mnist --out 'my run'": the words joined with spaces, each quoted for a POSIX shell where it
// needs it (TrainConfig::command_line, filled by train's parse).
std::string shell_command_line(std::span<const std::string_view> words);

// The line `vkae train` starts with, from the effective config nn::train hands to on_start: "training dae on
// mnist: 20 epochs, batch 128, lr 0.001, noise 0.5, seed 0", any step/image limit, and for a resumed run
// "; settings from CKPT". The noise only when `denoising` (the model's spec says so).
std::string format_train_start(const nn::TrainConfig& config, bool denoising);

}  // namespace vkae::app
