// See bench_peer.hpp.
#include "app/bench_peer.hpp"

#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "app/json_output.hpp"
#include "app/text.hpp"
#include "app/train_command.hpp"
#include "base/error.hpp"

namespace vkae::app {
namespace {

// Runs `command` (stderr with stdout); its exit status and output.
int run_capture(const std::string& command, std::string& output) {
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe) throw Error("--compare: cannot start " + command);
  char buffer[4096];
  for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) output.append(buffer, n);
  const int status = ::pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

std::string last_line(const std::string& text) {
  std::string t = text;
  while (!t.empty() && (t.back() == '\n' || t.back() == '\r')) t.pop_back();
  const size_t nl = t.rfind('\n');
  return nl == std::string::npos ? t : t.substr(nl + 1);
}

std::string variant_lines(const Json& pt) {
  std::string out;
  char line[256];
  for (const auto& [name, t] : pt.at("train").items()) {
    std::snprintf(line, sizeof line, "  PyTorch training  %-26s %9.1f images/s, %7.2f ms/step\n",
                  name.c_str(), t.at("images_per_s").get<double>(), t.at("ms_per_step").get<double>());
    out += line;
  }
  for (const auto& [name, v] : pt.at("infer").items()) {
    std::snprintf(line, sizeof line, "  PyTorch inference %-26s %9.1f images/s\n", name.c_str(),
                  v.get<double>());
    out += line;
  }
  return out;
}

}  // namespace

std::filesystem::path peer_script() {
  if (const char* env = std::getenv("VKAE_PEER_SCRIPT")) return env;
  return std::filesystem::path(VKAE_SOURCE_DIR) / "bench" / "compare_torch.py";
}

PeerResult run_peer(const nn::BenchConfig& config, bool cpu_device) {
  const std::filesystem::path script = peer_script();
  if (!std::filesystem::exists(script))
    throw Error("--compare: " + script.string() + " not found (set VKAE_PEER_SCRIPT to compare_torch.py)");
  PeerResult r;
  const char* python = std::getenv("VKAE_PYTHON");  // the python3 that has torch; Debian's by default
  const std::vector<std::string> words = {python ? python : "/usr/bin/python3",
                                          script.string(),
                                          "--skip-vkae",
                                          "--json",
                                          "--batch",
                                          std::to_string(config.batch),
                                          "--warmup",
                                          std::to_string(std::max(config.warmup, kPeerMinWarmup)),
                                          "--steps",
                                          std::to_string(std::max(config.steps, kPeerMinSteps)),
                                          "--device",
                                          cpu_device ? "cpu" : "cuda"};
  r.command = shell_command_line(std::vector<std::string_view>(words.begin(), words.end()));
  std::string output;
  const int code = run_capture(r.command, output);
  if (code != 0)
    throw Error("--compare: " + r.command + " failed with exit " + std::to_string(code) + ": " +
                last_line(output) + " (the peer needs python3-torch: scripts/setup.sh --bench)");
  r.report = Json::parse(last_line(output), nullptr, false);
  if (r.report.is_discarded() || !r.report.contains("pytorch"))
    throw Error("--compare: " + r.command + " printed no report: " + last_line(output));
  const Json& pt = r.report.at("pytorch");
  r.train_images_per_s = pt.at("train_images_per_s").get<double>();
  r.train_ms_per_step = pt.at("train_ms_per_step").get<double>();
  r.infer_images_per_s = pt.at("infer_images_per_s").get<double>();
  r.train_best = pt.at("train_best").get<std::string>();
  r.infer_best = pt.at("infer_best").get<std::string>();
  r.device = pt.at("device").get<std::string>();
  r.torch = pt.at("torch").get<std::string>();
  r.variants = variant_lines(pt);
  return r;
}

std::string format_peer_text(const PeerResult& peer, const nn::BenchResult& v) {
  std::string out =
      "PyTorch " + peer.torch + " on " + peer.device + ", every variant (" + peer.command + "):\n";
  out += peer.variants;
  out += "vkae / PyTorch at its best (one round; quote compare_torch.py --rounds 5, which alternates):\n";
  out += "  training:  " + fixed(v.train_images_per_s, 1) + " / " + fixed(peer.train_images_per_s, 1) + " (" +
         peer.train_best + ") = " + fixed(v.train_images_per_s / peer.train_images_per_s, 3) + "x\n";
  out += "  inference: " + fixed(v.infer_images_per_s, 1) + " / " + fixed(peer.infer_images_per_s, 1) + " (" +
         peer.infer_best + ") = " + fixed(v.infer_images_per_s / peer.infer_images_per_s, 3) + "x\n";
  return out;
}

}  // namespace vkae::app
