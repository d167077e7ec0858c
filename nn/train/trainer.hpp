// Training: what `vkae train` calls. The trainer owns
// the device-resident dataset, the model, the recorded step and the submit loop; it reports progress through
// callbacks and writes checkpoint.safetensors, metrics.jsonl, loss.png and samples.png into the run folder,
// and TensorBoard's event files into its train/ and validation/.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "base/error.hpp"
#include "nn/data/dataset.hpp"
#include "nn/train/control.hpp"
#include "nn/train/defaults.hpp"

namespace vkae::rt {
class Context;
}

namespace vkae::nn {

class LiveFeed;
struct ModelSpec;

// A run that cannot go on for a reason of its own making (a non-finite step): one line, nothing written.
class TrainingFault : public Error {
 public:
  using Error::Error;
};

struct TrainConfig {
  std::string dataset = "mnist";  // mnist | fashion | a folder of images
  std::string model = "dae";      // built-in name or path to a .json spec
  bool model_given = false;       // --model was passed: a resumed checkpoint must be of it (else: its own)
  uint32_t epochs = kDefaultEpochs;
  uint32_t batch = kDefaultBatch;
  float lr = kDefaultLr;
  float noise = kDefaultNoise;  // denoising noise factor f
  uint64_t seed = kDefaultSeed;
  std::optional<uint64_t> steps;  // stop after this many optimizer steps in total (counting resumed ones)
  std::optional<uint32_t> limit;  // use only the first N training images
  bool shuffle = true;
  std::filesystem::path out;                    // run folder; empty = a new folder under runs/
  std::optional<std::filesystem::path> resume;  // checkpoint to continue from
  std::string device;                           // --device N|NAME ("" = best)
  std::optional<std::filesystem::path> data_dir;
  bool validate = true;               // run validation on the test split at each epoch end
  std::optional<uint32_t> val_limit;  // validate on the first N test images only
  std::optional<uint32_t> latent;     // a VAE's latent size (the model's sampling units)
  HeldOutClass holdout_class;         // leave this class out of the training images (anomaly detection)
  // Where the images live on the device (the results never depend on it). Past `data_budget` bytes of
  // device memory (default nn::default_data_budget: half the largest heap less the model's share) the
  // training images stream through a ring of shard slots instead of being resident.
  std::optional<uint64_t> data_budget;        // --data-budget SIZE
  std::optional<uint64_t> data_buffer_bytes;  // the largest image buffer (default maxStorageBufferRange)
  bool data_staged = false;  // stream through staging and a copy even where the ring is host-visible (tests)
  // --holdout-class as typed (a class name); prepare_run resolves it.
  std::optional<std::string> holdout_name;
  ImageOptions images;  // how a folder's images are read (its seed is `seed`)
  // TensorBoard event files in the run folder's train/ and validation/ (--no-tensorboard: none), and the
  // command line they record as text ("" = none given; the app fills it from argv).
  bool tensorboard = true;
  std::string command_line;
  TrainControl control;  // optimizer, lr schedule, --save-every/--save-best, early stopping
};

struct TrainProgress {
  uint32_t epoch = 0, epochs = 0;  // 1-based epoch in progress
  uint64_t step = 0;               // optimizer steps done in total
  uint64_t epoch_step = 0, epoch_steps = 0;
  float loss = 0;  // latest train loss
  float lr = 0;    // the latest step's learning rate
  double images_per_s = 0;
  double eta_s = 0;         // for the whole run, validation and the epochs' files included
  uint32_t validating = 0;  // the test images of the epoch end's validation, which has begun (0: training)
};

struct EpochSummary {
  uint32_t epoch = 0;
  uint64_t step = 0;
  double train_loss = 0;           // mean over the epoch's steps
  std::optional<double> val_loss;  // test BCE (noisy input vs clean target)
  double seconds = 0;              // the whole epoch, validation and checkpoint included
  double images_per_s = 0;         // training steps only
  float lr = 0;                    // the epoch's last step's learning rate
  bool complete = true;            // false: cut short by --steps or a stop
  uint64_t epoch_step = 0;         // the steps of this epoch done (of epoch_steps) when it ended
  uint64_t epoch_steps = 0;
  bool new_best = false;  // the lowest validation loss so far (--save-best wrote best.safetensors)
};

struct TrainCallbacks {
  // Once, after the config is checked and before any device work: the settings the run really uses (a
  // resumed run's come from its checkpoint; the run folder filled in) and its model.
  std::function<void(const TrainConfig& effective, const ModelSpec& spec)> on_start;
  std::function<void(const TrainProgress&)> on_progress;  // after each finished submit
  std::function<void(const EpochSummary&)> on_epoch;
  std::function<void(const std::string&)> on_note;  // one-line notes ("running on llvmpipe (CPU)")
  std::function<void(uint64_t done, uint64_t total)> on_decode;  // decoding a folder's images
  std::function<bool()> should_stop;                             // polled between submits (Ctrl-C)
};

struct TrainResult {
  std::filesystem::path out;
  uint64_t steps = 0;
  uint32_t epochs_done = 0;    // complete epochs
  uint64_t partial_steps = 0;  // steps of the epoch after those (--steps, a stop), of epoch_steps
  uint64_t epoch_steps = 0;
  std::optional<double> final_val_loss;
  double seconds = 0;
  double images_per_s = 0;
  std::string device;
  std::string early_stop;  // why early stopping ended the run ("" = it did not)
  uint32_t ranks = 1;      // data parallel: the ranks, and rank 0's seconds in the gradient sum (host waits)
  double sum_seconds = 0;
};

TrainResult train(const TrainConfig& config, const TrainCallbacks& callbacks);

// What a caller may lend a run: a Context it already made (the viewer's, which can present: the run then
// trains on that device and ignores config.device), and a LiveFeed to publish to and take controls from
// (pause, noise, preview sample set, save now, stop), polled between submits only.
// And images it already holds (arrays, a synthetic set), trained on instead of loading config.dataset, which
// then only names them (run folder, checkpoint): both splits or neither.
struct TrainHooks {
  rt::Context* context = nullptr;
  LiveFeed* live = nullptr;
  const Dataset* train_set = nullptr;
  const Dataset* test_set = nullptr;
};
TrainResult train(const TrainConfig& config, const TrainCallbacks& callbacks, const TrainHooks& hooks);

}  // namespace vkae::nn
