// The `vkae` command line: parsing with the command table (app/cli.cpp), the help texts, and run_cli, which
// parses, runs and turns every error into one line and an exit code. Includes every command's header, so a
// caller (main, the tests) sees every command struct. Parsing is pure: bad input throws vkae::InputError with
// one line naming the argument and what was expected.
#pragma once
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "app/analysis_commands.hpp"  // EncodeCommand, AnomalyCommand, ReduceCommand, UpscaleCommand
#include "app/bench_command.hpp"      // BenchCommand
#include "app/command_entry.hpp"      // ParsedCommand, HelpCommand, CommandEntry
#include "app/console.hpp"            // Console, exit codes, one_line
#include "app/generate_command.hpp"   // GenerateCommand
#include "app/model_commands.hpp"     // EvalCommand, DenoiseCommand, ViewCommand, SummaryCommand
#include "app/setup_commands.hpp"     // DevicesCommand, FetchCommand
#include "app/train_command.hpp"      // TrainCommand

namespace vkae::app {

// A parsed command line: `.as<TrainCommand>()` and so on, `.run(console)`.
using Command = ParsedCommand;

// `vkae --version`.
struct VersionCommand {};

// `args` are the arguments after the program name.
Command parse_command_line(std::span<const std::string_view> args);
Command parse_command_line(int argc, const char* const* argv);  // skips argv[0]

// Help for one command ("train", "eval", ...); "" or "help" = the overview. Every flag is listed with its
// default. InputError for an unknown command.
std::string help_text(std::string_view command);

// "vkae 0.1.0 (Vulkan headers 1.3.239)".
std::string version_text();

// Every command, in the order messages and "did you mean" hints list them.
const std::vector<CommandEntry>& command_table();

// Parses, runs and reports: never throws. Errors print as `vkae: <message>` (one line) on console.err.
int run_cli(std::span<const std::string_view> args, const Console& console);
int run_cli(int argc, const char* const* argv);  // skips argv[0]; standard console

}  // namespace vkae::app
