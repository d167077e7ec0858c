// Running the application commands (encode, anomaly, reduce, upscale) and printing their results: tables for
// people, one JSON line with --json, and the output files (.npy, .csv) written atomically. The work itself is
// nn/train/applications.hpp's; parsing is app/cli_analysis.cpp's.
#pragma once
#include <span>
#include <string>
#include <vector>

#include "app/commands.hpp"
#include "nn/analysis/roc.hpp"

namespace vkae::app {

int run_encode(const EncodeCommand& command, const Console& console);
int run_anomaly(const AnomalyCommand& command, const Console& console);
int run_reduce(const ReduceCommand& command, const Console& console);
int run_upscale(const UpscaleCommand& command, const Console& console);

// Per class (0..9 and any other label present): images, mean and median error.
struct ClassErrors {
  uint32_t label = 0, images = 0;
  double mean = 0, median = 0;
};
std::vector<ClassErrors> errors_by_class(std::span<const float> errors, std::span<const uint8_t> labels);

}  // namespace vkae::app
