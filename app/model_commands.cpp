// eval, denoise, view and summary: each command's option table (defaults read from the library's config
// structs), its checks, and running it. The parsing machinery is app/spec_parser.hpp's.
#include "app/model_commands.hpp"

#include <ostream>

#include "app/json_output.hpp"
#include "app/options.hpp"
#include "app/run_output.hpp"
#include "app/sigint_guard.hpp"
#include "app/text.hpp"
#include "nn/data/dataset.hpp"
#include "nn/infer/image_passes.hpp"
#include "nn/model/spec.hpp"
#include "viewer/viewer.hpp"

namespace vkae::app {
namespace {

using namespace cli;

// ---- eval ----

struct EvalState {
  EvalCommand command;
  std::optional<std::string> dataset;
};

// The checkpoint as --checkpoint F or the only positional argument.
void set_eval_checkpoint(EvalState& s, std::string_view v) {
  set_checkpoint_path(s.command.config.checkpoint, "eval", v);
}

Spec<EvalState> eval_spec() {
  using S = EvalState;
  const nn::EvalConfig d;
  Spec<S> spec{"eval",
               "vkae eval --checkpoint FILE [options]",
               "Reports the test-set BCE of a checkpoint (noisy input vs clean target, mean per pixel).",
               {},
               set_eval_checkpoint,
               "The checkpoint may also be given as the only positional argument."};
  spec.options = {
      text_option<S>("--checkpoint", "FILE", "a checkpoint file",
                     "the .safetensors checkpoint to evaluate (required)", set_eval_checkpoint),
      dataset_option<S>("--dataset", nn::dataset_names_text() + " (default: the checkpoint's dataset)"),
      data_option<S>(),
      number_option<S>("--noise", true, "noise factor of the test inputs (default " + general(d.noise) + ")",
                       [](S& s, float v) { s.command.config.noise = v; }),
      integer_option<S, uint64_t>("--seed", 0, "noise seed (default " + std::to_string(d.seed) + ")",
                                  [](S& s, uint64_t v) { s.command.config.seed = v; }),
      integer_option<S, uint32_t>("--limit", 1, "evaluate the first N test images only (default: all)",
                                  [](S& s, uint32_t v) { s.command.config.limit = v; }),
      switch_option<S>("--json", "print one JSON object on one line (default: a sentence)",
                       [](S& s) { s.command.json = true; }),
      device_option<S>([](S& s, std::string_view v) { s.command.config.device = str(v); }),
  };
  spec.finish = [](S& s) {
    if (s.command.config.checkpoint.empty())
      throw InputError("eval needs --checkpoint FILE (a checkpoint.safetensors from a run folder)");
    if (s.dataset) s.command.config.dataset = *s.dataset;
  };
  return spec;
}

int run_eval(const EvalCommand& command, const Console& console) {
  const nn::EvalResult result = nn::evaluate(command.config);
  console.out << (command.json ? format_eval_json(command.config, result)
                               : format_eval_text(command.config, result))
              << std::endl;
  return kExitOk;
}

// ---- denoise ----

struct DenoiseState {
  DenoiseCommand command;
  int positionals = 0;
};

Spec<DenoiseState> denoise_spec() {
  return png_command_spec<DenoiseState>(
      "denoise",
      "Runs an image (PNG, JPEG, BMP; any size) through the model, in the model's channels (grey or RGB).\n"
      "A convolutional model takes the whole image at its own size (tiled with overlap where it is larger\n"
      "than --tile); a model with dense layers gets it resized to its input, and says so.",
      "the .safetensors checkpoint (required)", "a checkpoint.safetensors from a run folder");
}

int run_denoise(const DenoiseCommand& command, const Console& console) {
  const nn::ImagePassResult r =
      nn::denoise_image(command.checkpoint, command.in_png, command.out_png, {command.device, command.tile});
  console.out << "denoised " << command.in_png.string() << ": " << nn::image_pass_text(r) << "\nwrote "
              << command.out_png.string() << std::endl;
  return kExitOk;
}

// ---- view ----

struct ViewState {
  ViewCommand command;
  std::optional<std::string> dataset;
};

void set_view_checkpoint(ViewState& s, std::string_view v) {
  set_checkpoint_path(s.command.config.checkpoint, "view", v);
}

Spec<ViewState> view_spec() {
  using S = ViewState;
  const viewer::ViewConfig d;
  Spec<S> spec{
      "view",
      "vkae view --checkpoint FILE [options]",
      "Opens the viewer on a trained model without training: browse test images, move the noise\n"
      "slider, see the reconstruction change; the loss curves come from the run's metrics.jsonl.",
      {},
      set_view_checkpoint,
      "Needs a display (or xvfb-run). The checkpoint may also be given as the only positional argument."};
  spec.options = {
      text_option<S>("--checkpoint", "FILE", "a checkpoint file", "the .safetensors checkpoint (required)",
                     set_view_checkpoint),
      dataset_option<S>("--dataset", nn::dataset_names_text() + " (default: the checkpoint's dataset)"),
      text_option<S>(
          "--data", "DIR|NAME", folder_or_dataset(),
          "folder with the IDX files (default: the cache); " + nn::dataset_names_text() + " name the dataset",
          [](S& s, std::string_view v) {
            if (nn::dataset_from_alias(v))
              set_dataset(s.dataset, "--data", v);
            else
              s.command.config.data_dir = std::filesystem::path(v);
          }),
      number_option<S>("--noise", true,
                       "initial noise factor of the inputs (default " + general(d.noise) + ")",
                       [](S& s, float v) { s.command.config.noise = v; }),
      integer_option<S, uint64_t>("--seed", 0, "noise seed (default " + std::to_string(d.seed) + ")",
                                  [](S& s, uint64_t v) { s.command.config.seed = v; }),
      device_option<S>([](S& s, std::string_view v) { s.command.config.device = str(v); }),
      text_option<S>("--screenshot", "FILE.png", "a PNG path",
                     "render --frames frames, save the window as a PNG and quit (default: none)",
                     [](S& s, std::string_view v) { s.command.screenshot = std::filesystem::path(v); }),
      integer_option<S, uint32_t>("--frames", 1, "frames to render before --screenshot (default 30)",
                                  [](S& s, uint32_t v) { s.command.frames = v; }),
  };
  spec.finish = [](S& s) {
    if (s.command.config.checkpoint.empty())
      throw InputError("view needs --checkpoint FILE (a checkpoint.safetensors from a run folder)");
    if (s.dataset) s.command.config.dataset = *s.dataset;
  };
  return spec;
}

int run_view(const ViewCommand& command, const Console& console) {
  viewer::ViewerOptions options;
  options.screenshot = command.screenshot;
  options.frames = command.frames;
  SigintGuard sigint;
  options.should_quit = [&] { return sigint.stop_requested(); };
  print_viewer_report(console.out, viewer::view_checkpoint(command.config, options));
  console.out << std::flush;
  return kExitOk;
}

// ---- summary ----

struct SummaryState {
  SummaryCommand command;
};

// "Built-in models: dae, dae-transpose, ...": from the list the models are resolved from.
std::string builtin_models_line() {
  std::string line = "Built-in models: ";
  const auto names = nn::builtin_model_names();
  for (size_t i = 0; i < names.size(); ++i) line += (i ? ", " : "") + names[i];
  return line + ".";
}

Spec<SummaryState> summary_spec() {
  using S = SummaryState;
  return {"summary",
          "vkae summary [--model] NAME|FILE.json",
          "Prints a model's layers with their output shapes and parameter counts, as Keras' model.summary()\n"
          "does, without touching the GPU. Checks a .json layer list the same way training would.",
          {text_option<S>("--model", "NAME|FILE.json", "a model name or a .json spec",
                          "built-in model name or a .json model spec (default dae)",
                          [](S& s, std::string_view v) { s.command.model = str(v); })},
          [](S& s, std::string_view arg) { s.command.model = str(arg); },
          builtin_models_line(),
          [](S&) {}};
}

int run_summary(const SummaryCommand& command, const Console& console) {
  console.out << nn::model_summary(nn::resolve_model(command.model));
  return kExitOk;
}

}  // namespace

CommandEntry eval_entry() {
  return spec_entry<eval_spec, run_eval>("eval --checkpoint FILE", "test-set BCE of a checkpoint");
}

CommandEntry denoise_entry() {
  return spec_entry<denoise_spec, run_denoise>("denoise --checkpoint FILE in.png out.png",
                                               "run a PNG through a model");
}

CommandEntry view_entry() {
  return spec_entry<view_spec, run_view>("view --checkpoint FILE",
                                         "the viewer on a trained model (needs a display)");
}

CommandEntry summary_entry() {
  return spec_entry<summary_spec, run_summary>("summary [--model NAME]",
                                               "layers, output shapes and parameter counts of a model");
}

std::string format_eval_text(const nn::EvalConfig& config, const nn::EvalResult& result) {
  const std::string how = result.denoising
                              ? "noise " + general(config.noise) + ", seed " + std::to_string(config.seed)
                              : "seed " + std::to_string(config.seed);
  return "test " + result.loss_label + " " + fixed(result.loss, 4) + " on " + std::to_string(result.images) +
         " images (" + how + ") in " + fixed(result.seconds, 1) + " s";
}

std::string format_eval_json(const nn::EvalConfig& config, const nn::EvalResult& result) {
  Json j;
  // "bce" stays the key of a mean BCE (what scripts read); every result also has "loss" and its label.
  if (result.loss_label == "BCE") j["bce"] = json_number(result.loss);
  j["loss"] = json_number(result.loss);
  j["loss_kind"] = result.loss_label;
  j["images"] = result.images;
  j["noise"] = json_number(double(config.noise));
  j["seed"] = config.seed;
  j["model"] = result.model;
  j["dataset"] = result.dataset;
  j["device"] = result.device;
  j["checkpoint"] = config.checkpoint.string();
  j["seconds"] = json_number(result.seconds);
  j["images_per_s"] = json_number(result.images_per_s);
  return json_line(j);
}

}  // namespace vkae::app
