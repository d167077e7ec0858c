// Progress rendering (pure string functions) and the printer that throttles and redraws it. Knows nothing
// about training itself: it only formats what the trainer reports through TrainCallbacks.
// Hand-written on purpose: no packaged library draws a one-line redrawn bar with ETA and images/s the way we
// need.
#include "app/progress.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "app/text.hpp"

namespace vkae::app {
namespace {

std::string step_count(const nn::TrainProgress& p) {
  return std::to_string(p.epoch_step) + "/" + (p.epoch_steps ? std::to_string(p.epoch_steps) : "?");
}

std::string metrics_tail(const nn::TrainProgress& p) {
  const std::string eta = "ETA " + format_duration(p.eta_s);
  if (p.validating) return "validating on " + std::to_string(p.validating) + " images  " + eta;
  return "loss " + fixed(p.loss, 4) + "  " + format_rate(p.images_per_s) + "  " + eta;
}

}  // namespace

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const auto total = static_cast<uint64_t>(std::llround(seconds));
  const uint64_t h = total / 3600, m = total / 60 % 60, s = total % 60;
  char buf[48];
  if (h > 0)
    std::snprintf(buf, sizeof buf, "%llu:%02llu:%02llu", static_cast<unsigned long long>(h),
                  static_cast<unsigned long long>(m), static_cast<unsigned long long>(s));
  else
    std::snprintf(buf, sizeof buf, "%llu:%02llu", static_cast<unsigned long long>(m),
                  static_cast<unsigned long long>(s));
  return buf;
}

std::string format_rate(double images_per_s) {
  if (!std::isfinite(images_per_s) || images_per_s < 0) return "? img/s";
  return fixed(images_per_s, images_per_s >= 10 ? 0 : 1) + " img/s";
}

std::string render_progress_bar(const nn::TrainProgress& p, int width) {
  const size_t limit = static_cast<size_t>(std::max(width, 2) - 1);
  const std::string head = "epoch " + std::to_string(p.epoch) + "/" + std::to_string(p.epochs) + " ";
  const std::string tail = " " + step_count(p) + "  " + metrics_tail(p);
  constexpr size_t kMaxBar = 30, kMinBar = 10;  // inner width of [====>   ], as Keras
  const size_t fixed = head.size() + tail.size() + 2;
  if (fixed + kMinBar <= limit) {
    const size_t bar = std::min(kMaxBar, limit - fixed);
    const double fraction = p.epoch_steps ? std::min(1.0, double(p.epoch_step) / double(p.epoch_steps)) : 0.0;
    const auto filled = static_cast<size_t>(fraction * double(bar));
    std::string inner;
    if (filled >= bar) {
      inner.assign(bar, '=');
    } else if (filled > 0) {
      inner.assign(filled - 1, '=');
      inner += '>';
    }
    inner.resize(bar, ' ');
    return head + "[" + inner + "]" + tail;
  }
  std::string line = head + step_count(p) + "  " + metrics_tail(p);  // no room for a bar
  if (line.size() > limit) line.resize(limit);
  return line;
}

std::string render_progress_line(const nn::TrainProgress& p) {
  std::string line =
      "epoch " + std::to_string(p.epoch) + "/" + std::to_string(p.epochs) + "  step " + step_count(p);
  if (p.epoch_steps)
    line += " (" + std::to_string(std::min<uint64_t>(100, p.epoch_step * 100 / p.epoch_steps)) + "%)";
  return line + "  " + metrics_tail(p);
}

std::string render_epoch_summary(const nn::EpochSummary& s, uint32_t epochs) {
  std::string line = "epoch " + std::to_string(s.epoch) + "/" + std::to_string(epochs);
  if (!s.complete)
    line += " (partial: " + std::to_string(s.epoch_step) + " of " + std::to_string(s.epoch_steps) + " steps)";
  line += ": train loss " + fixed(s.train_loss, 4);
  if (s.val_loss) line += ", val loss " + fixed(*s.val_loss, 4);
  return line + ", " + fixed(s.seconds, 1) + " s" + ", " + format_rate(s.images_per_s);
}

std::string render_epochs_done(uint32_t epochs, uint64_t partial_steps, uint64_t epoch_steps) {
  const std::string whole = std::to_string(epochs) + (epochs == 1 ? " epoch" : " epochs");
  if (partial_steps == 0) return whole;
  const std::string part = std::to_string(partial_steps) + " of " + std::to_string(epoch_steps) +
                           " steps of epoch " + std::to_string(epochs + 1);
  return epochs ? whole + " and " + part : part;
}

double monotonic_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

bool stdout_is_terminal() {
  return isatty(STDOUT_FILENO) == 1;
}

int terminal_width() {
  winsize size{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  if (const char* columns = std::getenv("COLUMNS")) {
    const int n = std::atoi(columns);
    if (n > 0) return n;
  }
  return 80;
}

ProgressPrinter::ProgressPrinter(Sink sink, bool terminal, int width, uint32_t epochs, Clock clock)
    : sink_(std::move(sink)), terminal_(terminal), width_(width), epochs_(epochs), clock_(std::move(clock)) {}

void ProgressPrinter::progress(const nn::TrainProgress& p) {
  if (p.epochs) epochs_ = p.epochs;
  const double now = clock_();
  // The last step of an epoch and the start of its validation are always drawn on a terminal.
  const bool epoch_done = (p.epoch_steps && p.epoch_step >= p.epoch_steps) || p.validating;
  if (terminal_) {
    if (now - last_draw_ < kTerminalInterval && !epoch_done) return;
    const std::string line = render_progress_bar(p, width_);
    // Spaces wipe what a longer previous bar left behind.
    const std::string pad(bar_length_ > line.size() ? bar_length_ - line.size() : 0, ' ');
    sink_("\r" + line + pad);
    bar_length_ = line.size();
  } else {
    if (now - last_draw_ < kPlainInterval) return;  // the epoch summary covers the epoch's end
    sink_(render_progress_line(p) + "\n");
  }
  last_draw_ = now;
}

void ProgressPrinter::clear_bar() {
  if (bar_length_ == 0) return;
  sink_("\r" + std::string(bar_length_, ' ') + "\r");
  bar_length_ = 0;
}

void ProgressPrinter::epoch(const nn::EpochSummary& summary) {
  clear_bar();
  sink_(render_epoch_summary(summary, epochs_) + "\n");
  last_draw_ = terminal_ ? -1e300 : clock_();  // the next epoch's bar shows at once; plain lines wait
}

void ProgressPrinter::note(std::string_view text) {
  clear_bar();
  sink_(std::string(text) + "\n");
  last_draw_ = terminal_ ? -1e300 : last_draw_;  // redraw the bar under the note at the next report
}

void ProgressPrinter::decoding(uint64_t done, uint64_t total) {
  const double now = clock_();
  const bool last = done >= total;
  const std::string line = "decoding images " + std::to_string(done) + "/" + std::to_string(total);
  if (terminal_) {
    if (now - last_draw_ < kTerminalInterval && !last) return;
    const std::string pad(bar_length_ > line.size() ? bar_length_ - line.size() : 0, ' ');
    sink_("\r" + line + pad);
    bar_length_ = line.size();
  } else {
    if (now - last_draw_ < kPlainInterval && !last) return;
    sink_(line + "\n");
  }
  last_draw_ = last ? -1e300 : now;
}

void ProgressPrinter::finish() {
  clear_bar();
}

}  // namespace vkae::app
