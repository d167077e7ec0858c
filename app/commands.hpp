// Running a parsed `vkae` command: train (with the progress display and Ctrl-C handling), eval, denoise,
// devices, fetch, help, version; and run_cli, the top level that turns every error into one line on stderr
// and an exit code. Parsing is app/cli.hpp's job; the work itself is the library's.
#pragma once
#include <iosfwd>
#include <span>
#include <string>
#include <string_view>

#include "app/cli.hpp"
#include "nn/train/trainer.hpp"

namespace vkae::app {

inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;          // anything that went wrong while running
inline constexpr int kExitUsage = 2;          // a bad command line (InputError while parsing)
inline constexpr int kExitInterrupted = 130;  // training stopped by Ctrl-C (after saving)

// Where a command prints. `terminal` selects the redrawn progress bar over plain lines.
struct Console {
  std::ostream& out;
  std::ostream& err;
  bool terminal = false;
  int width = 80;
};

// std::cout / std::cerr, with terminal and width asked of stdout.
Console standard_console();

// Parses, runs and reports: never throws. Errors print as `vkae: <message>` (one line) on console.err.
int run_cli(std::span<const std::string_view> args, const Console& console);
int run_cli(int argc, const char* const* argv);  // skips argv[0]; standard console

// Runs one command; throws what the library throws. Returns the exit code.
int run_command(const Command& command, const Console& console);

// The line `vkae train` starts with: "training dae on mnist: 20 epochs, batch 128, lr 0.001, noise 0.5, seed 0"
// and any step/image limit or resumed checkpoint. The noise only when `denoising` (the model's spec says so).
std::string format_train_start(const nn::TrainConfig& config, bool denoising);
// "0.1167" for fixed(0.11672, 4): printf's %.*f.
std::string fixed(double value, int decimals);

// "test BCE 0.1023 on 10000 images (noise 0.5, seed 0) in 3.2 s".
std::string format_eval_text(const nn::EvalConfig& config, const nn::EvalResult& result);
// One line: {"bce":0.1023,"images":10000,"noise":0.5,"seed":0,"model":"dae","dataset":"mnist",...}.
std::string format_eval_json(const nn::EvalConfig& config, const nn::EvalResult& result);

// A JSON string literal with quotes and escapes.
std::string json_quote(std::string_view text);

// `message` on one line: newlines become "; ", so a library's multi-line text stays one line.
std::string one_line(std::string_view message);

}  // namespace vkae::app
