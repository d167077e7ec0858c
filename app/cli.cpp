// The `vkae` argument parser: a table of options per command (name, value, what is expected, help line,
// setter) drives parsing, "did you mean" hints and the help texts, so a flag cannot exist without its help.
// This file holds the generic parser, help rendering and command dispatch; the tables are cli_core.cpp's,
// cli_analysis.cpp's, cli_generate.cpp's and cli_bench.cpp's. Pure: throws vkae::InputError for bad input.
#include "app/cli.hpp"

#include <vulkan/vulkan.h>

#include <algorithm>
#include <optional>
#include <vector>

#include "app/cli_analysis.hpp"
#include "app/cli_bench.hpp"
#include "app/cli_core.hpp"
#include "app/cli_generate.hpp"
#include "app/options.hpp"
#include "base/error.hpp"

#ifndef VKAE_VERSION
#define VKAE_VERSION "0.1.0"
#endif

namespace vkae::app {
namespace {

using namespace cli;
using namespace std::string_literals;

// ---- the generic parser and help ----

bool is_help_flag(std::string_view a) {
  return a == "--help" || a == "-h";
}

// `text` word-wrapped into lines of at most `width` characters, continuation lines indented by `indent`.
std::string wrap(std::string_view text, size_t indent, size_t width) {
  std::string out, line;
  while (!text.empty()) {
    const size_t space = std::min(text.find(' '), text.size());
    const std::string_view word = text.substr(0, space);
    text.remove_prefix(std::min(space + 1, text.size()));
    if (!line.empty() && indent + line.size() + 1 + word.size() > width) {
      out += line + "\n" + std::string(indent, ' ');
      line.clear();
    }
    line += (line.empty() ? "" : " ") + str(word);
  }
  return out + line;
}

template <typename State>
std::string render_help(const Spec<State>& spec) {
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

template <typename State>
State parse_with(const Spec<State>& spec, std::span<const std::string_view> args) {
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
    const auto it =
        std::find_if(spec.options.begin(), spec.options.end(), [&](const auto& o) { return o.name == name; });
    if (it == spec.options.end()) {
      std::vector<std::string_view> names;
      for (const auto& o : spec.options) names.push_back(o.name);
      names.push_back("--help");
      const auto hint = closest_match(name, names);
      throw InputError(
          "unknown option " + str(name) + " for " + str(spec.command) +
          (hint ? " (did you mean " + *hint + "?)" : " (see vkae " + str(spec.command) + " --help)"));
    }
    if (it->value_name.empty()) {
      if (eq != std::string_view::npos)
        throw InputError(str(name) + " takes no value (got " + str(arg) + ")");
      it->apply(state, name, {});
      continue;
    }
    std::string_view value;
    if (eq != std::string_view::npos) {
      value = arg.substr(eq + 1);
    } else {
      // A following "--word" is far more likely a forgotten value than a value; --flag=--word still works.
      if (i + 1 == args.size() || (args[i + 1].size() > 2 && args[i + 1].substr(0, 2) == "--"))
        throw InputError(str(name) + ": missing value (expected " + it->expected + ")");
      value = args[++i];
    }
    it->apply(state, name, value);
  }
  return state;
}

// Calls fn(spec) with the spec of `command`; nullopt for an unknown command.
template <typename Fn>
auto with_spec(std::string_view command, Fn&& fn) -> std::optional<decltype(fn(train_spec()))> {
  if (command == "train") return fn(train_spec());
  if (command == "eval") return fn(eval_spec());
  if (command == "denoise") return fn(denoise_spec());
  if (command == "devices") return fn(devices_spec());
  if (command == "fetch") return fn(fetch_spec());
  if (command == "view") return fn(view_spec());
  if (command == "summary") return fn(summary_spec());
  if (command == "generate") return fn(generate_spec());
  if (command == "encode") return fn(encode_spec());
  if (command == "anomaly") return fn(anomaly_spec());
  if (command == "reduce") return fn(reduce_spec());
  if (command == "upscale") return fn(upscale_spec());
  if (command == "bench") return fn(bench_spec());
  return std::nullopt;
}

[[noreturn]] void unknown_command(std::string_view word) {
  if (dataset_name(word))
    throw InputError("unknown command " + str(word) + " (did you mean vkae train " + str(word) + "?)");
  const auto train_options = train_spec().options;
  if (std::any_of(train_options.begin(), train_options.end(), [&](const auto& o) { return o.name == word; }))
    throw InputError("unknown command " + str(word) + " (options go after the command: vkae train " +
                     str(word) + " ...)");
  const auto hint = closest_match(word, kCommands);
  std::string all;  // "train, eval, ... or help", from the one list of commands
  for (size_t i = 0; i < std::size(kCommands); ++i)
    all += (i == 0 ? "" : i + 1 == std::size(kCommands) ? " or " : ", ") + str(kCommands[i]);
  throw InputError("unknown command " + str(word) + (hint ? " (did you mean " + *hint + "?)" : ": expected " + all));
}

const char* const kOverview =
    "usage: vkae <command> [options]\n"
    "       vkae --train mnist          (same as: vkae train mnist)\n\n"
    "Trains autoencoders on any GPU through Vulkan compute shaders.\n\n"
    "commands:\n"
    "  train [mnist|fashion]       train a model and write a run folder\n"
    "  eval --checkpoint FILE      test-set BCE of a checkpoint\n"
    "  denoise --checkpoint FILE in.png out.png\n"
    "                              run a PNG through a model\n"
    "  generate --checkpoint FILE  a VAE's samples (and for 2-D latents its manifold and latent scatter)\n"
    "  devices                     list Vulkan devices and the one vkae picks\n"
    "  summary [--model NAME]      layers, output shapes and parameter counts of a model\n"
    "  fetch [mnist]               download a dataset into the cache\n"
    "  view --checkpoint FILE      the viewer on a trained model (needs a display)\n"
    "  bench [--model dae]         training/inference speed and a per-op timing table\n"
    "  encode --checkpoint FILE --out FILE.npy|FILE.csv\n"
    "                              the latent code of every image of a split\n"
    "  anomaly --checkpoint FILE   reconstruction error per image, ROC AUC of a held-out class\n"
    "  reduce --checkpoint FILE    reconstruction error next to PCA's at the same code size\n"
    "  upscale --checkpoint FILE in.png out.png\n"
    "                              a super-resolution model on a PNG\n"
    "  help [command]              this help, or a command's\n\n"
    "options:\n"
    "  -h, --help                  show help (`vkae <command> --help` for a command's options)\n"
    "  -V, --version               show the version\n\n"
    "environment: VKAE_DEVICE (like --device), VKAE_VALIDATION=1 (Vulkan validation layers).\n"
    "exit codes: 0 success, 1 error, 2 bad command line, 130 training stopped by Ctrl-C.\n";

}  // namespace

std::optional<std::string> closest_match(std::string_view word,
                                         std::span<const std::string_view> candidates) {
  auto core = [](std::string_view s) { return s.substr(std::min(s.find_first_not_of('-'), s.size())); };
  const std::string_view w = core(word);
  if (w.empty()) return std::nullopt;
  std::optional<std::string> best;
  size_t best_score = w.size() >= 5 ? 3 : 2;  // accept scores below this
  for (const auto candidate : candidates) {
    const std::string_view c = core(candidate);
    std::vector<size_t> row(c.size() + 1);  // Levenshtein distance, one row at a time
    for (size_t j = 0; j <= c.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= w.size(); ++i) {
      size_t diagonal = row[0];
      row[0] = i;
      for (size_t j = 1; j <= c.size(); ++j) {
        const size_t above = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (w[i - 1] == c[j - 1] ? 0 : 1)});
        diagonal = above;
      }
    }
    size_t score = row[c.size()];
    if (w.size() >= 2 && c.substr(0, w.size()) == w) score = std::min<size_t>(score, 1);  // a prefix
    if (score < best_score) {
      best_score = score;
      best = str(candidate);
    }
  }
  return best;
}

std::string help_text(std::string_view command) {
  if (command.empty() || command == "help") return kOverview;
  if (auto text = with_spec(command, [](const auto& spec) { return render_help(spec); })) return *text;
  unknown_command(command);
}

std::string version_text() {
  constexpr uint32_t v = VK_HEADER_VERSION_COMPLETE;
  return "vkae "s + VKAE_VERSION + " (Vulkan headers " + std::to_string(VK_API_VERSION_MAJOR(v)) + "." +
         std::to_string(VK_API_VERSION_MINOR(v)) + "." + std::to_string(VK_API_VERSION_PATCH(v)) + ")";
}

Command parse_command_line(std::span<const std::string_view> args) {
  if (args.empty()) return HelpCommand{kOverview};
  const std::string_view first = args[0];
  const auto rest = args.subspan(1);
  if (is_help_flag(first) || first == "help") {
    if (rest.size() > 1)
      throw InputError("unexpected argument " + str(rest[1]) + " for help: expected one command");
    if (rest.empty()) return HelpCommand{kOverview};
    std::string_view topic = rest[0];
    if (topic.substr(0, 2) == "--") topic.remove_prefix(2);  // `vkae help --train`
    return HelpCommand{help_text(topic)};
  }
  if (first == "--version" || first == "-V" || first == "version") {
    if (!rest.empty()) throw InputError("unexpected argument " + str(rest[0]) + " for --version");
    return VersionCommand{};
  }
  // `vkae --train mnist` is `vkae train mnist`; so for every command.
  std::string_view name = first;
  if (name.substr(0, 2) == "--" &&
      std::find(std::begin(kCommands), std::end(kCommands), name.substr(2)) != std::end(kCommands))
    name.remove_prefix(2);
  auto command = with_spec(name, [rest](const auto& spec) -> Command {
    for (const auto a : rest) {  // --help wins over everything before a `--`
      if (a == "--") break;
      if (is_help_flag(a)) return HelpCommand{render_help(spec)};
    }
    auto state = parse_with(spec, rest);
    return spec.finish(state);
  });
  if (!command) unknown_command(first.substr(0, first.find('=')));
  return *command;
}

Command parse_command_line(int argc, const char* const* argv) {
  std::vector<std::string_view> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  return parse_command_line(std::span<const std::string_view>(args));
}

}  // namespace vkae::app
