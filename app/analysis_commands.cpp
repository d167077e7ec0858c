// Option tables of encode, anomaly, reduce and upscale. The three commands over a split share their options
// (checkpoint, split, limit, dataset, data, device) through the templates below; each finish() checks the
// required arguments and combinations so that running never starts on a command line it would refuse later.
// Running them is app/analysis_reports.cpp's.
#include "app/analysis_commands.hpp"

#include "app/analysis_reports.hpp"
#include "app/options.hpp"
#include "nn/data/dataset.hpp"

namespace vkae::app {
namespace {

using namespace cli;

struct EncodeState {
  EncodeCommand command;
  std::optional<std::string> dataset;
};
struct AnomalyState {
  AnomalyCommand command;
  std::optional<std::string> dataset;
};
struct ReduceState {
  ReduceCommand command;
  std::optional<std::string> dataset;
};
struct UpscaleState {
  UpscaleCommand command;
  int positionals = 0;
};

// The checkpoint as --checkpoint F or the only positional argument.
template <typename S>
void set_checkpoint(S& s, std::string_view command, std::string_view v) {
  set_checkpoint_path(s.command.config.checkpoint, command, v);
}

template <typename S>
Option<S> checkpoint_option(std::string_view command) {
  return {"--checkpoint", "FILE", "a checkpoint file", "the .safetensors checkpoint (required)",
          [command](S& s, std::string_view flag, std::string_view v) {
            if (v.empty()) bad_value(flag, v, "a checkpoint file");
            set_checkpoint(s, command, v);
          }};
}

template <typename S>
Option<S> split_option() {
  return {"--split", "test|train", "test or train", "which split of the dataset (default test)",
          [](S& s, std::string_view flag, std::string_view v) {
            if (v == "test")
              s.command.config.split = nn::Split::Test;
            else if (v == "train")
              s.command.config.split = nn::Split::Train;
            else
              bad_value(flag, v, "test or train");
          }};
}

template <typename S>
Option<S> limit_option(std::string help) {
  return integer_option<S, uint32_t>("--limit", 1, std::move(help),
                                     [](S& s, uint32_t v) { s.command.config.limit = v; });
}

// The options every command over a split has, after its own.
template <typename S>
void add_split_options(std::vector<Option<S>>& options) {
  options.push_back(
      dataset_option<S>("--dataset", nn::dataset_names_text() + " (default: the checkpoint's dataset)"));
  options.push_back(data_option<S>());
  options.push_back(device_option<S>([](S& s, std::string_view v) { s.command.config.device = str(v); }));
}

template <typename S>
void finish_split(S& s, std::string_view command) {
  if (s.command.config.checkpoint.empty())
    throw InputError(str(command) + " needs --checkpoint FILE (a checkpoint.safetensors from a run folder)");
  if (s.dataset) s.command.config.dataset = *s.dataset;
}

bool has_extension(const std::filesystem::path& p, std::string_view ext) {
  return p.extension() == ext;
}

Spec<EncodeState> encode_spec() {
  using S = EncodeState;
  Spec<S> spec{
      "encode",
      "vkae encode --checkpoint FILE --out FILE.npy|FILE.csv [options]",
      "Writes the latent code (the encoder's output; a VAE's mean mu) of every image of a split, with "
      "labels.",
      {},
      [](S& s, std::string_view arg) { set_checkpoint(s, "encode", arg); },
      "FILE.npy: a float32 array [N, Z] in NumPy's .npy format, and the labels as uint8 [N] in "
      "FILE.labels.npy\n"
      "next to it (numpy.load reads both). FILE.csv: a header line label,z0,z1,... then one row per image.\n"
      "Images are in file order. The checkpoint may also be given as the only positional argument."};
  spec.options = {
      checkpoint_option<S>(spec.command),
      text_option<S>("--out", "FILE", "a .npy or .csv path",
                     "where the codes go: FILE.npy or FILE.csv (required)",
                     [](S& s, std::string_view v) {
                       const std::filesystem::path p(v);
                       if (!has_extension(p, ".npy") && !has_extension(p, ".csv"))
                         bad_value("--out", v, "a path ending in .npy or .csv");
                       s.command.out = p;
                     }),
      split_option<S>(),
      limit_option<S>("encode the first N images of the split only (default: all)"),
  };
  add_split_options(spec.options);
  spec.finish = [](S& s) {
    finish_split(s, "encode");
    if (s.command.out.empty()) throw InputError("encode needs --out FILE.npy or --out FILE.csv");
  };
  return spec;
}

Spec<AnomalyState> anomaly_spec() {
  using S = AnomalyState;
  Spec<S> spec{
      "anomaly",
      "vkae anomaly --checkpoint FILE [--holdout-class NAME] [options]",
      "Scores every image of a split by the model's reconstruction error (its loss kind, mean per pixel, on\n"
      "the clean image), prints the mean and median per class and, with a held-out class, the ROC AUC of\n"
      "finding that class by its error (positives: class K; score: the error).",
      {},
      [](S& s, std::string_view arg) { set_checkpoint(s, "anomaly", arg); },
      "Train for this with vkae train --holdout-class NAME, which leaves that class out of training and\n"
      "records it in the checkpoint. Scores file: .csv with index,label,error per image, or .npy float32 [N] "
      "with the "
      "labels\n"
      "in FILE.labels.npy. The checkpoint may also be given as the only positional argument."};
  spec.options = {
      checkpoint_option<S>(spec.command),
      text_option<S>("--holdout-class", "NAME", "a class name",
                     "the anomalous class for the ROC AUC: a class folder's name, or 0..9 for the IDX "
                     "datasets (default: the checkpoint's, from train --holdout-class)",
                     [](S& s, std::string_view v) { s.command.holdout_name = str(v); }),
      split_option<S>(),
      limit_option<S>("score the first N images of the split only (default: all)"),
      text_option<S>("--out", "FILE", "a .csv or .npy path",
                     "also write every image's score: FILE.csv or FILE.npy (default: none)",
                     [](S& s, std::string_view v) {
                       const std::filesystem::path p(v);
                       if (!has_extension(p, ".npy") && !has_extension(p, ".csv"))
                         bad_value("--out", v, "a path ending in .csv or .npy");
                       s.command.out = p;
                     }),
      switch_option<S>("--json", "print one JSON object on one line (default: a table)",
                       [](S& s) { s.command.json = true; }),
  };
  add_split_options(spec.options);
  spec.finish = [](S& s) { finish_split(s, "anomaly"); };
  return spec;
}

Spec<ReduceState> reduce_spec() {
  using S = ReduceState;
  Spec<S> spec{
      "reduce",
      "vkae reduce --checkpoint FILE [--components K] [options]",
      "Dimensionality reduction report: the model's test reconstruction error next to PCA's with as many\n"
      "components as the model's code has numbers, in the same metrics (MSE and BCE per pixel), plus PCA's\n"
      "explained variance and its error at 1, 2, 4, ... components.",
      {},
      [](S& s, std::string_view arg) { set_checkpoint(s, "reduce", arg); },
      "PCA is fitted on the training images (without the checkpoint's held-out class) on the CPU in double;\n"
      "all 60000 MNIST images take a few seconds. PCA's BCE clips its reconstruction to [1e-7, 1 - 1e-7];\n"
      "the model's output is scored by the same formulas. A denoising model gets the clean images.\n"
      "The checkpoint may also be given as the only positional argument."};
  spec.options = {
      checkpoint_option<S>(spec.command),
      integer_option<S, uint32_t>("--components", 1, "PCA components K (default: the model's code size)",
                                  [](S& s, uint32_t v) { s.command.components = v; }),
      limit_option<S>("compare on the first N test images only (default: all)"),
      integer_option<S, uint32_t>("--fit-limit", 2,
                                  "fit PCA on the first N training images only (default: all)",
                                  [](S& s, uint32_t v) { s.command.fit_limit = v; }),
      switch_option<S>("--json", "print one JSON object on one line (default: a table)",
                       [](S& s) { s.command.json = true; }),
  };
  add_split_options(spec.options);
  spec.finish = [](S& s) { finish_split(s, "reduce"); };
  return spec;
}

Spec<UpscaleState> upscale_spec() {
  return png_command_spec<UpscaleState>(
      "upscale",
      "Runs an image (PNG, JPEG, BMP; any size) through a super-resolution model (vkae train --model sr):\n"
      "written at twice its size, in the model's channels, tiled with overlap where it is larger than "
      "--tile.",
      "the .safetensors checkpoint of a super-resolution model (required)",
      "a checkpoint.safetensors of a --model sr run");
}

}  // namespace

CommandEntry encode_entry() {
  return spec_entry<encode_spec, run_encode>("encode --checkpoint FILE --out FILE.npy|FILE.csv",
                                             "the latent code of every image of a split");
}

CommandEntry anomaly_entry() {
  return spec_entry<anomaly_spec, run_anomaly>("anomaly --checkpoint FILE",
                                               "reconstruction error per image, ROC AUC of a held-out class");
}

CommandEntry reduce_entry() {
  return spec_entry<reduce_spec, run_reduce>("reduce --checkpoint FILE",
                                             "reconstruction error next to PCA's at the same code size");
}

CommandEntry upscale_entry() {
  return spec_entry<upscale_spec, run_upscale>("upscale --checkpoint FILE in.png out.png",
                                               "a super-resolution model on a PNG");
}

}  // namespace vkae::app
