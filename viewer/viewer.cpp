// The viewer's two loops: training with a live window (window on this thread, nn::train on another, a
// LiveFeed between them; the window presents from its own logical device on the same GPU) and browsing a
// checkpoint. Controls go to the trainer through the feed; nothing here waits on the GPU during training.
// Drawing is panels.cpp's job, the window's mechanics window.hpp's.
#include "viewer/viewer.hpp"

#include <atomic>
#include <exception>
#include <thread>

#include "base/error.hpp"
#include "nn/data/dataset.hpp"
#include "nn/infer/analysis_program.hpp"
#include "nn/infer/model_runner.hpp"
#include "nn/train/checkpoint.hpp"
#include "nn/train/live.hpp"
#include "nn/train/outputs.hpp"
#include "nn/train/program.hpp"
#include "runtime/queue.hpp"
#include "viewer/glfw.hpp"

namespace vkae::viewer {
namespace {

constexpr uint32_t kPreviewImages = 8;

void finish_report(ViewerReport& report, const Window& window, const std::array<Rect, 3>& rects,
                   const std::vector<NamedRect>& analysis_rects) {
  report.frames = window.stats();
  report.panels = rects;
  report.analysis_panels = analysis_rects;
  report.width = window.extent().width;
  report.height = window.extent().height;
  report.screenshot = window.screenshot_written();
}

bool quit_requested(const ViewerOptions& options) {
  return options.should_quit && options.should_quit();
}

// Ends the frame, saving it when `take`; true once the screenshot is written (the loop then ends).
bool end_frame_with_screenshot(Window& window, const ViewerOptions& options, bool take) {
  window.end_frame(take ? &*options.screenshot : nullptr);
  if (!take) return false;
  window.finish();
  return !window.screenshot_written().empty();
}

// nn::train on a thread of its own, publishing to `feed`; its result or error waits here for the window's
// thread.
class TrainerThread {
 public:
  TrainerThread(const nn::TrainConfig& config, const nn::TrainCallbacks& callbacks, nn::LiveFeed& feed)
      : thread_([this, &config, &callbacks, &feed] { run(config, callbacks, feed); }) {}
  TrainerThread(const TrainerThread&) = delete;
  TrainerThread& operator=(const TrainerThread&) = delete;
  ~TrainerThread() {
    if (thread_.joinable()) thread_.join();
  }

  bool done() const noexcept { return done_; }
  bool failed() const noexcept { return error_ != nullptr; }  // meaningful once done()
  void join() { thread_.join(); }
  // After join(): the run's result, or its exception rethrown.
  nn::TrainResult result() {
    if (error_) std::rethrow_exception(error_);
    return std::move(result_);
  }

 private:
  void run(const nn::TrainConfig& config, const nn::TrainCallbacks& callbacks, nn::LiveFeed& feed) {
    try {
      result_ = nn::train(config, callbacks, nn::TrainHooks{nullptr, &feed});
    } catch (const std::exception& e) {
      error_ = std::current_exception();
      feed.publish_message(std::string("training failed: ") + e.what());
    } catch (...) {
      error_ = std::current_exception();
    }
    feed.publish_finished();
    done_ = true;
  }

  nn::TrainResult result_;
  std::exception_ptr error_;
  std::atomic<bool> done_{false};
  std::thread thread_;  // last: it starts once the members it writes exist
};

// The live window's frames: what the feed has published goes into the panels, what the user changed goes
// back to the trainer, and a screenshot run ends once its frames are drawn.
class LiveFrames {
 public:
  LiveFrames(Window& window, nn::LiveFeed& feed, const ViewerOptions& options, float noise)
      : window_(window), feed_(feed), options_(options) {
    controls_.noise = noise;
    sent_ = controls_;
  }

  // One turn of the loop; false once it ends: the window closed, training failed (or finished and the
  // caller asked to quit), or the screenshot is written.
  bool step(const TrainerThread& trainer, ViewerReport& report) {
    if (window_.should_close()) {
      report.closed = true;
      return false;
    }
    if (trainer.done() && (trainer.failed() || quit_requested(options_))) return false;
    const bool finished =
        trainer.done();  // before reading the feed: all it published by then is in this frame
    nn::LiveStatus status = feed_.status();
    if (differs_from_shown(status)) window_.mark_dirty();
    if (!window_.begin_frame()) return true;
    const PanelInput in = take_feed(std::move(status));
    draw_panels(in, controls_, rects_, analysis_rects_);
    send_controls();
    // After N frames with a preview (and the analysis panels' data, when the run has them), or as soon as
    // training has finished (its last preview is in).
    const bool ready = preview_ && (analysis_ || !in.status.analysis_expected);
    const bool take = options_.screenshot && ready && (++frames_with_preview_ >= options_.frames || finished);
    return !end_frame_with_screenshot(window_, options_, take);
  }

  const std::array<Rect, 3>& rects() const noexcept { return rects_; }
  const std::vector<NamedRect>& analysis_rects() const noexcept { return analysis_rects_; }

 private:
  // Draw again only when what the last frame showed has changed.
  bool differs_from_shown(const nn::LiveStatus& s) const {
    return s.progress.step != shown_.progress.step || s.preview_version != preview_version_ ||
           s.finished != shown_.finished || s.message != shown_.message || s.started != shown_.started ||
           s.paused != shown_.paused || s.analysis_version != analysis_version_;
  }

  PanelInput take_feed(nn::LiveStatus status) {
    feed_.copy_losses(losses_);
    if (auto p = feed_.preview_if_newer(preview_version_)) preview_ = std::move(*p);
    if (auto a = feed_.analysis_if_newer(analysis_version_)) analysis_ = std::move(*a);
    status.preview_version = preview_version_;
    status.analysis_version = analysis_version_;
    shown_ = status;
    epochs_ = feed_.epochs();
    PanelInput in;
    in.preview = preview_ ? &*preview_ : nullptr;
    in.analysis = analysis_ ? &*analysis_ : nullptr;
    in.losses = &losses_;
    in.epochs = &epochs_;
    in.status = std::move(status);
    in.training = true;
    in.frames = window_.stats();
    return in;
  }

  // Only what changed goes to the trainer; the one-shot requests are cleared once sent.
  void send_controls() {
    if (controls_.paused != sent_.paused) feed_.set_paused(controls_.paused);
    if (controls_.noise != sent_.noise) feed_.set_noise(controls_.noise);
    if (controls_.sample_set != sent_.sample_set) feed_.set_sample_set(controls_.sample_set);
    if (controls_.save) feed_.request_save();
    if (controls_.stop) feed_.request_stop();
    controls_.save = controls_.stop = false;
    sent_ = controls_;
  }

  Window& window_;
  nn::LiveFeed& feed_;
  const ViewerOptions& options_;
  Controls controls_, sent_;
  std::vector<nn::LiveLoss> losses_;
  std::vector<nn::LiveEpoch> epochs_;
  std::optional<nn::LivePreview> preview_;
  std::optional<nn::LiveAnalysis> analysis_;
  uint64_t preview_version_ = 0, analysis_version_ = 0;
  uint32_t frames_with_preview_ = 0;
  nn::LiveStatus shown_;  // what the last frame showed
  std::array<Rect, 3> rects_{};
  std::vector<NamedRect> analysis_rects_;
};

}  // namespace

// The config is validated where nn::train starts (and the command line has checked every range already).
nn::TrainResult train_with_viewer(const nn::TrainConfig& config, const nn::TrainCallbacks& callbacks,
                                  const ViewerOptions& options, ViewerReport& report) {
  Glfw glfw("--viewer", "run without --viewer, or under xvfb-run");
  // The window gets its own logical device on the same physical device as training. Sharing training's queue
  // cannot keep frames short on a device with one queue (lavapipe): a frame waits behind every training
  // submit queued before it, and one step of batch 64 alone takes ~0.5 s there. The previews cross through
  // host memory anyway, so the two devices share nothing.
  rt::Context ctx(presenting_context_options(glfw, config.device));
  Window window(ctx, "vkae: training " + config.model + " on " + config.dataset, options.width,
                options.height);

  nn::LiveFeed feed(config.noise);
  TrainerThread trainer(config, callbacks, feed);
  LiveFrames frames(window, feed, options, config.noise);
  try {
    while (frames.step(trainer, report)) {
    }
  } catch (...) {
    feed.request_stop();
    trainer.join();
    throw;
  }
  // Closing the window (or a screenshot run) stops training like the stop button: the trainer finishes its
  // submits and writes the checkpoint.
  report.stop_requested = !trainer.done();
  feed.set_paused(false);
  feed.request_stop();
  trainer.join();
  window.finish();
  finish_report(report, window, frames.rects(), frames.analysis_rects());
  return trainer.result();
}

namespace {

// The loss curves of the run that wrote the checkpoint, from the metrics.jsonl next to it (none without one).
struct LossHistory {
  std::vector<nn::LiveLoss> losses;
  std::vector<nn::LiveEpoch> epochs;
};

LossHistory read_loss_history(const std::filesystem::path& checkpoint) {
  const auto metrics = checkpoint.parent_path() / "metrics.jsonl";
  nn::MetricsLog log(metrics);
  if (std::filesystem::exists(metrics)) log.load_existing(metrics, UINT64_MAX, UINT32_MAX);
  LossHistory h;
  for (const auto& s : log.steps()) h.losses.push_back({s.step, s.loss});
  for (const auto& e : log.epochs()) h.epochs.push_back({e.epoch, e.step, e.train_loss, e.val_loss});
  return h;
}

// Not training: the analysis panels' one pass over the test images runs now, with a wait.
std::optional<nn::LiveAnalysis> analyse_once(rt::Context& ctx, const nn::Model& model,
                                             const nn::DeviceImages& images, const nn::LoadedCheckpoint& ckpt,
                                             const nn::Dataset& test_set) {
  const nn::HeldOutClass holdout = ckpt.info.holdout_class;
  if (!model.sampling() && !holdout) return std::nullopt;
  nn::AnalysisProgram program(ctx, model, &images, nn::live_analysis_options(model, holdout.has_value()));
  rt::Submitter once(ctx.device(), 1);
  VkCommandBuffer cmd = program.commands();
  once.wait(once.submit({&cmd, 1}));
  return nn::make_live_analysis(program.read(), model, test_set, holdout, ckpt.info.step);
}

// The status lines of a checkpoint: what it is, how it was trained, what there is to browse.
PanelInput checkpoint_panel_input(const ViewConfig& config, const nn::LoadedCheckpoint& ckpt,
                                  const std::string& dataset, const std::string& device,
                                  const nn::Programs& programs, const LossHistory& history) {
  PanelInput in;
  in.losses = &history.losses;
  in.epochs = &history.epochs;
  in.training = false;
  in.status.device = device;
  in.status.model = ckpt.spec.name;
  in.status.loss_label = nn::loss_label(ckpt.spec);
  in.status.denoising = ckpt.spec.denoising;
  in.status.dataset = dataset;
  in.info = {"checkpoint: " + config.checkpoint.string(),
             "trained " + std::to_string(ckpt.info.epoch) + " epochs, " + std::to_string(ckpt.info.step) +
                 " steps (batch " + std::to_string(ckpt.info.batch) + ", noise " +
                 std::to_string(ckpt.info.noise).substr(0, 4) + ")",
             std::to_string(programs.preview_sets()) + " sets of " +
                 std::to_string(programs.preview_count()) + " test images to browse"};
  if (history.losses.empty()) in.info.push_back("no metrics.jsonl next to the checkpoint: no loss curves");
  return in;
}

// The preview of the chosen set of test images at the chosen noise. Not training: a short wait for the
// preview program is fine here.
nn::LivePreview make_preview(nn::Programs& programs, rt::Submitter& submitter, Controls& controls,
                             uint64_t seed, const nn::Dataset& test_set) {
  controls.sample_set %= programs.preview_sets();
  programs.set_preview(controls.sample_set, controls.noise, seed);
  VkCommandBuffer cmd = programs.preview();
  submitter.wait(submitter.submit({&cmd, 1}));
  const auto p = programs.read_preview();
  return {programs.preview_count(), test_set.rows, test_set.cols, controls.sample_set,
          controls.noise,           p.noisy,       p.output,      p.clean,
          test_set.channels};
}

}  // namespace

ViewerReport view_checkpoint(const ViewConfig& config, const ViewerOptions& options) {
  const nn::LoadedCheckpoint ckpt = nn::read_checkpoint(config.checkpoint);
  const std::string dataset = config.dataset.empty() ? ckpt.info.dataset : config.dataset;
  nn::require_known_dataset(dataset);
  const nn::Dataset test_set =
      nn::load_dataset(dataset, nn::Split::Test, nn::checkpoint_data_search(ckpt, config.data_dir));
  const LossHistory history = read_loss_history(config.checkpoint);

  Glfw glfw("vkae view", "run it on a desktop, or under xvfb-run with --screenshot");
  rt::Context ctx(presenting_context_options(glfw, config.device));
  // A larger batch than the preview's for the analysis pass over the test images.
  nn::Model model(ctx, ckpt.spec, nn::kInferenceBatch);
  nn::load_into(ctx, ckpt, model, nullptr);
  nn::DeviceImages images(ctx, test_set, test_set.count);
  nn::Programs programs(ctx, model, images, images,
                        nn::ProgramOptions{kPreviewImages, test_set.count, 16, kPreviewImages, false});
  const std::optional<nn::LiveAnalysis> analysis = analyse_once(ctx, model, images, ckpt, test_set);
  Window window(ctx, "vkae: " + config.checkpoint.string(), options.width, options.height);
  rt::Submitter submitter(ctx.device(), 1);

  PanelInput in = checkpoint_panel_input(config, ckpt, dataset, ctx.device_name(), programs, history);
  in.analysis = analysis ? &*analysis : nullptr;
  in.status.analysis_expected = analysis.has_value();
  Controls controls;
  controls.noise = config.noise;
  std::optional<Controls> shown;
  nn::LivePreview preview;
  uint32_t frames = 0;
  std::array<Rect, 3> rects{};
  std::vector<NamedRect> analysis_rects;
  ViewerReport report;
  while (!window.should_close() && !quit_requested(options)) {
    if (!window.begin_frame()) continue;
    if (!shown || shown->noise != controls.noise || shown->sample_set != controls.sample_set) {
      preview = make_preview(programs, submitter, controls, config.seed, test_set);
      shown = controls;
    }
    in.preview = &preview;
    in.frames = window.stats();
    draw_panels(in, controls, rects, analysis_rects);
    if (end_frame_with_screenshot(window, options, options.screenshot && ++frames >= options.frames)) break;
  }
  report.closed = window.should_close();
  window.finish();
  finish_report(report, window, rects, analysis_rects);
  return report;
}

}  // namespace vkae::viewer
