// Option tables of the application commands (encode, anomaly, reduce, upscale) for the parser in app/cli.cpp.
// Pure like the rest of the parser: bad input throws InputError naming the argument and what was expected.
#pragma once
#include <optional>
#include <string>

#include "app/options.hpp"

namespace vkae::app {

struct EncodeState {
  EncodeCommand command;
  std::optional<std::string> dataset;
};
struct AnomalyState {
  AnomalyCommand command;
  std::optional<std::string> dataset;
};
struct ReduceState {
  ReduceCommand command;
  std::optional<std::string> dataset;
};
struct UpscaleState {
  UpscaleCommand command;
  int positionals = 0;
};

cli::Spec<EncodeState> encode_spec();
cli::Spec<AnomalyState> anomaly_spec();
cli::Spec<ReduceState> reduce_spec();
cli::Spec<UpscaleState> upscale_spec();

}  // namespace vkae::app
