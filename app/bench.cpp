// `vkae bench`: the report (text table or one JSON object) and running the command. The options are
// app/cli_bench.cpp's.
#include "app/bench.hpp"

#include <cmath>
#include <cstdio>
#include <ostream>

#include "app/commands.hpp"

namespace vkae::app {
namespace {

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// JSON numbers: finite values only (a non-finite figure is a bug, reported as null rather than hidden).
std::string num(double v) { return std::isfinite(v) ? fmt("%.6g", v) : "null"; }

}  // namespace

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
