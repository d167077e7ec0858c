// The commands that use one trained model or spec as it is: eval, denoise, view, summary. Their command
// structs, their entries for the command table, and eval's two output formats. The work is the library's
// (nn::evaluate, nn::denoise_png, viewer::view_checkpoint, nn::model_summary).
#pragma once
#include <filesystem>
#include <optional>
#include <string>

#include "app/command_entry.hpp"
#include "nn/infer/evaluate.hpp"
#include "nn/train/defaults.hpp"
#include "viewer/viewer.hpp"

namespace vkae::app {

// `vkae eval --checkpoint F [flags]`: test BCE of a checkpoint; one JSON line with --json.
struct EvalCommand {
  nn::EvalConfig config;
  bool json = false;
};

// `vkae denoise --checkpoint F in.png out.png`.
struct DenoiseCommand {
  std::filesystem::path checkpoint, in_png, out_png;
  std::string device;
  uint32_t tile = 0;  // --tile N (0: from the device's limits)
};

// `vkae view --checkpoint F [flags]`: the viewer on a trained model, without training.
struct ViewCommand {
  viewer::ViewConfig config;
  std::optional<std::filesystem::path> screenshot;
  uint32_t frames = 30;
};

// `vkae summary [--model] NAME|FILE.json`: layers, output shapes and parameter counts (Keras' summary()).
struct SummaryCommand {
  std::string model = "dae";
};

CommandEntry eval_entry();
CommandEntry denoise_entry();
CommandEntry view_entry();
CommandEntry summary_entry();

// "test BCE 0.1023 on 10000 images (noise 0.5, seed 0) in 3.2 s".
std::string format_eval_text(const nn::EvalConfig& config, const nn::EvalResult& result);
// One line: {"bce":0.1023,"images":10000,"noise":0.5,"seed":0,"model":"dae","dataset":"mnist",...}.
std::string format_eval_json(const nn::EvalConfig& config, const nn::EvalResult& result);

}  // namespace vkae::app
