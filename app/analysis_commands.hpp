// The application commands on a trained checkpoint: encode, anomaly, reduce, upscale. Their command structs
// and entries for the command table; parsed in app/analysis_commands.cpp, run (tables, JSON lines, output
// files) in app/analysis_reports.cpp.
#pragma once
#include <filesystem>
#include <optional>
#include <string>

#include "app/command_entry.hpp"
#include "nn/infer/pca_comparison.hpp"

namespace vkae::app {

// `vkae encode --checkpoint F --out FILE.npy|FILE.csv`: the latent code of every image of a split.
struct EncodeCommand {
  nn::SplitConfig config;
  std::filesystem::path out;
};

// `vkae anomaly --checkpoint F`: per-image reconstruction errors, their summary per class, and the ROC AUC of
// finding the held-out class by its error.
struct AnomalyCommand {
  nn::SplitConfig config;
  std::optional<std::string> holdout_name;  // --holdout-class NAME|K; default: the checkpoint's
  std::optional<std::filesystem::path> out;
  bool json = false;
};

// `vkae reduce --checkpoint F`: the model's test reconstruction error next to PCA's at the same code size.
struct ReduceCommand {
  nn::SplitConfig config;
  std::optional<uint32_t> components, fit_limit;
  bool json = false;
};

// `vkae upscale --checkpoint F in.png out.png`: a super-resolution model on a user's image.
struct UpscaleCommand {
  std::filesystem::path checkpoint, in_png, out_png;
  std::string device;
  uint32_t tile = 0;  // --tile N (0: from the device's limits)
};

CommandEntry encode_entry();
CommandEntry anomaly_entry();
CommandEntry reduce_entry();
CommandEntry upscale_entry();

}  // namespace vkae::app
