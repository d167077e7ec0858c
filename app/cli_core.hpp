// Option tables of the commands that train, evaluate and inspect (train, eval, denoise, view, fetch, devices,
// summary) for the parser in app/cli.cpp. Pure like the rest of the parser: bad input throws InputError naming
// the argument and what was expected.
#pragma once
#include <optional>
#include <string>

#include "app/options.hpp"

namespace vkae::app::cli {

struct TrainState {
  TrainCommand command;
  std::optional<std::string> dataset;
  bool positional_seen = false;
};
struct EvalState {
  EvalCommand command;
  std::optional<std::string> dataset;
};
struct DenoiseState {
  DenoiseCommand command;
  int positionals = 0;
};
struct FetchState {
  FetchCommand command;
  std::optional<std::string> dataset;
};
struct ViewState {
  ViewCommand command;
  std::optional<std::string> dataset;
};

Spec<TrainState> train_spec();
Spec<EvalState> eval_spec();
Spec<DenoiseState> denoise_spec();
Spec<DevicesCommand> devices_spec();
Spec<SummaryCommand> summary_spec();
Spec<FetchState> fetch_spec();
Spec<ViewState> view_spec();

}  // namespace vkae::app::cli
