// `vkae bench`: its command struct and the report (a table, or one JSON object with --json). Its options are
// app/cli_bench.cpp's table, parsed like every other command's; the measuring is nn/bench/measure.hpp's job.
#pragma once
#include <iosfwd>
#include <string>

#include "nn/bench/measure.hpp"

namespace vkae::app {

// `vkae bench [--model dae] [--batch 128] [--steps 10] [--json] ...`.
struct BenchCommand {
  nn::BenchConfig config;
  bool json = false;
};

std::string format_bench_text(const nn::BenchResult& result);
std::string format_bench_json(const nn::BenchResult& result);  // one line

// Runs the benchmark and prints the report on `out`. Returns the exit code.
int run_bench_command(const BenchCommand& command, std::ostream& out);

}  // namespace vkae::app
