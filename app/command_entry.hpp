// One command of `vkae` as the table in app/cli.cpp holds it: its name, its line in the overview, parse and
// help; and ParsedCommand, what parse returns: the command's struct (TrainCommand, ...) type-erased together
// with the function that runs it, so that nothing above the command's own file lists the commands' types.
#pragma once
#include <any>
#include <ostream>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <typeinfo>
#include <utility>
#include <vector>

#include "app/console.hpp"
#include "app/spec_parser.hpp"

namespace vkae::app {

class ParsedCommand {
 public:
  using Runner = int (*)(const std::any& command, const Console& console);

  template <typename T>
  ParsedCommand(T command, Runner runner) : command_(std::move(command)), run_(runner) {}

  // The command's struct, or nullptr when it is another command's.
  template <typename T>
  const T* get_if() const {
    return std::any_cast<T>(&command_);
  }
  template <typename T>
  bool holds() const {
    return get_if<T>() != nullptr;
  }
  template <typename T>
  const T& as() const {
    if (const T* command = get_if<T>()) return *command;
    throw std::logic_error(std::string("parsed command is not a ") + typeid(T).name());
  }

  // Runs it; throws what the library throws. Returns the exit code.
  int run(const Console& console) const { return run_(command_, console); }

 private:
  std::any command_;
  Runner run_;
};

// `Run` called on the struct inside a ParsedCommand.
template <typename T, int (*Run)(const T&, const Console&)>
int run_erased(const std::any& command, const Console& console) {
  return Run(std::any_cast<const T&>(command), console);
}

// `vkae --help`, `vkae help [command]`, `vkae <command> --help`, or no arguments at all: print `text`.
struct HelpCommand {
  std::string text;
};

inline int run_help(const HelpCommand& command, const Console& console) {
  console.out << command.text << std::flush;
  return kExitOk;
}

inline ParsedCommand help_command(std::string text) {
  return ParsedCommand(HelpCommand{std::move(text)}, &run_erased<HelpCommand, run_help>);
}

struct CommandEntry {
  std::string name;            // "train"
  std::string overview_usage;  // "train [mnist|fashion]": the left column of its line in `vkae help`
  std::string overview_line;   // "train a model and write a run folder": the right column
  ParsedCommand (*parse)(std::span<const std::string_view> args);  // the arguments after the name
  std::string (*help)();                                           // `vkae help <name>`
  std::vector<std::string_view> (*option_names)();                 // "--epochs", ...
};

// --help anywhere before a `--` wins over everything else; otherwise the Spec's parse and checks.
template <auto MakeSpec, auto Run>
ParsedCommand parse_spec(std::span<const std::string_view> args) {
  const auto spec = MakeSpec();
  for (const auto a : args) {
    if (a == "--") break;
    if (is_help_flag(a)) return help_command(render_help(spec));
  }
  auto state = parse_with(spec, args);
  using Command = decltype(state.command);
  return ParsedCommand(std::move(state.command), &run_erased<Command, Run>);
}

template <auto MakeSpec>
std::string spec_help() {
  return render_help(MakeSpec());
}

template <auto MakeSpec>
std::vector<std::string_view> spec_option_names() {
  std::vector<std::string_view> names;
  for (const auto& o : MakeSpec().options) names.push_back(o.name);
  return names;
}

// The entry of a command made of a Spec (`MakeSpec()`, its name is the entry's) and its runner `Run`.
template <auto MakeSpec, auto Run>
CommandEntry spec_entry(std::string overview_usage, std::string overview_line) {
  return {str(MakeSpec().command),    std::move(overview_usage), std::move(overview_line),
          &parse_spec<MakeSpec, Run>, &spec_help<MakeSpec>,      &spec_option_names<MakeSpec>};
}

}  // namespace vkae::app
