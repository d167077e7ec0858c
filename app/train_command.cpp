// `vkae train`: the option table (defaults read from nn::TrainConfig), its checks, and running it with the
// progress display, Ctrl-C handling and the closing report. Parsing machinery is app/spec_parser.hpp's; the
// table of commands app/cli.cpp's.
#include "app/train_command.hpp"

#include <algorithm>
#include <ostream>
#include <sstream>
#include <vector>

#include "app/control_options.hpp"
#include "app/options.hpp"
#include "app/progress.hpp"
#include "app/run_output.hpp"
#include "app/sigint_guard.hpp"
#include "app/text.hpp"
#include "nn/data/dataset.hpp"
#include "nn/model/spec.hpp"
#include "nn/parallel/ranks.hpp"
#include "runtime/vulkan_error.hpp"
#include "viewer/viewer.hpp"

namespace vkae::app {
namespace {

using namespace cli;
namespace fs = std::filesystem;

struct TrainState {
  TrainCommand command;
  std::optional<std::string> dataset;
  bool positional_seen = false;
};
using S = TrainState;

// `vkae train fashion`: at most one dataset, by name.
void set_positional_dataset(S& s, std::string_view arg) {
  if (s.positional_seen)
    throw InputError("unexpected argument " + str(arg) + " for train: expected one dataset (" +
                     nn::dataset_names_text() + ")");
  if (!nn::dataset_from_alias(arg) && !nn::is_folder_dataset(arg))
    throw InputError("unknown dataset " + str(arg) + " for train: expected " + nn::dataset_names_text());
  s.positional_seen = true;
  set_dataset(s.dataset, "dataset", arg);
}

// What is trained and how: the dataset, the model, the optimizer's schedule, the noise, the image subset.
std::vector<Option<S>> model_and_schedule_options(const nn::TrainConfig& d) {
  return {
      dataset_option<S>("--dataset",
                        nn::dataset_names_text() + ", like the positional (default " + d.dataset + ")"),
      text_option<S>("--model", "NAME|FILE.json", "a model name or a .json spec",
                     "built-in model name or a .json model spec (default " + d.model + ")",
                     [](S& s, std::string_view v) {
                       s.command.config.model = str(v);
                       s.command.config.model_given = true;
                     }),
      integer_option<S, uint32_t>("--epochs", 1,
                                  "passes over the training set (default " + std::to_string(d.epochs) + ")",
                                  [](S& s, uint32_t v) { s.command.config.epochs = v; }),
      integer_option<S, uint32_t>("--latent", 1, "a VAE's latent size Z (default: the model's, 2 for vae)",
                                  [](S& s, uint32_t v) { s.command.config.latent = v; }),
      text_option<S>("--holdout-class", "NAME", "a class name",
                     "leave class NAME (a digit, or a class folder's name) out of training, for vkae anomaly "
                     "(default: none)",
                     [](S& s, std::string_view v) { s.command.config.holdout_name = str(v); }),
      integer_option<S, uint32_t>("--batch", 1, "images per step (default " + std::to_string(d.batch) + ")",
                                  [](S& s, uint32_t v) { s.command.config.batch = v; }),
      number_option<S>("--lr", false, "learning rate (default " + general(d.lr) + ")",
                       [](S& s, float v) { s.command.config.lr = v; }),
      number_option<S>("--noise", true,
                       "denoising noise: input clip(x + F*N(0,1), 0, 1); 0 = plain autoencoder (default " +
                           general(d.noise) + ")",
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
  };
}

// Where the run's files, the data and the device come from, and the validation at each epoch end.
std::vector<Option<S>> run_options() {
  return {
      text_option<S>("--out", "DIR", "a folder",
                     "run folder (default: a new folder under runs/, or the --resume one)",
                     [](S& s, std::string_view v) { s.command.config.out = fs::path(v); }),
      text_option<S>("--resume", "CKPT", "a checkpoint file",
                     "continue from this checkpoint.safetensors (default: start fresh)",
                     [](S& s, std::string_view v) { s.command.config.resume = fs::path(v); }),
      device_option<S>([](S& s, std::string_view v) { s.command.config.device = str(v); }),
      data_option<S>(),
      switch_option<S>("--no-val", "skip validation on the test split at each epoch end (default: validate)",
                       [](S& s) { s.command.config.validate = false; }),
      switch_option<S>("--no-tensorboard",
                       "write no TensorBoard event files (default: RUN/train/ and RUN/validation/)",
                       [](S& s) { s.command.config.tensorboard = false; }),
      integer_option<S, uint32_t>("--val-limit", 1,
                                  "validate on the first N test images (default: all, but no more than an "
                                  "epoch or --steps trains on)",
                                  [](S& s, uint32_t v) { s.command.config.val_limit = v; }),
      size_option<S>("--data-budget",
                     "device memory the training images may take, e.g. 512M or 2G; past it they stream "
                     "through a ring of shards (default: half the device memory less the model's)",
                     [](S& s, uint64_t v) { s.command.config.data_budget = v; }),
  };
}

std::vector<Option<S>> viewer_options() {
  return {
      switch_option<S>("--viewer",
                       "open a live window (noisy | reconstruction | clean, loss curves, controls); needs a "
                       "display (default: no window)",
                       [](S& s) { s.command.viewer = true; }),
      text_option<S>(
          "--screenshot", "FILE.png", "a PNG path",
          "with --viewer: render --frames frames, save the window as a PNG, stop and save (default: none)",
          [](S& s, std::string_view v) { s.command.screenshot = fs::path(v); }),
      integer_option<S, uint32_t>("--frames", 1, "frames to render before --screenshot (default 30)",
                                  [](S& s, uint32_t v) { s.command.frames = v; }),
  };
}

Spec<S> train_spec() {
  const nn::TrainConfig d;
  Spec<S> spec{
      "train",
      "vkae train [" + nn::dataset_name_list("|", "|") +
          "|FOLDER] [options]\n       vkae --train mnist [options]",
      "Trains an autoencoder on the dataset (default mnist) through Vulkan compute and writes the run\n"
      "folder: checkpoint.safetensors, metrics.jsonl, loss.png, samples.png, and TensorBoard event files\n"
      "in train/ and validation/ (tensorboard --logdir RUN).",
      {},
      set_positional_dataset,
      "Ctrl-C, SIGTERM or SIGHUP stops after the current steps and saves the checkpoint (exit code 130,\n"
      "143, 129); a second one quits at once. Continue a run with --resume RUN/checkpoint.safetensors.\n"
      "Every epoch also writes history.csv (epoch, step, loss, val_loss, lr, seconds, images/s, memory);\n"
      "a non-finite loss or gradient stops the run with one line naming the step and the layer."};
  for (auto group : {model_and_schedule_options(d), optimizer_options<S>(), schedule_options<S>(),
                     callback_options<S>(), run_options(), image_options<S>(), viewer_options()})
    spec.options.insert(spec.options.end(), group.begin(), group.end());
  spec.finish = [](S& s) {
    if (s.dataset) s.command.config.dataset = *s.dataset;
    if (s.command.screenshot && !s.command.viewer)
      throw InputError("--screenshot " + s.command.screenshot->string() + ": needs --viewer");
  };
  return spec;
}

int run_train(const TrainCommand& command, const Console& console) {
  const nn::TrainConfig& c = command.config;
  std::ostream& out = console.out;
  ProgressPrinter printer([&out](std::string_view s) { out << s << std::flush; }, console.terminal,
                          console.width, c.epochs);
  SigintGuard sigint;
  nn::TrainCallbacks callbacks;
  // The start-up line from the settings the run really uses (a resumed run's come from its checkpoint).
  fs::path run_out = c.out;
  callbacks.on_start = [&](const nn::TrainConfig& effective, const nn::ModelSpec& spec) {
    out << format_train_start(effective, spec.denoising) << std::endl;
    run_out = effective.out;
  };
  callbacks.on_progress = [&](const nn::TrainProgress& p) { printer.progress(p); };
  callbacks.on_epoch = [&](const nn::EpochSummary& s) { printer.epoch(s); };
  callbacks.on_note = [&](const std::string& note) { printer.note(note); };
  callbacks.on_decode = [&](uint64_t done, uint64_t total) { printer.decoding(done, total); };
  callbacks.should_stop = [&] { return sigint.stop_requested(); };
  nn::TrainResult result;
  viewer::ViewerReport report;
  // Several ranks: rank 0 alone opens the window; its controls reach the others through the steps' votes.
  const bool viewer = command.viewer && nn::Ranks::world().writer();
  try {
    if (viewer) {
      viewer::ViewerOptions options;
      options.screenshot = command.screenshot;
      options.frames = command.frames;
      options.should_quit = [&] { return sigint.stop_requested(); };
      result = viewer::train_with_viewer(c, callbacks, options, report);
    } else {
      result = nn::train(c, callbacks);  // never touches GLFW: no display needed
    }
  } catch (const rt::VulkanError& e) {
    printer.finish();  // the error line must not land on the bar
    if (e.result() != VK_ERROR_DEVICE_LOST) throw;
    const fs::path checkpoint = run_out / "checkpoint.safetensors";
    throw Error(
        "the Vulkan device was lost (VK_ERROR_DEVICE_LOST: a driver reset, a GPU fault or a hang); "
        "nothing was written after the last checkpoint; " +
        (fs::exists(checkpoint) ? "continue with vkae train --resume " + checkpoint.string()
                                : std::string("no checkpoint had been written yet")));
  } catch (...) {
    printer.finish();
    throw;
  }
  printer.finish();
  if (viewer) print_viewer_report(out, report);

  const bool stopped = sigint.stop_requested();
  const bool viewer_stop = !stopped && report.stop_requested;
  out << (stopped       ? "stopped by " + sigint.signal_name() + " after "
          : viewer_stop ? std::string("stopped from the viewer after ")
                        : std::string("done: "))
      << result.steps << " steps, "
      << render_epochs_done(result.epochs_done, result.partial_steps, result.epoch_steps) << " in "
      << fixed(result.seconds, 1) << " s (" << format_rate(result.images_per_s) << ")";
  if (!result.device.empty()) out << " on " << result.device;
  if (result.final_val_loss) out << "; val loss " << fixed(*result.final_val_loss, 4);
  if (result.ranks > 1)
    out << "\n"
        << result.ranks << " ranks; the gradient all-reduce took " << fixed(result.sum_seconds, 1)
        << " s of rank 0's " << fixed(result.seconds, 1) << " s ("
        << fixed(100 * result.sum_seconds / std::max(result.seconds, 1e-9), 1) << " %)";
  if (!result.early_stop.empty()) out << "\n" << result.early_stop;
  out << "\noutputs in " << result.out.string() << "/\n";
  print_folder(out, result.out);
  const fs::path checkpoint = result.out / "checkpoint.safetensors";
  if (stopped) out << "continue with: vkae train --resume " << checkpoint.string() << "\n";
  if (c.tensorboard) out << "plots in TensorBoard: tensorboard --logdir " << result.out.string() << "\n";
  out << "evaluate with: vkae eval --checkpoint " << checkpoint.string() << std::endl;
  return stopped ? sigint.exit_code() : kExitOk;
}

// The table's parse, then the command line itself into the config, for TensorBoard's text.
ParsedCommand parse_train(std::span<const std::string_view> args) {
  ParsedCommand parsed = parse_spec<train_spec, run_train>(args);
  const TrainCommand* command = parsed.get_if<TrainCommand>();
  if (!command) return parsed;  // --help
  std::vector<std::string_view> words = {"vkae", "train"};
  words.insert(words.end(), args.begin(), args.end());
  TrainCommand filled = *command;
  filled.config.command_line = shell_command_line(words);
  return ParsedCommand(std::move(filled), &run_erased<TrainCommand, run_train>);
}

}  // namespace

CommandEntry train_entry() {
  CommandEntry entry = spec_entry<train_spec, run_train>("train [" + nn::dataset_name_list("|", "|") + "]",
                                                         "train a model and write a run folder");
  entry.parse = &parse_train;
  return entry;
}

std::string shell_command_line(std::span<const std::string_view> words) {
  std::string line;
  for (const std::string_view w : words) {
    if (!line.empty()) line += ' ';
    const bool plain = !w.empty() && w.find_first_not_of(
                                         "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                         "0123456789@%+=:,./_-") == std::string_view::npos;
    if (plain) {
      line += w;
      continue;
    }
    line += '\'';  // '...' keeps everything but ' itself, written '\''
    for (const char c : w) line += c == '\'' ? std::string("'\\''") : std::string(1, c);
    line += '\'';
  }
  return line;
}

// What differs from plain Adam at a constant rate, for the start-up line.
static std::string format_control(const nn::TrainControl& c) {
  std::ostringstream out;
  if (c.optimizer.kind != nn::OptimizerKind::Adam)
    out << ", optimizer " << nn::optimizer_name(c.optimizer.kind);
  if (c.optimizer.weight_decay != 0) out << ", weight decay " << c.optimizer.weight_decay;
  if (c.schedule.kind != nn::LrScheduleKind::Constant)
    out << ", lr schedule " << nn::schedule_name(c.schedule.kind);
  if (c.schedule.warmup) out << ", warm-up " << c.schedule.warmup << " steps";
  if (c.save_every) out << ", checkpoint every " << c.save_every << " steps";
  if (c.save_best) out << ", keeping best.safetensors";
  if (c.early_stopping) out << ", early stopping after " << *c.early_stopping << " epochs";
  return out.str();
}

std::string format_train_start(const nn::TrainConfig& c, bool denoising) {
  std::ostringstream out;
  const std::string epochs = std::to_string(c.epochs) + (c.epochs == 1 ? " epoch" : " epochs");
  out << "training " << c.model << " on " << c.dataset << ": ";
  if (c.steps)  // --steps is what usually ends such a run; say so first
    out << *c.steps << " steps (unless " << epochs << " end" << (c.epochs == 1 ? "s" : "") << " first)";
  else
    out << epochs;
  out << ", batch " << c.batch << ", lr " << c.lr;
  if (denoising) out << ", noise " << c.noise;  // the other models never see the noise factor
  out << ", seed " << c.seed;
  if (c.limit) out << ", first " << *c.limit << " images";
  if (c.holdout_name)
    out << ", holding out class " << *c.holdout_name;
  else if (c.holdout_class)
    out << ", holding out class " << *c.holdout_class;
  out << format_control(c.control);
  if (c.resume) out << "; settings from " << c.resume->string();
  return out.str();
}

}  // namespace vkae::app
