// `vkae bench [--model M] [--batch N] [--warmup N] [--steps N] [--infer-images N] [--profiled-steps N]
// [--seed N] [--device D] [--json]`: the option table; nn::validate_bench_config has the last word.
#include "app/cli_bench.hpp"

namespace vkae::app::cli {

Spec<BenchState> bench_spec() {
  using S = BenchState;
  const nn::BenchConfig d;
  Spec<S> spec{
      "bench",
      "vkae bench [options]",
      "Measures training images/s and ms/step (median of timed steps after a warm-up), inference images/s\n"
      "(the `vkae eval` pass), and a per-op table from timestamp queries: each shader's share of the step\n"
      "and its achieved GFLOP/s (convolutions, dense) or GB/s (everything else). Uses synthetic images.",
      {},
      [](S&, std::string_view arg) {
        throw InputError("unexpected argument " + str(arg) + " for bench: it takes only options");
      },
      ""};
  spec.options = {
      text_option<S>("--model", "NAME|FILE.json", "a model name or a .json spec",
                     "built-in model name or .json spec (default " + d.model + ")",
                     [](S& s, std::string_view v) { s.command.config.model = str(v); }),
      integer_option<S, uint32_t>("--batch", 1, "images per step (default " + std::to_string(d.batch) + ")",
                                  [](S& s, uint32_t v) { s.command.config.batch = v; }),
      integer_option<S, uint32_t>("--warmup", 0,
                                  "untimed steps first; the first compiles the pipelines (default " +
                                      std::to_string(d.warmup) + ")",
                                  [](S& s, uint32_t v) { s.command.config.warmup = v; }),
      integer_option<S, uint32_t>("--steps", 1,
                                  "timed training steps; the median is reported (default " +
                                      std::to_string(d.steps) + ")",
                                  [](S& s, uint32_t v) { s.command.config.steps = v; }),
      integer_option<S, uint32_t>("--infer-images", 1,
                                  "images through the timed evaluation pass (default " +
                                      std::to_string(d.infer_images) + ")",
                                  [](S& s, uint32_t v) { s.command.config.infer_images = v; }),
      integer_option<S, uint32_t>("--profiled-steps", 1,
                                  "steps replayed with per-op timestamps (default " +
                                      std::to_string(d.profiled_steps) + ")",
                                  [](S& s, uint32_t v) { s.command.config.profiled_steps = v; }),
      integer_option<S, uint64_t>("--seed", 0,
                                  "seed of the weights and the synthetic images (default " +
                                      std::to_string(d.seed) + ")",
                                  [](S& s, uint64_t v) { s.command.config.seed = v; }),
      device_option<S>([](S& s, std::string_view v) { s.command.config.device = str(v); }),
      switch_option<S>("--json", "print one JSON object (default: a table)",
                       [](S& s) { s.command.json = true; }),
  };
  spec.finish = [](S& s) -> Command {
    nn::validate_bench_config(s.command.config);
    return s.command;
  };
  return spec;
}

}  // namespace vkae::app::cli
