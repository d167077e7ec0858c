// `vkae bench`: argument parsing, help, and the report (text table or one JSON object).
#include "app/bench.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <functional>
#include <ostream>
#include <vector>

#include "app/commands.hpp"
#include "runtime/error.hpp"

namespace vkae::app {
namespace {

struct BenchOption {
  std::string_view name, value_name, help;
  std::function<void(BenchCommand&, std::string_view flag, std::string_view value)> apply;
};

uint64_t parse_count(std::string_view flag, std::string_view v, uint64_t min) {
  uint64_t out = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || end != v.data() + v.size() || out < min || out > UINT32_MAX)
    throw InputError(std::string(flag) + " " + std::string(v) + ": expected an integer >= " + std::to_string(min));
  return out;
}

template <typename T>
BenchOption count_option(std::string_view name, uint64_t min, std::string_view help, T nn::BenchConfig::*field) {
  return {name, "N", help, [=](BenchCommand& c, std::string_view flag, std::string_view v) {
            c.config.*field = static_cast<T>(parse_count(flag, v, min));
          }};
}

const std::vector<BenchOption>& bench_options() {
  using C = nn::BenchConfig;
  static const std::vector<BenchOption> options = {
      {"--model", "NAME|FILE.json", "built-in model name or .json spec (default dae)",
       [](BenchCommand& c, std::string_view flag, std::string_view v) {
         if (v.empty()) throw InputError(std::string(flag) + ": expected a model name");
         c.config.model = std::string(v);
       }},
      count_option("--batch", 1, "images per step (default 128)", &C::batch),
      count_option("--warmup", 0, "untimed steps first; the first compiles the pipelines (default 2)", &C::warmup),
      count_option("--steps", 1, "timed training steps; the median is reported (default 10)", &C::steps),
      count_option("--infer-images", 1, "images through the timed evaluation pass (default 1024)",
                   &C::infer_images),
      count_option("--profiled-steps", 1, "steps replayed with per-op timestamps (default 1)", &C::profiled_steps),
      {"--seed", "N", "seed of the weights and the synthetic images (default 0)",
       [](BenchCommand& c, std::string_view flag, std::string_view v) { c.config.seed = parse_count(flag, v, 0); }},
      {"--device", "N|NAME", "device index or name part (default: the best; env VKAE_DEVICE)",
       [](BenchCommand& c, std::string_view flag, std::string_view v) {
         if (v.empty()) throw InputError(std::string(flag) + ": expected a device index or name");
         c.config.device = std::string(v);
       }},
      {"--json", "", "print one JSON object (default: a table)",
       [](BenchCommand& c, std::string_view, std::string_view) { c.json = true; }},
  };
  return options;
}

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// JSON numbers: finite values only (a non-finite figure is a bug, reported as null rather than hidden).
std::string num(double v) { return std::isfinite(v) ? fmt("%.6g", v) : "null"; }

}  // namespace

BenchCommand parse_bench_command(std::span<const std::string_view> args) {
  BenchCommand c;
  const auto& options = bench_options();
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    const size_t eq = arg.find('=');
    const std::string_view name = arg.substr(0, eq);
    const auto it = std::find_if(options.begin(), options.end(), [&](const auto& o) { return o.name == name; });
    if (it == options.end())
      throw InputError((arg.substr(0, 1) == "-" ? "unknown option " : "unexpected argument ") + std::string(name) +
                       " for bench (see vkae bench --help)");
    if (it->value_name.empty()) {
      if (eq != std::string_view::npos) throw InputError(std::string(name) + " takes no value (got " + std::string(arg) + ")");
      it->apply(c, name, {});
      continue;
    }
    std::string_view value;
    if (eq != std::string_view::npos) {
      value = arg.substr(eq + 1);
    } else {
      if (i + 1 == args.size() || args[i + 1].substr(0, 2) == "--")
        throw InputError(std::string(name) + ": missing value");
      value = args[++i];
    }
    it->apply(c, name, value);
  }
  nn::validate_bench_config(c.config);
  return c;
}

std::string bench_help_text() {
  std::string out =
      "usage: vkae bench [options]\n\n"
      "Measures training images/s and ms/step (median of timed steps after a warm-up), inference images/s\n"
      "(the `vkae eval` pass), and a per-op table from timestamp queries: each shader's share of the step\n"
      "and its achieved GFLOP/s (convolutions, dense) or GB/s (everything else). Uses synthetic images.\n\n"
      "options:\n";
  for (const auto& o : bench_options()) {
    std::string left = std::string(o.name) + (o.value_name.empty() ? "" : " " + std::string(o.value_name));
    out += "  " + left + std::string(left.size() < 22 ? 22 - left.size() : 1, ' ') + std::string(o.help) + "\n";
  }
  out += "  -h, --help            show this help\n";
  return out;
}

std::string format_bench_text(const nn::BenchResult& r) {
  std::string out;
  out += "model " + r.model + ", batch " + std::to_string(r.batch) + ", device " + r.device +
         (r.cpu_device ? " (CPU Vulkan device)" : "") + "\n";
  out += "training:  " + fmt("%.1f", r.train_images_per_s) + " images/s, " + fmt("%.2f", r.train_ms_per_step) +
         " ms/step (median of " + std::to_string(r.steps) + " after " + std::to_string(r.warmup) +
         " warm-up; min " + fmt("%.2f", r.train_ms_min) + ", max " + fmt("%.2f", r.train_ms_max) + "), " +
         fmt("%.3f", r.train_gflop_per_step) + " GFLOP/step = " +
         fmt("%.2f", r.train_gflop_per_step / (r.train_ms_per_step / 1e3)) + " GFLOP/s\n";
  out += "inference: " + fmt("%.1f", r.infer_images_per_s) + " images/s (" + std::to_string(r.infer_images) +
         " images in " + fmt("%.2f", r.infer_seconds) + " s: gather, noise, forward, BCE)\n";
  out += "per op (one profiled step, " + std::to_string(r.dispatches) + " commands, " + fmt("%.2f", r.profiled_ms) +
         " ms with a timestamp after each):\n";
  char line[512];
  std::snprintf(line, sizeof line, "  %6s %9s %9s %12s  %-28s %s\n", "share", "ms", "GFLOP", "rate", "shader",
                "where");
  out += line;
  for (const auto& t : r.ops) {
    const std::string rate = t.gflop > 0 ? fmt("%.2f GFLOP/s", t.gflops) : fmt("%.2f GB/s", t.gbs);
    std::snprintf(line, sizeof line, "  %5.1f%% %9.3f %9.4f %12s  %-28s %s\n", t.share, t.ms, t.gflop,
                  rate.c_str(), t.shader.c_str(), t.label.c_str());
    out += line;
  }
  return out;
}

std::string format_bench_json(const nn::BenchResult& r) {
  std::string out = "{\"model\":" + json_quote(r.model) + ",\"device\":" + json_quote(r.device) +
                    ",\"cpu_device\":" + (r.cpu_device ? "true" : "false") + ",\"batch\":" + std::to_string(r.batch) +
                    ",\"warmup\":" + std::to_string(r.warmup) + ",\"steps\":" + std::to_string(r.steps) +
                    ",\"train_ms_per_step\":" + num(r.train_ms_per_step) + ",\"train_ms_min\":" + num(r.train_ms_min) +
                    ",\"train_ms_max\":" + num(r.train_ms_max) + ",\"train_images_per_s\":" + num(r.train_images_per_s) +
                    ",\"train_gflop_per_step\":" + num(r.train_gflop_per_step) +
                    ",\"infer_images\":" + std::to_string(r.infer_images) + ",\"infer_seconds\":" + num(r.infer_seconds) +
                    ",\"infer_images_per_s\":" + num(r.infer_images_per_s) + ",\"profiled_ms\":" + num(r.profiled_ms) +
                    ",\"commands_per_step\":" + std::to_string(r.dispatches) + ",\"ops\":[";
  for (size_t i = 0; i < r.ops.size(); ++i) {
    const auto& t = r.ops[i];
    out += std::string(i ? "," : "") + "{\"shader\":" + json_quote(t.shader) + ",\"where\":" + json_quote(t.label) +
           ",\"ms\":" + num(t.ms) + ",\"share\":" + num(t.share) + ",\"gflop\":" + num(t.gflop) +
           ",\"mbytes\":" + num(t.mbytes) + ",\"gflops\":" + num(t.gflops) + ",\"gbs\":" + num(t.gbs) + "}";
  }
  return out + "]}";
}

int run_bench_command(const BenchCommand& command, std::ostream& out) {
  const nn::BenchResult result = nn::run_bench(command.config);
  out << (command.json ? format_bench_json(result) + "\n" : format_bench_text(result)) << std::flush;
  return kExitOk;
}

}  // namespace vkae::app
