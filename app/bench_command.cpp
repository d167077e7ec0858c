// `vkae bench [--model M] [--batch N] [--warmup N] [--steps N] [--infer-images N] [--profiled-steps N]
// [--seed N] [--device D] [--json]`: the option table (nn::validate_bench_config has the last word), the
// report as a table or one JSON object, and running it.
#include "app/bench_command.hpp"

#include <cstdio>
#include <ostream>

#include "app/bench_peer.hpp"
#include "app/json_output.hpp"
#include "app/options.hpp"
#include "app/text.hpp"

namespace vkae::app {
namespace {

using namespace cli;

struct BenchState {
  BenchCommand command;
};

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
      integer_option<S, uint32_t>(
          "--warmup", 0,
          "untimed steps first; the first compiles the pipelines (default " + std::to_string(d.warmup) + ")",
          [](S& s, uint32_t v) { s.command.config.warmup = v; }),
      integer_option<S, uint32_t>(
          "--steps", 1,
          "timed training steps; the median is reported (default " + std::to_string(d.steps) + ")",
          [](S& s, uint32_t v) { s.command.config.steps = v; }),
      integer_option<S, uint32_t>(
          "--infer-images", 1,
          "images through the timed evaluation pass (default " + std::to_string(d.infer_images) + ")",
          [](S& s, uint32_t v) { s.command.config.infer_images = v; }),
      integer_option<S, uint32_t>(
          "--profiled-steps", 1,
          "steps replayed with per-op timestamps (default " + std::to_string(d.profiled_steps) + ")",
          [](S& s, uint32_t v) { s.command.config.profiled_steps = v; }),
      integer_option<S, uint64_t>(
          "--seed", 0,
          "seed of the weights and the synthetic images (default " + std::to_string(d.seed) + ")",
          [](S& s, uint64_t v) { s.command.config.seed = v; }),
      device_option<S>([](S& s, std::string_view v) { s.command.config.device = str(v); }),
      switch_option<S>("--json", "print one JSON object (default: a table)",
                       [](S& s) { s.command.json = true; }),
      switch_option<S>("--compare",
                       "then the same model in PyTorch at its best (bench/compare_torch.py: NCHW, "
                       "channels_last, a CUDA graph on a GPU) and the ratios; dae only, needs python3-torch",
                       [](S& s) { s.command.compare = true; }),
  };
  spec.finish = [](S& s) {
    nn::validate_bench_config(s.command.config);
    if (s.command.compare && s.command.config.model != "dae")
      throw InputError("--compare: the PyTorch peer is the dae model only (got --model " +
                       s.command.config.model + ")");
  };
  return spec;
}

int run_bench(const BenchCommand& command, const Console& console) {
  const nn::BenchResult result = nn::run_bench(command.config);
  if (!command.compare) {
    console.out << (command.json ? format_bench_json(result) + "\n" : format_bench_text(result))
                << std::flush;
    return kExitOk;
  }
  if (!command.json) console.out << format_bench_text(result) << std::flush;  // vkae's, while the peer runs
  const PeerResult peer = run_peer(command.config, result.cpu_device);
  if (command.json) {
    Json j = bench_json(result);
    j["peer"] = peer.report;
    j["ratio_train"] = json_number(result.train_images_per_s / peer.train_images_per_s);
    j["ratio_infer"] = json_number(result.infer_images_per_s / peer.infer_images_per_s);
    console.out << json_line(j) << "\n" << std::flush;
  } else {
    console.out << format_peer_text(peer, result) << std::flush;
  }
  return kExitOk;
}

// "1234.56 GFLOP/s" for a convolution or dense op, "12.34 GB/s" for the others.
std::string op_rate(const nn::OpTiming& t) {
  return t.gflop > 0 ? fixed(t.gflops, 2) + " GFLOP/s" : fixed(t.gbs, 2) + " GB/s";
}

}  // namespace

CommandEntry bench_entry() {
  return spec_entry<bench_spec, run_bench>("bench [--model dae]",
                                           "training/inference speed and a per-op timing table");
}

std::string format_bench_text(const nn::BenchResult& r) {
  std::string out;
  out += "model " + r.model + ", batch " + std::to_string(r.batch) + ", device " + r.device +
         (r.cpu_device ? " (CPU Vulkan device)" : "") + "\n";
  out += "training:  " + fixed(r.train_images_per_s, 1) + " images/s, " + fixed(r.train_ms_per_step, 2) +
         " ms/step (median of " + std::to_string(r.steps) + " after " + std::to_string(r.warmup) +
         " warm-up; min " + fixed(r.train_ms_min, 2) + ", max " + fixed(r.train_ms_max, 2) + "), " +
         fixed(r.train_gflop_per_step, 3) +
         " GFLOP/step = " + fixed(r.train_gflop_per_step / (r.train_ms_per_step / 1e3), 2) + " GFLOP/s\n";
  out += "inference: " + fixed(r.infer_images_per_s, 1) + " images/s (" + std::to_string(r.infer_images) +
         " images in " + fixed(r.infer_seconds, 2) + " s: gather, noise, forward, BCE)\n";
  out += "per op (one profiled step, " + std::to_string(r.dispatches) + " commands, " +
         fixed(r.profiled_ms, 2) + " ms with a timestamp after each):\n";
  char line[512];
  std::snprintf(line, sizeof line, "  %6s %9s %9s %12s  %-28s %s\n", "share", "ms", "GFLOP", "rate", "shader",
                "where");
  out += line;
  for (const auto& t : r.ops) {
    std::snprintf(line, sizeof line, "  %5.1f%% %9.3f %9.4f %12s  %-28s %s\n", t.share, t.ms, t.gflop,
                  op_rate(t).c_str(), t.shader.c_str(), t.label.c_str());
    out += line;
  }
  return out;
}

Json bench_json(const nn::BenchResult& r) {
  Json ops = Json::array();
  for (const auto& t : r.ops)
    ops.push_back({{"shader", t.shader},
                   {"where", t.label},
                   {"ms", json_number(t.ms)},
                   {"share", json_number(t.share)},
                   {"gflop", json_number(t.gflop)},
                   {"mbytes", json_number(t.mbytes)},
                   {"gflops", json_number(t.gflops)},
                   {"gbs", json_number(t.gbs)}});
  return {{"model", r.model},
          {"device", r.device},
          {"cpu_device", r.cpu_device},
          {"batch", r.batch},
          {"warmup", r.warmup},
          {"steps", r.steps},
          {"train_ms_per_step", json_number(r.train_ms_per_step)},
          {"train_ms_min", json_number(r.train_ms_min)},
          {"train_ms_max", json_number(r.train_ms_max)},
          {"train_images_per_s", json_number(r.train_images_per_s)},
          {"train_gflop_per_step", json_number(r.train_gflop_per_step)},
          {"infer_images", r.infer_images},
          {"infer_seconds", json_number(r.infer_seconds)},
          {"infer_images_per_s", json_number(r.infer_images_per_s)},
          {"profiled_ms", json_number(r.profiled_ms)},
          {"commands_per_step", r.dispatches},
          {"ops", std::move(ops)}};
}

std::string format_bench_json(const nn::BenchResult& r) {
  return json_line(bench_json(r));
}

}  // namespace vkae::app
