// The submit pacer's sizing and retiring (see submit_pacer.hpp).
#include "nn/train/submit_pacer.hpp"

#include <algorithm>
#include <vector>

namespace vkae::nn {
namespace {

constexpr uint32_t kMaxStepsPerSubmit = 64;
constexpr double kSubmitTargetSeconds = 0.03;  // tens of ms per submit: responsive, far from watchdogs

}  // namespace

uint32_t SubmitPacer::next_size(uint64_t remaining) const noexcept {
  return static_cast<uint32_t>(std::min<uint64_t>(calibrated_ ? steps_per_submit_ : 1, remaining));
}

void SubmitPacer::submit(VkCommandBuffer step, uint64_t first_step, uint32_t count, VkCommandBuffer before) {
  std::vector<VkCommandBuffer> commands;
  commands.reserve(count + 1);
  if (before != VK_NULL_HANDLE) commands.push_back(before);
  commands.insert(commands.end(), count, step);
  const auto start = Clock::now();
  in_flight_.push_back({submitter_.submit(commands), first_step, first_step + count, start});
}

bool SubmitPacer::front_finished(bool block) {
  if (!block) return submitter_.done(in_flight_.front().ticket);
  submitter_.wait(in_flight_.front().ticket);
  return true;
}

void SubmitPacer::calibrate(const InFlight& f) {
  // Size later submits from the second one's duration: the first also pays for compiling the pipelines
  // (lavapipe JIT-compiles each at its first dispatch, 0.1-0.3 s apiece), which would pin K at 1 on a GPU
  // whose step takes milliseconds.
  if (calibrated_ || ++alone_submits_ < 2) return;
  const double seconds = std::chrono::duration<double>(Clock::now() - f.start).count();
  const double per_step = seconds / double(f.last_step - f.first_step);
  steps_per_submit_ =
      static_cast<uint32_t>(std::clamp(kSubmitTargetSeconds / per_step, 1.0, double(kMaxStepsPerSubmit)));
  calibrated_ = true;
}

}  // namespace vkae::nn
