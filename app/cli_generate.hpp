// The `vkae generate` command line: its option table (parsed by app/cli.cpp's generic parser). Running it is
// app/commands.cpp's job, the work nn/infer/generate.hpp's.
#pragma once
#include "app/options.hpp"

namespace vkae::app::cli {

struct GenerateState {
  GenerateCommand command;
};

Spec<GenerateState> generate_spec();

}  // namespace vkae::app::cli
