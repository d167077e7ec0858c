// The training loop: data and model on the device, the recorded step replayed K times per submit with
// several submits in flight, losses read back from finished submits only, validation and a checkpoint at
// each epoch end. The host never waits on the submit it just queued. With a LiveFeed (the viewer) it also
// submits the preview between training submits every kLivePreviewSeconds and reads it once its fence has
// signalled, and applies the viewer's controls between submits.
#include "nn/train/trainer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <thread>

#include "nn/data/dataset.hpp"
#include "nn/rng.hpp"
#include "nn/infer/analysis_program.hpp"
#include "nn/train/checkpoint.hpp"
#include "nn/train/live.hpp"
#include "nn/train/outputs.hpp"
#include "nn/train/program.hpp"
#include "nn/train/run_setup.hpp"
#include "runtime/queue.hpp"

namespace vkae::nn {
namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

constexpr uint32_t kMaxInFlight = 3;
constexpr uint32_t kMaxStepsPerSubmit = 64;
constexpr double kSubmitTargetSeconds = 0.03;  // tens of ms per submit: responsive, far from watchdogs
constexpr double kLivePreviewSeconds = 1.5;    // a fresh preview for the viewer this often
// The analysis panels at most this often, and at most ~1/kAnalysisShare of the device's time.
constexpr double kLiveAnalysisSeconds = 3.0;
constexpr double kAnalysisShare = 10.0;
constexpr auto kPauseSlice = std::chrono::milliseconds(20);

// Epoch e's order of the first `count` images: a seeded Fisher-Yates, so a resumed run redraws it exactly.
std::vector<uint32_t> epoch_permutation(uint32_t count, uint64_t seed, uint32_t epoch, bool shuffle) {
  std::vector<uint32_t> perm(count);
  for (uint32_t i = 0; i < count; ++i) perm[i] = i;
  if (!shuffle) return perm;
  HostRng rng(seed * 0x9E3779B97F4A7C15ull + epoch + 1);
  for (uint32_t i = count; i > 1; --i) std::swap(perm[i - 1], perm[rng.below(i)]);
  return perm;
}

}  // namespace

TrainResult train(const TrainConfig& config, const TrainCallbacks& callbacks) {
  return train(config, callbacks, TrainHooks{});
}

TrainResult train(const TrainConfig& config_in, const TrainCallbacks& cb, const TrainHooks& hooks) {
  LiveFeed* const live = hooks.live;
  auto note = [&](const std::string& s) { if (cb.on_note) cb.on_note(s); };

  // Everything that can fail on user input fails here, before any output exists.
  const RunSetup setup = prepare_run(config_in);
  const TrainConfig& config = setup.config;
  const ModelSpec& spec = setup.spec;
  const std::optional<LoadedCheckpoint>& resumed = setup.resumed;
  const Dataset& train_set = setup.train_set;
  const Dataset& test_set = setup.test_set;
  const uint32_t train_count = setup.train_count;

  rt::ContextOptions ctx_options = rt::context_options_from_env();
  if (!config.device.empty()) ctx_options.device = config.device;
  ctx_options.quiet = true;
  std::optional<rt::Context> own_ctx;
  rt::Context& ctx = hooks.context ? *hooks.context : own_ctx.emplace(ctx_options);
  if (ctx.device().is_cpu()) note("running on " + ctx.device_name() + ", a CPU Vulkan device (no GPU found)");
  else note("running on " + ctx.device_name());

  Model model(ctx, spec, config.batch);
  DeviceImages train_images(ctx, train_set, train_count);
  DeviceImages test_images(ctx, test_set, std::min(test_set.count, config.val_limit.value_or(test_set.count)));
  Programs programs(ctx, model, train_images, test_images, ProgramOptions{config.batch, train_count, 4096, 8});

  RunInfo info{config.dataset, 0, 0, 0, config.seed, config.batch, config.lr, config.noise, train_count, config.shuffle};
  info.holdout_class = config.holdout_class ? static_cast<int>(*config.holdout_class) : -1;
  const AdamMoments moments = programs.moments();
  MetricsLog log(config.out / "metrics.jsonl");
  if (resumed) {
    load_into(ctx, *resumed, model, &moments);
    info.epoch = resumed->info.epoch;
    info.step = resumed->info.step;
    info.batch_in_epoch = resumed->info.batch_in_epoch;
    log.load_existing(config.resume->parent_path() / "metrics.jsonl", info.step);
    note("resuming " + config.resume->string() + " at epoch " + std::to_string(info.epoch + 1) + ", step " +
         std::to_string(info.step));
  } else {
    model.initialize(ctx, config.seed);
  }
  StepState val_state;
  val_state.set_seed(config.seed);
  val_state.noise = config.noise;
  ctx.write(programs.validation_state(), &val_state, sizeof val_state);

  if (live) live->set_run(ctx.device_name(), spec.name, config.dataset, config.lr, loss_label(spec), spec.denoising);
  // The viewer's latent / anomaly panels: one more recorded program, submitted between training submits.
  std::optional<AnalysisProgram> analysis;
  const int holdout = config.holdout_class ? static_cast<int>(*config.holdout_class) : -1;
  if (live && (model.sampling() || holdout >= 0)) {
    analysis.emplace(ctx, model, &test_images, live_analysis_options(model, holdout >= 0));
    live->expect_analysis();
  }
  uint64_t analysis_ticket = 0, analysis_step = 0;
  auto last_analysis = Clock::now() - std::chrono::hours(1);
  double analysis_cost_s = 0;  // the last run's time on the device (submit to seen done: an upper bound)
  float noise = config.noise;  // the viewer may change it while training
  uint64_t preview_ticket = 0;  // a live preview in flight (0: none)
  uint32_t preview_set = 0, last_set = 0;
  float preview_noise = noise;
  auto last_preview = Clock::now() - std::chrono::hours(1);
  double paused_s = 0;  // excluded from images/s and ETA
  bool paused_published = false;

  const uint64_t steps_per_epoch = train_count / config.batch;  // drop_last: every step sees a full batch
  const uint64_t total_steps = std::min<uint64_t>(config.steps.value_or(UINT64_MAX), steps_per_epoch * config.epochs);
  rt::Submitter submitter(ctx.device(), kMaxInFlight);
  const auto run_start = Clock::now();
  uint32_t steps_per_submit = 1;
  bool calibrated = false;
  uint32_t alone_submits = 0;  // submits timed on their own before calibrating
  bool stopped = false;
  TrainResult result;
  result.out = config.out;
  result.device = ctx.device_name();

  while (info.step < total_steps && !stopped) {
    const uint32_t epoch = info.epoch;  // 0-based epoch in progress
    const auto epoch_start = Clock::now();
    const auto perm = epoch_permutation(train_count, config.seed, epoch, config.shuffle);
    ctx.write(programs.permutation(), perm.data(), perm.size() * 4);
    StepState state;
    state.step = static_cast<uint32_t>(info.step);
    state.batch = info.batch_in_epoch;
    state.set_seed(config.seed);
    state.lr = config.lr;
    state.noise = noise;
    state.epoch = epoch;
    ctx.write(programs.state(), &state, sizeof state);

    const uint64_t epoch_end_step = std::min(total_steps, info.step - info.batch_in_epoch + steps_per_epoch);
    uint64_t submitted = info.step, read = info.step;
    const double paused_at_epoch_start = paused_s;
    double epoch_loss_sum = 0;
    uint64_t epoch_loss_count = 0;
    struct InFlight { uint64_t ticket, last_step; Clock::time_point start; };
    std::vector<InFlight> in_flight;
    auto drain = [&](bool block) {
      while (!in_flight.empty() && (block ? (submitter.wait(in_flight.front().ticket), true)
                                          : submitter.done(in_flight.front().ticket))) {
        const InFlight f = in_flight.front();
        in_flight.erase(in_flight.begin());
        // Size later submits from the second one's duration: the first also pays for compiling the pipelines
        // (lavapipe JIT-compiles each at its first dispatch, 0.1-0.3 s apiece), which would pin K at 1 on a
        // GPU whose step takes milliseconds.
        if (!calibrated && ++alone_submits >= 2) {
          const double per_step = seconds_since(f.start) / double(f.last_step - read);
          steps_per_submit = static_cast<uint32_t>(std::clamp(kSubmitTargetSeconds / per_step, 1.0, double(kMaxStepsPerSubmit)));
          calibrated = true;
        }
        for (; read < f.last_step; ++read) {
          const float loss = programs.ring()[read % programs.ring_slots()];
          log.add_step({epoch + 1, read + 1, loss});
          if (live) live->publish_loss(read + 1, loss);
          epoch_loss_sum += loss;
          ++epoch_loss_count;
        }
        if (cb.on_progress) {
          const double elapsed = seconds_since(run_start) - paused_s;
          const double done_here = double(read - (resumed ? resumed->info.step : 0));
          const TrainProgress p{epoch + 1, config.epochs, read, read - uint64_t{epoch} * steps_per_epoch,
                                steps_per_epoch, log.steps().back().loss,
                                done_here * config.batch / std::max(elapsed, 1e-9),
                                elapsed / std::max(done_here, 1.0) * double(total_steps - read)};
          cb.on_progress(p);
          if (live) live->publish_progress(p);
        } else if (live) {
          const double elapsed = seconds_since(run_start) - paused_s;
          const double done_here = double(read - (resumed ? resumed->info.step : 0));
          live->publish_progress({epoch + 1, config.epochs, read, read - uint64_t{epoch} * steps_per_epoch,
                                  steps_per_epoch, log.steps().back().loss,
                                  done_here * config.batch / std::max(elapsed, 1e-9),
                                  elapsed / std::max(done_here, 1.0) * double(total_steps - read)});
        }
      }
    };
    // The run's position after every submit so far has finished (drain(true) first).
    auto info_now = [&] {
      RunInfo now = info;
      now.step = read;
      now.batch_in_epoch = static_cast<uint32_t>(read - uint64_t{epoch} * steps_per_epoch);
      return now;
    };
    // The viewer's controls, between submits. Returns false to stop the run.
    auto apply_live_controls = [&]() -> bool {
      LiveControls c = live->controls();
      if (preview_ticket && submitter.done(preview_ticket)) {
        const auto p = programs.read_preview();
        live->publish_preview({programs.preview_count(), test_set.rows, test_set.cols,
                               preview_set, preview_noise, p.noisy, p.output, p.clean});
        preview_ticket = 0;
      }
      if (analysis_ticket && submitter.done(analysis_ticket)) {
        analysis_cost_s = seconds_since(last_analysis);
        live->publish_analysis(make_live_analysis(analysis->read(), model, test_set.labels, holdout, analysis_step));
        analysis_ticket = 0;
      }
      if (c.stop) return false;
      if (live->take_save_request()) {
        drain(true);
        if (preview_ticket) submitter.wait(preview_ticket);
        save_checkpoint(ctx, config.out / "checkpoint.safetensors", model, &moments, info_now());
        log.write();
        live->publish_saved("saved " + (config.out / "checkpoint.safetensors").string() + " at step " +
                            std::to_string(read));
      }
      if (c.noise != noise) {  // rare: drain, rewrite the one float of the step state, carry on
        drain(true);
        noise = c.noise;
        ctx.write(programs.state().sub(offsetof(StepState, noise), sizeof(float)), &noise, sizeof noise);
        last_preview = Clock::now() - std::chrono::hours(1);
      }
      if (c.paused) {
        const auto pause_start = Clock::now();
        drain(false);
        if (in_flight.empty() && !preview_ticket && !analysis_ticket && !paused_published)
          live->publish_paused(paused_published = true);
        std::this_thread::sleep_for(kPauseSlice);
        paused_s += seconds_since(pause_start);
        return true;
      }
      if (paused_published) live->publish_paused(paused_published = false);
      if (calibrated && !preview_ticket && seconds_since(last_preview) >= kLivePreviewSeconds) {
        // The preview only reads the parameters and owns its outputs, so it may sit between training submits.
        preview_set = c.sample_set % programs.preview_sets();
        preview_noise = noise;
        programs.set_preview(preview_set, noise, config.seed);
        VkCommandBuffer pv = programs.preview();
        preview_ticket = submitter.submit({&pv, 1});
        last_preview = Clock::now();
      }
      if (analysis && calibrated && !analysis_ticket &&
          seconds_since(last_analysis) >= std::max(kLiveAnalysisSeconds, kAnalysisShare * analysis_cost_s)) {
        // Like the preview: it reads the parameters and copies its results into buffers of its own.
        VkCommandBuffer an = analysis->commands();
        analysis_ticket = submitter.submit({&an, 1});
        analysis_step = submitted;
        last_analysis = Clock::now();
      }
      return true;
    };
    while (submitted < epoch_end_step) {
      if (cb.should_stop && cb.should_stop()) {
        stopped = true;
        break;
      }
      if (live) {
        const LiveControls c = live->controls();
        if (c.sample_set != last_set) {  // another set of samples: preview it now
          last_set = c.sample_set;
          last_preview = Clock::now() - std::chrono::hours(1);
        }
        if (!apply_live_controls()) {
          stopped = true;
          break;
        }
        if (c.paused) continue;
      }
      const uint32_t k = static_cast<uint32_t>(std::min<uint64_t>(calibrated ? steps_per_submit : 1, epoch_end_step - submitted));
      const std::vector<VkCommandBuffer> commands(k, programs.step());
      const auto t = Clock::now();
      in_flight.push_back({submitter.submit(commands), submitted + k, t});
      submitted += k;
      if (!calibrated) drain(true);  // the very first submit is timed alone
      drain(false);
    }
    drain(true);
    if (preview_ticket) {
      submitter.wait(preview_ticket);
      preview_ticket = 0;
      last_preview = Clock::now() - std::chrono::hours(1);
    }
    if (analysis_ticket) {
      submitter.wait(analysis_ticket);
      analysis_ticket = 0;
    }
    const double train_seconds = seconds_since(epoch_start) - (paused_s - paused_at_epoch_start);  // training only; validation is timed apart
    info.step = read;
    info.batch_in_epoch = static_cast<uint32_t>(read - epoch * steps_per_epoch);
    const bool epoch_complete = info.batch_in_epoch == steps_per_epoch;
    if (epoch_complete) {
      info.epoch = epoch + 1;
      info.batch_in_epoch = 0;
    }
    EpochSummary summary;
    summary.epoch = epoch + 1;
    summary.step = info.step;
    summary.train_loss = epoch_loss_count ? epoch_loss_sum / double(epoch_loss_count) : NAN;
    if (config.validate) {
      VkCommandBuffer v = programs.validation();
      submitter.wait(submitter.submit({&v, 1}));
      double sum = 0;
      const VkDeviceSize align = rt::Arena::alignment_for(ctx.device());
      for (uint32_t b = 0; b < programs.validation_batches(); ++b) sum += programs.validation_losses()[b * align / 4];
      summary.val_loss = sum / programs.validation_batches();
    }
    summary.seconds = seconds_since(epoch_start);
    summary.images_per_s = double(epoch_loss_count) * config.batch / std::max(train_seconds, 1e-9);
    if (epoch_complete || stopped || info.step == total_steps)
      log.add_epoch({epoch + 1, info.step, summary.train_loss, summary.val_loss});
    save_checkpoint(ctx, config.out / "checkpoint.safetensors", model, &moments, info);
    log.write();
    write_loss_plot(config.out / "loss.png", log, spec.name + " on " + config.dataset);
    VkCommandBuffer pv = programs.preview();
    programs.set_preview(0, config.noise, config.seed);  // samples.png: always the same images and noise
    submitter.wait(submitter.submit({&pv, 1}));
    const auto preview = programs.read_preview();
    write_samples_png(config.out / "samples.png", preview.noisy, preview.output, preview.clean,
                      static_cast<uint32_t>(preview.clean.size() / test_images.pixels), test_set.rows, test_set.cols);
    if (cb.on_epoch) cb.on_epoch(summary);
    if (live) {
      // The samples.png preview doubles as a live one when the viewer shows the same set and noise.
      const LiveControls c = live->controls();
      if (c.sample_set % programs.preview_sets() == 0 && c.noise == config.noise)
        live->publish_preview({programs.preview_count(), test_set.rows, test_set.cols, 0, config.noise,
                               preview.noisy, preview.output, preview.clean});
      last_preview = Clock::now() - std::chrono::hours(1);
      if (analysis) {  // at a boundary of the run anyway, like samples.png: a short wait is fine here
        VkCommandBuffer an = analysis->commands();
        const auto start = Clock::now();
        submitter.wait(submitter.submit({&an, 1}));
        analysis_cost_s = seconds_since(start);
        live->publish_analysis(make_live_analysis(analysis->read(), model, test_set.labels, holdout, info.step));
        last_analysis = Clock::now();
      }
      live->publish_epoch({summary.epoch, summary.step, summary.train_loss, summary.val_loss});
      live->publish_message("epoch " + std::to_string(summary.epoch) + " done; saved " +
                            (config.out / "checkpoint.safetensors").string());
    }
    result.final_val_loss = summary.val_loss;
    if (!epoch_complete) break;  // --steps or a stop request ended the run inside this epoch
  }
  result.steps = info.step;
  result.epochs_done = info.epoch;
  result.seconds = seconds_since(run_start) - paused_s;
  result.images_per_s = double(info.step - (resumed ? resumed->info.step : 0)) * config.batch / std::max(result.seconds, 1e-9);
  return result;
}

}  // namespace vkae::nn
