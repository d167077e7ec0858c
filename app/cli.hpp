// Parsing the `vkae` command line into one command struct per subcommand, and the help texts. Pure: no I/O,
// no environment; bad input throws vkae::InputError with one line naming the argument and what was expected.
// Running the commands is app/commands.hpp's job.
#pragma once
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "app/analysis_commands.hpp"  // EncodeCommand, AnomalyCommand, ReduceCommand, UpscaleCommand
#include "app/bench.hpp"              // BenchCommand (vkae bench)
#include "nn/infer/generate.hpp"
#include "nn/infer/evaluate.hpp"
#include "nn/train/trainer.hpp"

namespace vkae::app {

// `vkae train [mnist|fashion] [flags]`, also spelled `vkae --train ...`.
struct TrainCommand {
  nn::TrainConfig config;
  bool viewer = false;                              // --viewer: a live window (needs a display)
  std::optional<std::filesystem::path> screenshot;  // --screenshot F: save the window after --frames, stop
  uint32_t frames = 30;
};

// `vkae view --checkpoint F [flags]`: the viewer on a trained model, without training.
struct ViewCommand {
  std::filesystem::path checkpoint;
  std::string dataset;  // "" = the checkpoint's
  std::optional<std::filesystem::path> data_dir;
  std::string device;
  float noise = 0.5f;
  uint64_t seed = 0;
  std::optional<std::filesystem::path> screenshot;
  uint32_t frames = 30;
};

// `vkae eval --checkpoint F [flags]`: test BCE of a checkpoint; one JSON line with --json.
struct EvalCommand {
  nn::EvalConfig config;
  bool json = false;
};

// `vkae denoise --checkpoint F in.png out.png`.
struct DenoiseCommand {
  std::filesystem::path checkpoint, in_png, out_png;
  std::string device;
};

// `vkae generate --checkpoint F [flags]`: a VAE's samples, manifold and latent scatter (app/cli_generate.cpp).
struct GenerateCommand {
  nn::GenerateConfig config;
};

// `vkae devices`: every Vulkan device the loader sees and the one vkae would pick.
struct DevicesCommand {};

// `vkae summary [--model] NAME|FILE.json`: layers, output shapes and parameter counts (Keras' summary()).
struct SummaryCommand {
  std::string model = "dae";
};

// `vkae fetch [mnist] [--data DIR]`: download a dataset into the cache (or DIR).
struct FetchCommand {
  std::string dataset = "mnist";
  std::optional<std::filesystem::path> dir;
};

// `vkae --help`, `vkae help [command]`, `vkae <command> --help`, or no arguments at all: print `text`.
struct HelpCommand {
  std::string text;
};

// `vkae --version`.
struct VersionCommand {};

using Command = std::variant<TrainCommand, EvalCommand, DenoiseCommand, DevicesCommand, FetchCommand,
                             HelpCommand, VersionCommand, ViewCommand, BenchCommand, SummaryCommand,
                             GenerateCommand, EncodeCommand, AnomalyCommand, ReduceCommand, UpscaleCommand>;

// `args` are the arguments after the program name.
Command parse_command_line(std::span<const std::string_view> args);
Command parse_command_line(int argc, const char* const* argv);  // skips argv[0]

// Help for one command ("train", "eval", "denoise", "devices", "fetch", "view"); "" = the overview. Every flag is
// listed with its default. InputError for an unknown command.
std::string help_text(std::string_view command);

// "vkae 0.1.0 (Vulkan headers 1.3.239)".
std::string version_text();

// The candidate closest to `word` when it is a plausible typo of it (edit distance <= 2, or a prefix of it);
// nullopt otherwise. Used for "did you mean" hints.
std::optional<std::string> closest_match(std::string_view word, std::span<const std::string_view> candidates);

}  // namespace vkae::app
