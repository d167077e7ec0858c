// The measurements behind `vkae bench`: a model's real training step (images/s, median ms/step after a
// warm-up), its evaluation pass (inference images/s), and a per-op table from a separately recorded step
// with a timestamp after every command. Runs on synthetic images (seeded random uint8), so it needs no
// dataset; the work per step is the same as on MNIST. Printing is the app's job.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "nn/train/defaults.hpp"

namespace vkae::rt {
class Context;
}

namespace vkae::nn {

struct BenchConfig {
  std::string model = "dae";  // built-in name or .json spec
  uint32_t batch = kDefaultBatch;
  uint32_t warmup = 2;           // untimed steps first (the first one JIT-compiles every pipeline)
  uint32_t steps = 10;           // timed steps; the median is reported
  uint32_t infer_images = 1024;  // images through the evaluation pass (rounded down to whole batches)
  uint32_t profiled_steps = 1;   // profiled replays; each op's time is the median over them
  std::string device;            // --device N|NAME ("" = best)
  uint64_t seed = 0;
};

// Checks ranges; InputError naming the flag.
void validate_bench_config(const BenchConfig& config);

struct OpTiming {
  std::string label;   // where it was recorded: "training step / encoder[0] (conv2d)"
  std::string shader;  // "conv2d_forward", "fill", ...
  double ms = 0;       // median over the profiled replays
  double share = 0;    // of the profiled step's total, in percent
  double gflop = 0;    // arithmetic work (0 for data movement)
  double mbytes = 0;   // bytes of the bound ranges read + written, in MB (an upper bound for traffic)
  double gflops = 0;   // gflop / s, when gflop > 0
  double gbs = 0;      // GB/s, for ops without arithmetic work counted
};

struct BenchResult {
  std::string model, device;
  bool cpu_device = false;
  uint32_t batch = 0, warmup = 0, steps = 0;
  double train_ms_per_step = 0;  // median wall time of one submitted step (submit -> fence)
  double train_ms_min = 0, train_ms_max = 0;
  double train_images_per_s = 0;    // batch / median
  double train_gflop_per_step = 0;  // sum of the counted ops
  uint64_t infer_images = 0;
  double infer_seconds = 0;
  double infer_images_per_s = 0;
  double profiled_ms = 0;     // sum of the op times of the profiled step
  uint32_t dispatches = 0;    // per training step
  std::vector<OpTiming> ops;  // in recording order
};

// On a context of its own (the config's device), or on `ctx` (tests pass their validated one).
BenchResult run_bench(const BenchConfig& config);
BenchResult run_bench(rt::Context& ctx, const BenchConfig& config);

}  // namespace vkae::nn
