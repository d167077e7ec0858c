// LiveFeed: one mutex around plain copies; the trainer's calls are O(1) or O(preview) and rare enough
// (once per finished submit) that contention with a 60 fps viewer is negligible.
#include "nn/train/live.hpp"

namespace vkae::nn {

void LiveFeed::set_run(const std::string& device, const std::string& model, const std::string& dataset,
                       float lr, const std::string& loss_label, bool denoising) {
  std::lock_guard lock(mutex_);
  status_.loss_label = loss_label;
  status_.denoising = denoising;
  status_.device = device;
  status_.model = model;
  status_.dataset = dataset;
  status_.lr = lr;
}

void LiveFeed::publish_progress(const TrainProgress& progress) {
  std::lock_guard lock(mutex_);
  status_.progress = progress;
  status_.started = true;
}

void LiveFeed::publish_loss(uint64_t step, float loss) {
  std::lock_guard lock(mutex_);
  losses_.push_back({step, loss});
}

void LiveFeed::publish_epoch(const LiveEpoch& epoch) {
  std::lock_guard lock(mutex_);
  epochs_.push_back(epoch);
}

void LiveFeed::publish_preview(LivePreview preview) {
  std::lock_guard lock(mutex_);
  preview_ = std::move(preview);
  ++status_.preview_version;
}

void LiveFeed::expect_analysis() {
  std::lock_guard lock(mutex_);
  status_.analysis_expected = true;
}

void LiveFeed::publish_analysis(LiveAnalysis analysis) {
  std::lock_guard lock(mutex_);
  analysis_ = std::move(analysis);
  status_.analysis_expected = true;
  ++status_.analysis_version;
}

void LiveFeed::publish_message(const std::string& message) {
  std::lock_guard lock(mutex_);
  status_.message = message;
}

void LiveFeed::publish_saved(const std::string& message) {
  std::lock_guard lock(mutex_);
  status_.message = message;
  ++status_.saves;
}

void LiveFeed::publish_finished() {
  std::lock_guard lock(mutex_);
  status_.finished = true;
}

void LiveFeed::publish_paused(bool paused) {
  std::lock_guard lock(mutex_);
  status_.paused = paused;
}

LiveControls LiveFeed::controls() const {
  std::lock_guard lock(mutex_);
  return controls_;
}

bool LiveFeed::take_save_request() {
  std::lock_guard lock(mutex_);
  const bool requested = save_requested_;
  save_requested_ = false;
  return requested;
}

void LiveFeed::set_paused(bool paused) {
  std::lock_guard lock(mutex_);
  controls_.paused = paused;
}

void LiveFeed::set_noise(float noise) {
  std::lock_guard lock(mutex_);
  controls_.noise = noise;
}

void LiveFeed::set_sample_set(uint32_t set) {
  std::lock_guard lock(mutex_);
  controls_.sample_set = set;
}

void LiveFeed::request_save() {
  std::lock_guard lock(mutex_);
  save_requested_ = true;
}

void LiveFeed::request_stop() {
  std::lock_guard lock(mutex_);
  controls_.stop = true;
}

LiveStatus LiveFeed::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

size_t LiveFeed::copy_losses(std::vector<LiveLoss>& out) const {
  std::lock_guard lock(mutex_);
  if (out.size() < losses_.size()) out.insert(out.end(), losses_.begin() + out.size(), losses_.end());
  return out.size();
}

std::vector<LiveEpoch> LiveFeed::epochs() const {
  std::lock_guard lock(mutex_);
  return epochs_;
}

std::optional<LivePreview> LiveFeed::preview_if_newer(uint64_t& version) const {
  std::lock_guard lock(mutex_);
  if (status_.preview_version == version) return std::nullopt;
  version = status_.preview_version;
  return preview_;
}

std::optional<LiveAnalysis> LiveFeed::analysis_if_newer(uint64_t& version) const {
  std::lock_guard lock(mutex_);
  if (status_.analysis_version == version) return std::nullopt;
  version = status_.analysis_version;
  return analysis_;
}

}  // namespace vkae::nn
