// `vkae bench`: its command struct, its own small argument parser and help, and the report (a table, or one
// JSON object with --json). Kept apart from app/cli.cpp so the command is one self-contained addition; the
// measuring is nn/train/bench.hpp's job.
#pragma once
#include <iosfwd>
#include <span>
#include <string>
#include <string_view>

#include "nn/train/bench.hpp"

namespace vkae::app {

// `vkae bench [--model dae] [--batch 128] [--steps 10] [--json] ...`.
struct BenchCommand {
  nn::BenchConfig config;
  bool json = false;
};

// `args` are those after "bench" (no --help among them). InputError naming the flag on bad input.
BenchCommand parse_bench_command(std::span<const std::string_view> args);
std::string bench_help_text();

std::string format_bench_text(const nn::BenchResult& result);
std::string format_bench_json(const nn::BenchResult& result);  // one line

// Runs the benchmark and prints the report on `out`. Returns the exit code.
int run_bench_command(const BenchCommand& command, std::ostream& out);

}  // namespace vkae::app
