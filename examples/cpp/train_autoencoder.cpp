// vkae as a library: builds a model from a JSON spec, trains it on MNIST or a folder of images, and saves it.
//
//   train_autoencoder DATASET OUT [--epochs N] [--limit N] [--spec FILE.json]
//
// DATASET is mnist, fashion or a folder of images; OUT the run folder. Without --spec the model is a small
// dense autoencoder written below, sized to the data's images. The checkpoint, OUT/checkpoint.safetensors,
// is the CLI's: `vkae eval OUT/checkpoint.safetensors`, `vkae denoise`, `vkae.load()` in Python read it.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "nn/data/dataset.hpp"
#include "nn/io/json.hpp"
#include "nn/model/spec.hpp"
#include "nn/train/trainer.hpp"

namespace {
namespace fs = std::filesystem;

// A dense autoencoder for images of `shape`: flatten, 128 -> 32 units, and back.
std::string dense_spec(vkae::nn::Shape3 shape) {
  const uint64_t size = uint64_t{shape.c} * shape.h * shape.w;
  const std::string dims =
      "[" + std::to_string(shape.c) + ", " + std::to_string(shape.h) + ", " + std::to_string(shape.w) + "]";
  return R"({"name": "example", "input": )" + dims + R"(, "loss": "bce", "denoising": false,
    "encoder": [{"type": "flatten"}, {"type": "dense", "units": 128, "activation": "relu"},
                {"type": "dense", "units": 32, "activation": "relu"}],
    "decoder": [{"type": "dense", "units": 128, "activation": "relu"},
                {"type": "dense", "units": )" +
         std::to_string(size) + R"(, "activation": "sigmoid"}, {"type": "reshape", "shape": )" + dims + "}]}";
}

struct Options {
  std::string dataset;
  fs::path out, spec;
  uint32_t epochs = 1;
  uint32_t limit = 0;
};

uint32_t count_flag(const char* flag, const char* value) {
  char* end = nullptr;
  const unsigned long v = std::strtoul(value, &end, 10);
  if (*value == '\0' || *end != '\0' || v == 0 || v > 1u << 30)
    throw vkae::InputError(std::string(flag) + " " + value + ": expected a whole number >= 1");
  return uint32_t(v);
}

Options parse(int argc, char** argv) {
  Options o;
  int positional = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    const bool has_value = i + 1 < argc;
    if ((a == "--epochs" || a == "--limit" || a == "--spec") && !has_value)
      throw vkae::InputError(std::string(a) + ": expected a value after it");
    if (a == "--epochs")
      o.epochs = count_flag(argv[i], argv[i + 1]), ++i;
    else if (a == "--limit")
      o.limit = count_flag(argv[i], argv[i + 1]), ++i;
    else if (a == "--spec")
      o.spec = argv[++i];
    else if (positional == 0)
      o.dataset = a, ++positional;
    else if (positional == 1)
      o.out = a, ++positional;
    else
      throw vkae::InputError(std::string(a) +
                             ": unexpected (usage: DATASET OUT [--epochs N] [--limit N] [--spec F])");
  }
  if (positional != 2)
    throw vkae::InputError("usage: train_autoencoder DATASET OUT [--epochs N] [--limit N] [--spec F]");
  return o;
}

// The spec as a file the trainer reads: --spec's, or the dense one sized to the dataset's images.
fs::path spec_file(const Options& o) {
  if (!o.spec.empty()) return o.spec;
  const vkae::nn::Dataset probe = vkae::nn::load_dataset(o.dataset, vkae::nn::Split::Test, {});
  const vkae::nn::Shape3 shape{probe.channels, probe.rows, probe.cols};
  // Checked here as the trainer would, so a mistake in the text above is one clear line.
  vkae::nn::parse_model_spec(vkae::nn::parse_json(dense_spec(shape), "spec"), "spec");
  fs::create_directories(o.out);
  const fs::path file = o.out / "example-spec.json";
  std::ofstream(file) << dense_spec(shape) << "\n";
  return file;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options o = parse(argc, argv);
    vkae::nn::TrainConfig config;
    config.dataset = o.dataset;
    config.model = spec_file(o).string();
    config.epochs = o.epochs;
    config.noise = 0;  // a plain autoencoder (the spec says denoising: false)
    if (o.limit) config.limit = o.limit, config.val_limit = std::min(o.limit, 1000u);
    config.out = o.out;
    config.tensorboard = false;
    vkae::nn::TrainCallbacks callbacks;
    callbacks.on_note = [](const std::string& note) { std::printf("%s\n", note.c_str()); };
    callbacks.on_epoch = [](const vkae::nn::EpochSummary& s) {
      std::printf("epoch %u: loss %.4f, val_loss %.4f, %.0f images/s\n", s.epoch, s.train_loss,
                  s.val_loss.value_or(0.0), s.images_per_s);
    };
    const vkae::nn::TrainResult r = vkae::nn::train(config, callbacks);
    std::printf("saved %s\n", (r.out / "checkpoint.safetensors").c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "train_autoencoder: %s\n", e.what());
    return 1;
  }
}
