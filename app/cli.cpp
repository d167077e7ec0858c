// The top of app/: the table of `vkae` commands and what is derived from it (the dispatch of a command line,
// the overview `vkae help` prints, the "unknown command" hints), plus run_cli. A new command is one row of
// the table below and its own file. The layers of app/, each including only the ones below it:
//   1. output helpers: text.hpp, json_output.hpp, console, progress
//   2. parser machinery and run helpers: options.hpp, spec_parser, command_entry; sigint_guard, run_output
//   3. one file per command group: train_command, model_commands, setup_commands, generate_command,
//      bench_command, analysis_commands (run by analysis_reports)
//   4. this table and run_cli (cli.hpp), and main.cpp
#include "app/cli.hpp"

#include <vulkan/vulkan.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <ostream>
#include <thread>

#include "base/error.hpp"
#include "nn/data/dataset.hpp"
#include "nn/parallel/ranks.hpp"

#ifndef VKAE_VERSION
#define VKAE_VERSION "0.1.0"
#endif

namespace vkae::app {
namespace {

using namespace std::string_literals;

std::string overview_text();
ParsedCommand parse_help(std::span<const std::string_view> args);

CommandEntry help_entry() {
  return {"help",     "help [command]", "this help, or a command's",
          parse_help, overview_text,    [] { return std::vector<std::string_view>{}; }};
}

// A command and its place in the overview, which groups the commands by use; the table's own order is the
// one of messages and "did you mean" hints.
struct TableRow {
  CommandEntry entry;
  int overview_position;
};

const std::vector<TableRow>& table_rows() {
  static const std::vector<TableRow> rows = {
      {train_entry(), 1},   {eval_entry(), 2},     {denoise_entry(), 3}, {generate_entry(), 4},
      {encode_entry(), 10}, {anomaly_entry(), 11}, {reduce_entry(), 12}, {upscale_entry(), 13},
      {devices_entry(), 5}, {fetch_entry(), 7},    {view_entry(), 8},    {bench_entry(), 9},
      {summary_entry(), 6}, {help_entry(), 14},
  };
  return rows;
}

const CommandEntry* find_command(std::string_view name) {
  for (const CommandEntry& entry : command_table())
    if (entry.name == name) return &entry;
  return nullptr;
}

const char* const kOverviewHead =
    "usage: vkae <command> [options]\n"
    "       vkae --train mnist          (same as: vkae train mnist)\n\n"
    "Trains autoencoders on any GPU through Vulkan compute shaders.\n\n"
    "commands:\n";

const char* const kOverviewTail =
    "\noptions:\n"
    "  -h, --help                  show help (`vkae <command> --help` for a command's options)\n"
    "  -V, --version               show the version\n\n"
    "environment: VKAE_DEVICE (like --device), VKAE_VALIDATION=1 (Vulkan validation layers).\n"
    "exit codes: 0 success, 1 error, 2 bad command line, 130 training stopped by Ctrl-C.\n";

// "  train [mnist|fashion]       train a model ...": the line starts in column 30; a longer usage gets a line
// of its own.
std::string overview_row(const CommandEntry& entry) {
  constexpr size_t kLineColumn = 30;
  const std::string usage = "  " + entry.overview_usage;
  const std::string gap = usage.size() + 2 <= kLineColumn ? std::string(kLineColumn - usage.size(), ' ')
                                                          : "\n" + std::string(kLineColumn, ' ');
  return usage + gap + entry.overview_line + "\n";
}

std::string overview_text() {
  std::vector<const TableRow*> rows;
  for (const TableRow& row : table_rows()) rows.push_back(&row);
  std::sort(rows.begin(), rows.end(),
            [](const TableRow* a, const TableRow* b) { return a->overview_position < b->overview_position; });
  std::string out = kOverviewHead;
  for (const TableRow* row : rows) out += overview_row(row->entry);
  return out + kOverviewTail;
}

[[noreturn]] void unknown_command(std::string_view word) {
  if (nn::dataset_from_alias(word))
    throw InputError("unknown command " + str(word) + " (did you mean vkae train " + str(word) + "?)");
  const auto train_options = find_command("train")->option_names();
  if (std::find(train_options.begin(), train_options.end(), word) != train_options.end())
    throw InputError("unknown command " + str(word) + " (options go after the command: vkae train " +
                     str(word) + " ...)");
  std::vector<std::string_view> names;
  for (const CommandEntry& entry : command_table()) names.push_back(entry.name);
  const auto hint = closest_match(word, names);
  std::string all;  // "train, eval, ... or help"
  for (size_t i = 0; i < names.size(); ++i)
    all += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + str(names[i]);
  throw InputError("unknown command " + str(word) +
                   (hint ? " (did you mean " + *hint + "?)" : ": expected " + all));
}

// `vkae help [command]`, `vkae --help [command]`: one topic at most, `--train` meaning train.
ParsedCommand parse_help(std::span<const std::string_view> args) {
  if (args.size() > 1)
    throw InputError("unexpected argument " + str(args[1]) + " for help: expected one command");
  if (args.empty()) return help_command(overview_text());
  std::string_view topic = args[0];
  if (topic.substr(0, 2) == "--") topic.remove_prefix(2);  // `vkae help --train`
  return help_command(help_text(topic));
}

int run_version(const VersionCommand&, const Console& console) {
  console.out << version_text() << std::endl;
  return kExitOk;
}

}  // namespace

const std::vector<CommandEntry>& command_table() {
  static const std::vector<CommandEntry> entries = [] {
    std::vector<CommandEntry> out;
    for (const TableRow& row : table_rows()) out.push_back(row.entry);
    return out;
  }();
  return entries;
}

std::string help_text(std::string_view command) {
  if (command.empty()) return overview_text();
  if (const CommandEntry* entry = find_command(command)) return entry->help();
  unknown_command(command);
}

std::string version_text() {
  constexpr uint32_t v = VK_HEADER_VERSION_COMPLETE;
  return "vkae "s + VKAE_VERSION + " (Vulkan headers " + std::to_string(VK_API_VERSION_MAJOR(v)) + "." +
         std::to_string(VK_API_VERSION_MINOR(v)) + "." + std::to_string(VK_API_VERSION_PATCH(v)) + ")";
}

Command parse_command_line(std::span<const std::string_view> args) {
  if (args.empty()) return help_command(overview_text());
  const std::string_view first = args[0];
  const auto rest = args.subspan(1);
  if (is_help_flag(first)) return parse_help(rest);
  if (first == "--version" || first == "-V" || first == "version") {
    if (!rest.empty()) throw InputError("unexpected argument " + str(rest[0]) + " for --version");
    return ParsedCommand(VersionCommand{}, &run_erased<VersionCommand, run_version>);
  }
  // `vkae --train mnist` is `vkae train mnist`; so for every command.
  std::string_view name = first;
  if (name.substr(0, 2) == "--" && find_command(name.substr(2))) name.remove_prefix(2);
  const CommandEntry* entry = find_command(name);
  if (!entry) unknown_command(first.substr(0, first.find('=')));
  return entry->parse(rest);
}

Command parse_command_line(int argc, const char* const* argv) {
  std::vector<std::string_view> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  return parse_command_line(std::span<const std::string_view>(args));
}

int run_cli(std::span<const std::string_view> args, const Console& console) {
  auto fail = [&](std::string_view message, int code, bool every_rank = false) {
    console.out << std::flush;
    const nn::Ranks& ranks = nn::Ranks::world();
    const bool named = ranks.size() > 1 && ranks.rank() != 0 && !message.starts_with("rank ");
    // A bad flag or input is every rank's: the others give rank 0 time to say it (its abort ends them) so
    // the user reads one line, not one per rank in whichever order they got there.
    if (named && every_rank) std::this_thread::sleep_for(std::chrono::seconds(10));
    // One write: under mpirun a line written in pieces can reach the terminal split by Open MPI's own.
    const std::string line =
        "vkae: " + (named ? "rank " + std::to_string(ranks.rank()) + ": " : ""s) + one_line(message) + "\n";
    console.err << line << std::flush;
    return code;
  };
  std::optional<Command> command;
  try {
    command = parse_command_line(args);  // every range a flag has; nn::train checks its config once more
  } catch (const InputError& e) {
    return fail(e.what(), kExitUsage, true);
  } catch (const std::exception& e) {
    return fail(e.what(), kExitError);
  }
  try {
    return command->run(console);
  } catch (const InputError& e) {  // a flag that does not fit the data or the ranks
    return fail(e.what(), kExitError, true);
  } catch (const std::exception& e) {  // vkae::Error and everything else
    return fail(e.what(), kExitError);
  } catch (...) {
    return fail("unexpected error (not a std::exception)", kExitError);
  }
}

// Under mpirun every rank runs the command; rank 0 alone prints (the others print only their errors, named
// by rank), and a rank's failure ends the whole job.
int run_cli(int argc, const char* const* argv) {
  std::vector<std::string_view> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  Console console = standard_console();
  try {
    nn::Ranks::init();
  } catch (const std::exception& e) {
    console.err << "vkae: " << one_line(e.what()) << std::endl;
    return kExitError;
  }
  const nn::Ranks& ranks = nn::Ranks::world();
  static std::ostream quiet(nullptr);  // no buffer: every write is dropped
  const Console rank_console{ranks.writer() ? console.out : quiet, console.err,
                             ranks.writer() && console.terminal, console.width};
  const int code = run_cli(std::span<const std::string_view>(args), rank_console);
  // A stop by a signal (128 + its number) is every rank's, after the same step and rank 0's save: no abort.
  if (code != kExitOk && code < 128 && ranks.size() > 1) nn::Ranks::abort_job(code);
  nn::Ranks::finalize();
  return code;
}

}  // namespace vkae::app
