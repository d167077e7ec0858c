// Running the application commands (encode, anomaly, reduce, upscale) and printing their results: tables for
// people, one JSON line with --json, and the output files (.npy, .csv) written atomically. The work itself is
// nn/infer/split_passes.hpp's; parsing is app/analysis_commands.cpp's.
#pragma once
#include "app/analysis_commands.hpp"
#include "app/console.hpp"

namespace vkae::app {

int run_encode(const EncodeCommand& command, const Console& console);
int run_anomaly(const AnomalyCommand& command, const Console& console);
int run_reduce(const ReduceCommand& command, const Console& console);
int run_upscale(const UpscaleCommand& command, const Console& console);

}  // namespace vkae::app
