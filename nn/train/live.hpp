// LiveFeed: the thread-safe mailbox between a training run and a live viewer. The trainer publishes
// progress, step losses, epoch summaries and preview images; the viewer publishes its controls (pause,
// noise factor, sample set, save and stop requests). Neither side ever blocks on the other: every call takes
// one short lock and copies. Knows nothing about Vulkan or windows.
#pragma once
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "nn/data/dataset.hpp"
#include "nn/train/defaults.hpp"
#include "nn/train/trainer.hpp"

namespace vkae::nn {

// Noisy input | reconstruction | clean target of `count` test images, each [rows * cols] in [0, 1].
struct LivePreview {
  uint32_t count = 0, rows = 0, cols = 0;
  uint32_t sample_set = 0;  // which set of `count` test images (first image = sample_set * count)
  float noise = 0;          // the noise factor the noisy inputs were made with
  std::vector<float> noisy, output, clean;  // [count, channels, rows, cols] each
  uint32_t channels = 1;
};

// The analysis panels' data (a VAE's latent space, an anomaly run's reconstruction errors), from the first
// `images` test images at one moment of training.
struct LiveAnalysis {
  uint64_t step = 0;                     // the training step it shows
  uint32_t images = 0;                   // N test images
  std::vector<uint8_t> labels;           // [N]
  std::vector<std::string> class_names;  // by label: "0".."9", or a folder's class folders
  uint32_t latent = 0;                   // Z; 0 when there are no codes (not a VAE)
  std::vector<float> codes;              // [N, Z]: a VAE's mu
  uint32_t grid = 0, rows = 0, cols = 0;
  std::vector<float> manifold;  // [grid * grid, channels * rows * cols], see manifold_codes (analysis.hpp)
  uint32_t channels = 1;
  HeldOutClass holdout_class;  // the class left out of training; none: no errors
  std::vector<float> errors;   // [N] reconstruction error per image (the loss per pixel)
  // ROC AUC of the error as a score for "is the held-out class", over the finite errors; nullopt when either
  // group is empty.
  std::optional<double> auc;
};

struct LiveControls {
  bool paused = false;
  float noise = kDefaultNoise;  // applies to the next training steps and the preview
  uint32_t sample_set = 0;      // the preview's set of test images (wrapped by whoever uses it)
  bool stop = false;
};

struct LiveLoss {
  uint64_t step;
  float loss;
};

struct LiveEpoch {
  uint32_t epoch;
  uint64_t step;
  double train_loss;
  std::optional<double> val_loss;
};

// What the viewer copies out each frame (except the losses: see LiveFeed::copy_losses).
struct LiveStatus {
  std::string device, model, dataset;
  std::string loss_label = "BCE";  // what the loss values are (nn::loss_label of the model)
  bool denoising = true;           // the first image panel shows a noisy input (else the plain input)
  TrainProgress progress;
  float lr = 0;
  bool started = false;   // the first steps finished
  bool finished = false;  // training returned (or failed)
  bool paused = false;    // paused and nothing of the run left on the device
  std::string message;    // the latest note ("saved checkpoint.safetensors", an error)
  uint64_t saves = 0;     // checkpoints written on request
  uint64_t preview_version = 0;
  bool analysis_expected = false;  // the run publishes LiveAnalysis (a VAE or a held-out class)
  uint64_t analysis_version = 0;
};

class LiveFeed {
 public:
  explicit LiveFeed(float noise = kDefaultNoise) { controls_.noise = noise; }
  LiveFeed(const LiveFeed&) = delete;
  LiveFeed& operator=(const LiveFeed&) = delete;

  // ---- the trainer's side ----
  void set_run(const std::string& device, const std::string& model, const std::string& dataset, float lr,
               const std::string& loss_label, bool denoising);
  void publish_progress(const TrainProgress& progress);
  void publish_loss(uint64_t step, float loss);
  void publish_epoch(const LiveEpoch& epoch);
  void publish_preview(LivePreview preview);
  void expect_analysis();  // before the first publish_analysis: the viewer keeps room for the panels
  void publish_analysis(LiveAnalysis analysis);
  void publish_message(const std::string& message);
  void publish_saved(const std::string& message);
  void publish_finished();
  void publish_paused(bool paused);
  LiveControls controls() const;
  bool take_save_request();  // true once per request_save()

  // ---- the viewer's side ----
  void set_paused(bool paused);
  void set_noise(float noise);
  void set_sample_set(uint32_t set);
  void request_save();
  void request_stop();
  LiveStatus status() const;
  // Appends the step losses after the first `have` (the viewer keeps its own copy); returns the new count.
  size_t copy_losses(std::vector<LiveLoss>& out) const;
  std::vector<LiveEpoch> epochs() const;
  // The latest preview when it is newer than `version` (updates version), else nullopt.
  std::optional<LivePreview> preview_if_newer(uint64_t& version) const;
  std::optional<LiveAnalysis> analysis_if_newer(uint64_t& version) const;

 private:
  mutable std::mutex mutex_;
  LiveStatus status_;
  LiveControls controls_;
  bool save_requested_ = false;
  std::vector<LiveLoss> losses_;
  std::vector<LiveEpoch> epochs_;
  LivePreview preview_;
  LiveAnalysis analysis_;
};

}  // namespace vkae::nn
