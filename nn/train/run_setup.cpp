// Checks and preparations before a training run: the ranges of a TrainConfig, the model and a resumed
// checkpoint (whose own settings the run continues with), the datasets and the run folder. Nothing here
// touches the device; the training loop is trainer.cpp's.
#include "nn/train/run_setup.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <string>
#include <utility>

#include "base/error.hpp"
#include "nn/data/folder_scan.hpp"
#include "nn/parallel/ranks.hpp"

namespace vkae::nn {
namespace {

std::filesystem::path default_run_dir(const std::string& model, const std::string& dataset) {
  const std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&now));
  const std::filesystem::path data = std::filesystem::path(dataset).lexically_normal();
  const std::string data_name = (data.filename().empty() ? data.parent_path() : data).filename().string();
  std::string name = std::filesystem::path(model).stem().string() + "-" + data_name + "-" + stamp;
  std::filesystem::path dir = std::filesystem::path("runs") / name;
  for (int i = 2; std::filesystem::exists(dir); ++i)
    dir = std::filesystem::path("runs") / (name + "-" + std::to_string(i));
  return dir;
}

// Creates the folder and proves it is writable before any work starts.
void prepare_out_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw InputError("--out " + dir.string() + ": cannot create the folder: " + ec.message());
  if (!std::filesystem::is_directory(dir)) throw InputError("--out " + dir.string() + ": not a folder");
  const auto probe = dir / ".vkae-write-test";
  std::FILE* f = std::fopen(probe.c_str(), "wb");
  if (!f) throw InputError("--out " + dir.string() + ": folder is not writable");
  std::fclose(f);
  std::filesystem::remove(probe, ec);
}

// A resumed run must be of the same model and dataset as its checkpoint.
void check_resumable(const LoadedCheckpoint& resumed, const ModelSpec& spec, const TrainConfig& config) {
  const std::string what = "--resume " + config.resume->string();
  if (config.model_given && resumed.spec.name != spec.name)
    throw InputError(what + ": checkpoint of model '" + resumed.spec.name + "', not '" + spec.name +
                     "' (pass --model " + resumed.spec.name + ")");
  if (resumed.info.dataset != config.dataset)
    throw InputError(what + ": checkpoint trained on " + resumed.info.dataset + ", not " + config.dataset);
}

// The resume rule: a run continues with its own settings; only the run's length (--epochs, --steps) and
// where it runs come from the command line.
void continue_with_checkpoint_settings(TrainConfig& config, const RunInfo& info) {
  config.batch = info.batch;
  config.seed = info.seed;
  config.lr = info.lr;
  config.noise = info.noise;
  config.shuffle = info.shuffle;
  config.limit = info.limit;
  config.holdout_class = info.holdout_class;
  config.holdout_name.reset();
  config.images.val_split = info.images.val_split;
  config.images.crop = info.images.crop;
  config.images.skip_bad = info.images.skip_bad;
  config.control = info.control;  // the optimizer, schedule and callbacks continue as they were
}

DataSearch data_search(const TrainConfig& config, const ModelSpec* resumed_spec,
                       const TrainCallbacks* callbacks) {
  DataSearch search{config.data_dir, config.images, {}, {}};
  search.images.seed = config.seed;
  if (resumed_spec) {  // the checkpoint's images: its shape
    const Shape3 images = resumed_spec->output();
    search.images.channels = images.c;
    search.images.height = images.h;
    search.images.width = images.w;
  }
  if (callbacks) {
    search.on_progress = callbacks->on_decode;
    search.on_note = callbacks->on_note;
  }
  return search;
}

// The data's own shape for a built-in model (a .json spec or a resumed checkpoint keeps its shape): what
// the step gathers of an image, --crop random's window and not its stored margin.
void fit_model_to_data(RunSetup& s) {
  const Dataset& d = s.train_set;
  if (s.resumed || !is_builtin_model(s.config.model)) return;
  s.spec = fit_to_data(s.spec, Shape3{d.channels, d.sample_rows(), d.sample_cols()});
}

// The ranges of the settings; the dataset's name apart (lent datasets need none known).
void check_ranges(const TrainConfig& c) {
  if (c.batch == 0) throw InputError("--batch 0: expected an integer >= 1");
  if (c.epochs == 0) throw InputError("--epochs 0: expected an integer >= 1");
  if (!(c.lr > 0) || !std::isfinite(c.lr))
    throw InputError("--lr " + format_number(c.lr) + ": expected a positive number");
  if (!(c.noise >= 0) || !std::isfinite(c.noise))
    throw InputError("--noise " + format_number(c.noise) + ": expected a number >= 0");
  if (c.steps && *c.steps == 0) throw InputError("--steps 0: expected an integer >= 1");
  if (c.limit && *c.limit == 0) throw InputError("--limit 0: expected an integer >= 1");
  if (c.val_limit && *c.val_limit == 0) throw InputError("--val-limit 0: expected an integer >= 1");
  if (c.data_budget && *c.data_budget == 0) throw InputError("--data-budget 0: expected a size like 512M");
  // A resumed run takes its crop and size from the checkpoint.
  if (c.images.crop == Crop::Random && !c.resume && (!c.images.height || !c.images.width))
    throw InputError("--crop random needs --size H[xW]");
  check_control(c.control);
  const TrainControl& t = c.control;
  if (!c.validate && (t.save_best || t.early_stopping || t.schedule.kind == LrScheduleKind::Plateau))
    throw InputError(std::string(t.save_best        ? "--save-best"
                                 : t.early_stopping ? "--early-stopping"
                                                    : "--lr-schedule plateau") +
                     " watches the validation loss: drop --no-val");
  if (c.data_buffer_bytes && *c.data_buffer_bytes < 4)
    throw InputError("data_buffer_bytes " + std::to_string(*c.data_buffer_bytes) + ": expected at least 4");
}

}  // namespace

void validate_config(const TrainConfig& c) {
  check_ranges(c);
  require_known_dataset(c.dataset);
}

uint32_t validation_count(const TrainConfig& config, uint32_t train_count, uint32_t test_count) {
  if (config.val_limit) return std::min(test_count, *config.val_limit);
  uint64_t trained = uint64_t{train_count / config.batch} * config.batch;  // an epoch's, drop_last
  if (config.steps) trained = std::min<uint64_t>(trained, *config.steps * config.batch);
  return static_cast<uint32_t>(std::min<uint64_t>(test_count, std::max<uint64_t>(trained, 1)));
}

RunSetup prepare_run(const TrainConfig& config_in, const TrainHooks& lent, const TrainCallbacks* callbacks) {
  if (!lent.train_set != !lent.test_set) throw Error("train: lend both splits or neither");
  if (lent.live && !Ranks::world().writer()) throw Error("train: the live viewer is rank 0's alone");
  if (lent.train_set)
    check_ranges(config_in);
  else
    validate_config(config_in);
  RunSetup s;
  s.config = config_in;
  TrainConfig& config = s.config;
  s.spec = resolve_model(config.model);
  if (config.latent) set_latent_size(s.spec, *config.latent);
  if (config.resume) {
    s.resumed = read_checkpoint(*config.resume);
    check_resumable(*s.resumed, s.spec, config);
    s.spec = s.resumed->spec;
    config.model = s.spec.name;  // the checkpoint holds its model: no --model needed
    continue_with_checkpoint_settings(config, s.resumed->info);
  }
  if (lent.train_set) {
    s.train_set = *lent.train_set;
    s.test_set = *lent.test_set;
  } else {
    DatasetSplits splits =
        load_splits(config.dataset, data_search(config, s.resumed ? &s.resumed->spec : nullptr, callbacks));
    s.train_set = std::move(splits.train);
    s.test_set = std::move(splits.test);
  }
  if (config.holdout_name)
    config.holdout_class =
        class_index(s.train_set.class_names, *config.holdout_name, "--holdout-class", config.dataset);
  if (config.holdout_class) s.train_set = without_class(std::move(s.train_set), *config.holdout_class);
  fit_model_to_data(s);
  s.train_count = std::min(s.train_set.count, config.limit.value_or(s.train_set.count));
  if (s.train_count < config.batch)
    throw InputError("--batch " + std::to_string(config.batch) + ": larger than the " +
                     std::to_string(s.train_count) + " training images");
  const uint32_t ranks = Ranks::world().size();
  if (config.batch % ranks)
    throw InputError("--batch " + std::to_string(config.batch) + ": does not split evenly over " +
                     std::to_string(ranks) + " ranks (expected a multiple of " + std::to_string(ranks) +
                     "; --batch is the global batch)");
  s.val_count = validation_count(config, s.train_count, s.test_set.count);
  if (config.out.empty())
    config.out = config.resume ? config.resume->parent_path() : default_run_dir(config.model, config.dataset);
  if (Ranks::world().writer()) prepare_out_dir(config.out);  // rank 0 alone writes the run folder
  return s;
}

}  // namespace vkae::nn
