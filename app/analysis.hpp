// Running the application commands (encode, anomaly, reduce, upscale) and printing their results: tables for
// people, one JSON line with --json, and the output files (.npy, .csv) written atomically. The work itself is
// nn/infer/split_passes.hpp's; parsing is app/cli_analysis.cpp's.
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

}  // namespace vkae::app
