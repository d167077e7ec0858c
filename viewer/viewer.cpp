// The viewer's two loops: training with a live window (window on this thread, nn::train on another, a LiveFeed
// between them; the window presents from its own logical device on the same GPU) and browsing a checkpoint. Controls go to the trainer through the feed; nothing here waits on
// the GPU during training. Drawing is panels.cpp's job, the window's mechanics window.hpp's.
#include "viewer/viewer.hpp"

#include <atomic>
#include <exception>
#include <thread>

#include "nn/data/dataset.hpp"
#include "nn/infer/analysis_program.hpp"
#include "nn/train/checkpoint.hpp"
#include "nn/train/live.hpp"
#include "nn/infer/model_runner.hpp"
#include "nn/train/outputs.hpp"
#include "nn/train/program.hpp"
#include "base/error.hpp"
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

}  // namespace

nn::TrainResult train_with_viewer(const nn::TrainConfig& config, const nn::TrainCallbacks& callbacks,
                                  const ViewerOptions& options, ViewerReport& report) {
  Glfw glfw("--viewer", "run without --viewer, or under xvfb-run");
  // The window gets its own logical device on the same physical device as training. Sharing training's queue
  // cannot keep frames short on a device with one queue (lavapipe): a frame waits behind every training
  // submit queued before it, and one step of batch 64 alone takes ~0.5 s there. The previews cross through
  // host memory anyway, so the two devices share nothing.
  rt::Context ctx(presenting_context_options(glfw, config.device));
  Window window(ctx, "vkae: training " + config.model + " on " + config.dataset, options.width, options.height);

  nn::LiveFeed feed(config.noise);
  nn::TrainResult result;
  std::exception_ptr error;
  std::atomic<bool> done{false};
  std::thread trainer([&] {
    try {
      result = nn::train(config, callbacks, nn::TrainHooks{nullptr, &feed});
    } catch (const std::exception& e) {
      error = std::current_exception();
      feed.publish_message(std::string("training failed: ") + e.what());
    } catch (...) {
      error = std::current_exception();
    }
    feed.publish_finished();
    done = true;
  });

  Controls controls;
  controls.noise = config.noise;
  Controls sent = controls;
  std::vector<nn::LiveLoss> losses;
  std::optional<nn::LivePreview> preview;
  std::optional<nn::LiveAnalysis> analysis;
  uint64_t preview_version = 0, analysis_version = 0;
  uint32_t frames_with_preview = 0;
  std::array<Rect, 3> rects{};
  std::vector<NamedRect> analysis_rects;
  nn::LiveStatus shown_status;  // what the last frame showed, to draw again only when it changed
  try {
    while (true) {
      if (window.should_close()) {
        report.closed = true;
        break;
      }
      if (done && (error || (options.should_quit && options.should_quit()))) break;
      const bool finished = done;  // before reading the feed: all it published by then is in this frame
      nn::LiveStatus status = feed.status();
      if (status.progress.step != shown_status.progress.step || status.preview_version != preview_version ||
          status.finished != shown_status.finished || status.message != shown_status.message ||
          status.started != shown_status.started || status.paused != shown_status.paused ||
          status.analysis_version != analysis_version)
        window.mark_dirty();
      if (!window.begin_frame()) continue;
      feed.copy_losses(losses);
      if (auto p = feed.preview_if_newer(preview_version)) preview = std::move(*p);
      if (auto a = feed.analysis_if_newer(analysis_version)) analysis = std::move(*a);
      status.preview_version = preview_version;
      status.analysis_version = analysis_version;
      shown_status = status;
      PanelInput in;
      in.preview = preview ? &*preview : nullptr;
      in.analysis = analysis ? &*analysis : nullptr;
      in.losses = &losses;
      const auto epochs = feed.epochs();
      in.epochs = &epochs;
      in.status = std::move(status);
      in.training = true;
      in.frames = window.stats();
      draw_panels(in, controls, rects, analysis_rects);
      if (controls.paused != sent.paused) feed.set_paused(controls.paused);
      if (controls.noise != sent.noise) feed.set_noise(controls.noise);
      if (controls.sample_set != sent.sample_set) feed.set_sample_set(controls.sample_set);
      if (controls.save) feed.request_save();
      if (controls.stop) feed.request_stop();
      controls.save = controls.stop = false;
      sent = controls;
      // After N frames with a preview (and the analysis panels' data, when the run has them), or as soon as
      // training has finished (its last preview is in).
      const bool ready = preview && (analysis || !in.status.analysis_expected);
      const bool take = options.screenshot && ready && (++frames_with_preview >= options.frames || finished);
      window.end_frame(take ? &*options.screenshot : nullptr);
      if (take) {
        window.finish();
        if (!window.screenshot_written().empty()) break;
      }
    }
  } catch (...) {
    feed.request_stop();
    trainer.join();
    throw;
  }
  // Closing the window (or a screenshot run) stops training like the stop button: the trainer finishes its
  // submits and writes the checkpoint.
  report.stop_requested = !done;
  feed.set_paused(false);
  feed.request_stop();
  trainer.join();
  window.finish();
  finish_report(report, window, rects, analysis_rects);
  if (error) std::rethrow_exception(error);
  return result;
}

ViewerReport view_checkpoint(const ViewConfig& config, const ViewerOptions& options) {
  const nn::LoadedCheckpoint ckpt = nn::read_checkpoint(config.checkpoint);
  const std::string dataset = config.dataset.empty() ? ckpt.info.dataset : config.dataset;
  if (!nn::known_dataset(dataset))
    throw InputError("dataset " + dataset + ": unknown (expected mnist or fashion)");
  const nn::Dataset test_set = nn::load_dataset(dataset, nn::Split::Test, nn::DataSearch{config.data_dir});
  nn::MetricsLog log(config.checkpoint.parent_path() / "metrics.jsonl");
  const auto metrics = config.checkpoint.parent_path() / "metrics.jsonl";
  if (std::filesystem::exists(metrics)) log.load_existing(metrics, UINT64_MAX);

  Glfw glfw("vkae view", "run it on a desktop, or under xvfb-run with --screenshot");
  rt::Context ctx(presenting_context_options(glfw, config.device));
  // A larger batch than the preview's for the analysis pass over the test images.
  nn::Model model(ctx, ckpt.spec, nn::kAnalysisBatch);
  nn::load_into(ctx, ckpt, model, nullptr);
  nn::DeviceImages images(ctx, test_set, test_set.count);
  nn::Programs programs(ctx, model, images, images,
                        nn::ProgramOptions{kPreviewImages, test_set.count, 16, kPreviewImages, false});
  const int holdout = ckpt.info.holdout_class;
  std::optional<nn::LiveAnalysis> analysis;
  if (model.sampling() || holdout >= 0) {  // not training: run it once, now
    nn::AnalysisProgram program(ctx, model, &images, nn::live_analysis_options(model, holdout >= 0));
    rt::Submitter once(ctx.device(), 1);
    VkCommandBuffer cmd = program.commands();
    once.wait(once.submit({&cmd, 1}));
    analysis = nn::make_live_analysis(program.read(), model, test_set.labels, holdout, ckpt.info.step);
  }
  Window window(ctx, "vkae: " + config.checkpoint.string(), options.width, options.height);
  rt::Submitter submitter(ctx.device(), 1);

  std::vector<nn::LiveLoss> losses;
  for (const auto& s : log.steps()) losses.push_back({s.step, s.loss});
  std::vector<nn::LiveEpoch> epochs;
  for (const auto& e : log.epochs()) epochs.push_back({e.epoch, e.step, e.train_loss, e.val_loss});
  PanelInput in;
  in.losses = &losses;
  in.epochs = &epochs;
  in.training = false;
  in.status.device = ctx.device_name();
  in.status.model = ckpt.spec.name;
  in.status.loss_label = nn::loss_label(ckpt.spec);
  in.status.denoising = ckpt.spec.denoising;
  in.status.dataset = dataset;
  in.info = {"checkpoint: " + config.checkpoint.string(),
             "trained " + std::to_string(ckpt.info.epoch) + " epochs, " + std::to_string(ckpt.info.step) +
                 " steps (batch " + std::to_string(ckpt.info.batch) + ", noise " +
                 std::to_string(ckpt.info.noise).substr(0, 4) + ")",
             std::to_string(programs.preview_sets()) + " sets of " + std::to_string(programs.preview_count()) +
                 " test images to browse"};
  if (losses.empty()) in.info.push_back("no metrics.jsonl next to the checkpoint: no loss curves");

  Controls controls;
  controls.noise = config.noise;
  std::optional<Controls> shown;
  nn::LivePreview preview;
  uint32_t frames = 0;
  std::array<Rect, 3> rects{};
  std::vector<NamedRect> analysis_rects;
  in.analysis = analysis ? &*analysis : nullptr;
  in.status.analysis_expected = analysis.has_value();
  ViewerReport report;
  while (!window.should_close() && !(options.should_quit && options.should_quit())) {
    if (!window.begin_frame()) continue;
    if (!shown || shown->noise != controls.noise || shown->sample_set != controls.sample_set) {
      // Not training: a short wait for the preview program is fine here.
      controls.sample_set %= programs.preview_sets();
      programs.set_preview(controls.sample_set, controls.noise, config.seed);
      VkCommandBuffer cmd = programs.preview();
      submitter.wait(submitter.submit({&cmd, 1}));
      const auto p = programs.read_preview();
      preview = {programs.preview_count(), test_set.rows, test_set.cols, controls.sample_set, controls.noise,
                 p.noisy, p.output, p.clean};
      shown = controls;
    }
    in.preview = &preview;
    in.frames = window.stats();
    draw_panels(in, controls, rects, analysis_rects);
    const bool take = options.screenshot && ++frames >= options.frames;
    window.end_frame(take ? &*options.screenshot : nullptr);
    if (take) {
      window.finish();
      if (!window.screenshot_written().empty()) break;
    }
  }
  report.closed = window.should_close();
  window.finish();
  finish_report(report, window, rects, analysis_rects);
  return report;
}

}  // namespace vkae::viewer
