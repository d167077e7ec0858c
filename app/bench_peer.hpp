// `vkae bench --compare`: PyTorch at its best on the same model and batch (bench/compare_torch.py, which
// runs bench/torch_peer.py's variants and keeps the fastest), run after vkae's own figures, and the ratios.
// One round: the figures to quote come from compare_torch.py --rounds R, which alternates the two sides.
#pragma once
#include <filesystem>
#include <string>

#include "app/json_output.hpp"
#include "nn/bench/measure.hpp"

namespace vkae::app {

// bench/torch_peer.py's least warm-up and timed steps (MIN_WARMUP, MIN_STEPS): the peer at its best.
constexpr uint32_t kPeerMinWarmup = 10, kPeerMinSteps = 30;

struct PeerResult {
  Json report;  // compare_torch.py's
  std::string command;
  double train_images_per_s = 0, train_ms_per_step = 0, infer_images_per_s = 0;
  std::string train_best, infer_best, device, torch;
  std::string variants;  // every variant's figures, one line each
};

// The script: VKAE_PEER_SCRIPT, else the source tree's bench/compare_torch.py; run by VKAE_PYTHON, else
// /usr/bin/python3.
std::filesystem::path peer_script();
// The peer for `config` (the dae model: the command line checks): Error naming the command and its last
// line when the script fails (no python3, no torch, no CUDA for a GPU device).
PeerResult run_peer(const nn::BenchConfig& config, bool cpu_device);
std::string format_peer_text(const PeerResult& peer, const nn::BenchResult& vkae);

}  // namespace vkae::app
