// The `vkae bench` command line: its option table, parsed by app/cli.cpp's generic parser like every other
// command's. The report and running it are app/bench.cpp's job, the measuring nn/bench/measure.hpp's.
#pragma once
#include "app/options.hpp"

namespace vkae::app::cli {

struct BenchState {
  BenchCommand command;
};

Spec<BenchState> bench_spec();

}  // namespace vkae::app::cli
