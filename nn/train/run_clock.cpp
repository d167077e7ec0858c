#include "nn/train/run_clock.hpp"

#include <algorithm>
#include <chrono>

namespace vkae::nn {

namespace {
constexpr double kValidatedImageShare = 0.5;  // of a trained image's time
double steady_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
}  // namespace

RunClock::RunClock(uint32_t batch, uint32_t validated, Now now)
    : batch_(batch), validated_(validated), now_(now ? std::move(now) : Now(steady_seconds)) {}

void RunClock::start_training(double paused) {
  training_ = true;
  started_ = now_();
  paused_at_start_ = paused;
}

void RunClock::end_training(double paused) {
  trained_ = training_seconds(paused);
  training_ = false;
  started_ = now_();
}

void RunClock::end_epoch() {
  ends_ += (now_() - started_);
  ++end_count_;
}

double RunClock::training_seconds(double paused) const {
  return trained_ + (training_ ? std::max(0.0, (now_() - started_) - (paused - paused_at_start_)) : 0.0);
}

double RunClock::epoch_end_seconds() const {
  return end_count_ ? ends_ / double(end_count_) : 0.0;
}

double RunClock::images_per_second(uint64_t steps, double paused) const {
  return double(steps) * batch_ / std::max(training_seconds(paused), 1e-9);
}

double RunClock::eta_seconds(uint64_t steps, uint64_t steps_left, uint64_t epoch_ends_left,
                             double paused) const {
  const double step = training_seconds(paused) / double(std::max<uint64_t>(steps, 1));
  const double end = end_count_ ? epoch_end_seconds() : validated_ * kValidatedImageShare * step / batch_;
  return step * double(steps_left) + end * double(epoch_ends_left);
}

}  // namespace vkae::nn
