// What a run leaves in its folder besides the checkpoint: metrics.jsonl (deterministic: losses and
// counters only, no wall times), loss.png and samples.png's grid (samples.png and TensorBoard's image). Every
// file is written atomically.
#pragma once
#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vkae::nn {

struct RgbImage;

struct StepRecord {
  uint32_t epoch;
  uint64_t step;
  float loss;
};
struct EpochRecord {
  uint32_t epoch;
  uint64_t step;
  double train_loss;
  std::optional<double> val_loss;
  float lr = 0;          // the epoch's last step's learning rate
  bool complete = true;  // false: cut short by --steps or a stop (its row is written again on resume)
};

class MetricsLog {
 public:
  explicit MetricsLog(std::filesystem::path path) : path_(std::move(path)) {}
  void add_step(const StepRecord& r);
  void add_epoch(const EpochRecord& r);
  // A training-control event at an epoch's end: "best" (value: the val loss; --save-best wrote
  // best.safetensors), "lr_drop" (value: the new rate), "early_stop" (value: the best val loss).
  void add_event(std::string_view event, uint32_t epoch, uint64_t step, double value);
  // The run's training control (its checkpoint JSON), as the first line of a fresh log.
  void add_control(const std::string& control_json);
  // On resume: the lines of the run so far, from `from`, up to the checkpoint's step, without the epoch rows
  // of epochs after the `epochs_done` complete ones (a partial epoch's row is written again when it ends).
  void load_existing(const std::filesystem::path& from, uint64_t max_step, uint32_t epochs_done);
  void write() const;  // the whole log, atomically
  const std::vector<StepRecord>& steps() const noexcept { return steps_; }
  const std::vector<EpochRecord>& epochs() const noexcept { return epochs_; }

 private:
  std::filesystem::path path_;
  std::vector<std::string> lines_;
  std::vector<StepRecord> steps_;
  std::vector<EpochRecord> epochs_;
};

// The train losses smoothed as TensorBoard smooths them (loss.png, the viewer): an EMA with 0.9 from 0,
// debiased (divided by 1 - 0.9^n), so the first points are not dragged toward the first loss.
std::vector<float> smoothed_losses(const std::vector<float>& losses);
// loss.png: each step's train loss (faint), its moving average, and the validation losses when there are any.
RgbImage render_loss_plot(const MetricsLog& log, const std::string& title);
void write_loss_plot(const std::filesystem::path& path, const MetricsLog& log, const std::string& title);
// The samples grid's pixels, [height, width, channels] interleaved as a PNG holds them.
struct SamplesGrid {
  uint32_t width = 0, height = 0, channels = 0;
  std::vector<uint8_t> pixels;
};
// The grid's column names, as the viewer's panels are named: "noisy input" (or "input" for a model trained
// without noise), "reconstruction", "clean target" (or "target").
std::array<const char*, 3> sample_column_names(bool denoising);
inline constexpr uint32_t kSamplesLabelBand = 11;  // the names' band above the images, in pixels
// Rows: noisy | reconstruction | clean, one sample per row, each image [channels, height, width] (1 grey or
// 3 RGB) scaled up `scale` times, on a grey frame, under a band with each column's name in the 5x7 font
// (white, cut to the column's width).
SamplesGrid make_samples_grid(const std::vector<float>& noisy, const std::vector<float>& output,
                              const std::vector<float>& clean, uint32_t rows, uint32_t height, uint32_t width,
                              uint32_t channels = 1, uint32_t scale = 3,
                              std::array<const char*, 3> labels = sample_column_names(true));

}  // namespace vkae::nn
