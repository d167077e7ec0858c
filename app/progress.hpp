// The training progress display: a Keras-like bar redrawn in place on a terminal, plain throttled lines
// otherwise, one summary line per epoch and notes on their own lines. The render_* functions are pure;
// ProgressPrinter adds the throttling and writes through a sink, so both are testable without a terminal.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "nn/train/trainer.hpp"

namespace vkae::app {

// "0:07", "4:12", "1:02:03" (h:mm:ss from one hour on); "?" when negative, NaN or infinite.
std::string format_duration(double seconds);

// "1830 img/s" from 10 on, "7.5 img/s" below.
std::string format_rate(double images_per_s);

// The terminal bar, at most width - 1 characters so it never wraps:
// "epoch 3/20 [=======>      ] 212/468  loss 0.1032  1830 img/s  ETA 4:12".
// Narrow widths shrink and then drop the bar, then cut the line.
std::string render_progress_bar(const nn::TrainProgress& progress, int width);

// The line for logs and pipes: "epoch 3/20  step 212/468 (45%)  loss 0.1032  1830 img/s  ETA 4:12".
std::string render_progress_line(const nn::TrainProgress& progress);

// "epoch 3/20: train loss 0.1034, val loss 0.1021, 41.3 s, 1453 img/s" (no val part without validation);
// an epoch cut short says so: "epoch 2/20 (partial: 10 of 20 steps): ...".
std::string render_epoch_summary(const nn::EpochSummary& summary, uint32_t epochs);
// The closing line's count: "2 epochs", "1 epoch and 10 of 20 steps of epoch 2", "10 of 20 steps of epoch 1".
std::string render_epochs_done(uint32_t epochs, uint64_t partial_steps, uint64_t epoch_steps);

// Seconds on a monotonic clock.
double monotonic_seconds();

// Whether stdout is a terminal, and its width in columns (COLUMNS, then 80, when it cannot be asked).
bool stdout_is_terminal();
int terminal_width();

class ProgressPrinter {
 public:
  using Sink = std::function<void(std::string_view)>;  // writes and flushes
  using Clock = std::function<double()>;

  static constexpr double kTerminalInterval = 0.1;  // at most ten redraws a second
  static constexpr double kPlainInterval = 5.0;     // a plain line every few seconds

  // `epochs` is shown until the trainer's progress says otherwise.
  ProgressPrinter(Sink sink, bool terminal, int width, uint32_t epochs, Clock clock = monotonic_seconds);

  void progress(const nn::TrainProgress& progress);
  void epoch(const nn::EpochSummary& summary);
  void note(std::string_view text);
  // Decoding a folder's images: "decoding images 1234/5000" redrawn in place (a line every few seconds
  // without a terminal); the line is wiped at the next note or bar.
  void decoding(uint64_t done, uint64_t total);
  void finish();  // ends a bar left on the screen

 private:
  void clear_bar();

  Sink sink_;
  bool terminal_;
  int width_;
  uint32_t epochs_;
  Clock clock_;
  double last_draw_ = -1e300;
  size_t bar_length_ = 0;  // characters of the bar now on screen; 0 = none
};

}  // namespace vkae::app
