// `vkae bench`: its command struct, its entry for the command table, and the report it prints (a table, or
// one JSON object with --json). The measuring is nn/bench/measure.hpp's job.
#pragma once
#include <string>

#include "app/command_entry.hpp"
#include "app/json_output.hpp"
#include "nn/bench/measure.hpp"

namespace vkae::app {

// `vkae bench [--model dae] [--batch 128] [--steps 10] [--json] ...`.
struct BenchCommand {
  nn::BenchConfig config;
  bool json = false;
  bool compare = false;  // PyTorch at its best too (bench_peer.hpp)
};

CommandEntry bench_entry();

std::string format_bench_text(const nn::BenchResult& result);
std::string format_bench_json(const nn::BenchResult& result);  // one line
Json bench_json(const nn::BenchResult& result);                // what that line holds

}  // namespace vkae::app
