// The generic parser and help renderer over a command's Spec (app/options.hpp): `--flag value` and
// `--flag=value`, "did you mean" hints, `--` ending the options, and the help text with every flag and its
// default. Knows no command by name. Pure: bad input throws vkae::InputError with one line.
#pragma once
#include <algorithm>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "app/options.hpp"

namespace vkae::app {

// The candidate closest to `word` when it is a plausible typo of it (edit distance <= 2, or a prefix of it);
// nullopt otherwise. Used for "did you mean" hints.
std::optional<std::string> closest_match(std::string_view word, std::span<const std::string_view> candidates);

bool is_help_flag(std::string_view arg);

// `text` word-wrapped into lines of at most `width` characters, continuation lines indented by `indent`.
std::string wrap(std::string_view text, size_t indent, size_t width);

template <typename State>
std::string render_help(const cli::Spec<State>& spec) {
  constexpr size_t kWidth = 100;
  std::vector<std::pair<std::string, std::string>> rows;
  for (const auto& o : spec.options)
    rows.emplace_back(str(o.name) + (o.value_name.empty() ? "" : " " + str(o.value_name)), o.help);
  rows.emplace_back("-h, --help", "show this help");
  size_t width = 0;
  for (const auto& r : rows) width = std::max(width, r.first.size());
  std::string out = "usage: " + spec.usage + "\n\n" + spec.summary + "\n\noptions:\n";
  for (const auto& [left, right] : rows)
    out += "  " + left + std::string(width - left.size() + 2, ' ') + wrap(right, width + 4, kWidth) + "\n";
  if (!spec.notes.empty()) out += "\n" + spec.notes + "\n";
  return out;
}

// The option of `spec` called `name`; InputError with a "did you mean" hint when there is none.
template <typename State>
const cli::Option<State>& find_option(const cli::Spec<State>& spec, std::string_view name) {
  const auto it =
      std::find_if(spec.options.begin(), spec.options.end(), [&](const auto& o) { return o.name == name; });
  if (it != spec.options.end()) return *it;
  std::vector<std::string_view> names;
  for (const auto& o : spec.options) names.push_back(o.name);
  names.push_back("--help");
  const auto hint = closest_match(name, names);
  throw InputError(
      "unknown option " + str(name) + " for " + str(spec.command) +
      (hint ? " (did you mean " + *hint + "?)" : " (see vkae " + str(spec.command) + " --help)"));
}

// The arguments after the command's name, through the options and positional handler; then finish().
template <typename State>
State parse_with(const cli::Spec<State>& spec, std::span<const std::string_view> args) {
  State state{};
  bool options_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (options_done || arg.size() < 2 || arg[0] != '-') {
      spec.positional(state, arg);
      continue;
    }
    if (arg == "--") {
      options_done = true;
      continue;
    }
    const size_t eq = arg.find('=');
    const std::string_view name = arg.substr(0, eq);
    const cli::Option<State>& option = find_option(spec, name);
    if (option.value_name.empty()) {
      if (eq != std::string_view::npos)
        throw InputError(str(name) + " takes no value (got " + str(arg) + ")");
      option.apply(state, name, {});
      continue;
    }
    std::string_view value;
    if (eq != std::string_view::npos) {
      value = arg.substr(eq + 1);
    } else {
      // A following "--word" is far more likely a forgotten value than a value; --flag=--word still works.
      if (i + 1 == args.size() || (args[i + 1].size() > 2 && args[i + 1].substr(0, 2) == "--"))
        throw InputError(str(name) + ": missing value (expected " + option.expected + ")");
      value = args[++i];
    }
    option.apply(state, name, value);
  }
  spec.finish(state);
  return state;
}

}  // namespace vkae::app
