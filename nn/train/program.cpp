// Recording of the training step, the validation pass and the preview. Each is recorded exactly once.
#include "nn/train/program.hpp"

#include <cstring>

#include "nn/ops/data.hpp"
#include "nn/ops/finite_check.hpp"
#include "nn/ops/loss.hpp"
#include "nn/ops/optimizer.hpp"
#include "nn/ops/reduce.hpp"
#include "nn/ops/step.hpp"
#include "nn/ops/upsample2d.hpp"

namespace vkae::nn {
namespace {

// Largest divisor of `count` not above `limit`: validation batches of equal size, so the mean of the
// per-batch means is exactly the mean over all images.
uint32_t equal_batch(uint32_t count, uint32_t limit) {
  for (uint32_t b = std::min(count, limit); b > 1; --b)
    if (count % b == 0) return b;
  return 1;
}

}  // namespace

Programs::Programs(rt::Context& ctx, Model& model, const DeviceImages& train, const DeviceImages& test,
                   const ProgramOptions& options)
    : model_(model), train_(train), test_(test), options_(options) {
  const ModelSpec& spec = model.spec();
  const uint32_t pixels = static_cast<uint32_t>(spec.output().size());
  if (train.sample_pixels != pixels || test.sample_pixels != pixels)
    throw InputError(
        "model " + spec.name + (spec.super_resolution ? " produces " : " reads ") +
        shape3_string(spec.output()) + " images, the dataset has " +
        std::to_string(train.sample_pixels != pixels ? train.sample_pixels : test.sample_pixels) +
        " pixels per image");
  // Sized for the step's whole batch, so that a data-parallel rank validates as one rank would (the same
  // validation batches); its own step uses options.batch of it.
  const uint64_t batch_floats = uint64_t{options.step_batch()} * pixels;
  const VkDeviceSize align = rt::Arena::alignment_for(ctx.device());
  align_ = align;
  val_batch_ = equal_batch(test.count, options.step_batch());
  val_batches_ = test.count / val_batch_;

  auto& dev = ctx.device();
  state_ = rt::Buffer(dev, sizeof(StepState), rt::MemoryKind::DeviceLocal, "state");
  val_state_ = rt::Buffer(dev, sizeof(StepState), rt::MemoryKind::DeviceLocal, "validation state");
  perm_ = rt::Buffer(dev, uint64_t{options.train_count} * 4, rt::MemoryKind::DeviceLocal, "permutation");
  ring_ = rt::Buffer(dev, uint64_t{options.ring_slots} * 4, rt::MemoryKind::HostVisible, "loss ring");
  val_losses_ =
      rt::Buffer(dev, uint64_t{val_batches_} * align, rt::MemoryKind::HostVisible, "validation losses");
  loss_ = rt::Buffer(dev, 4, rt::MemoryKind::DeviceLocal, "loss");
  scratch_ = rt::Buffer(dev, std::max<uint64_t>(reduce_scratch_floats(batch_floats), 1) * 4,
                        rt::MemoryKind::DeviceLocal, "reduce scratch");
  clean_ = rt::Buffer(dev, batch_floats * 4, rt::MemoryKind::DeviceLocal, "clean batch");
  if (model.sampling()) {
    rows_ = rt::Buffer(dev, 2 * rt::Arena::aligned_size(uint64_t{options.step_batch()} * 4, align),
                       rt::MemoryKind::DeviceLocal, "per-image losses");
    const uint64_t rows_floats = reduce_scratch_floats(rows_.size() / 4);
    if (rows_floats > scratch_.size() / 4)
      scratch_ = rt::Buffer(dev, rows_floats * 4, rt::MemoryKind::DeviceLocal, "reduce scratch");
  }
  if (options.training && options.step) make_step_buffers(ctx);
  const uint32_t preview = std::min({options.preview, options.step_batch(), test.count});
  preview_state_ = rt::Buffer(dev, sizeof(StepState), rt::MemoryKind::HostVisible, "preview state");
  preview_out_ =
      rt::Buffer(dev, uint64_t{3} * preview * pixels * 4, rt::MemoryKind::HostVisible, "preview out");
  if (!preview_state_.mapped() || !preview_out_.mapped()) throw Error("preview: no host-visible memory");
  options_.preview = preview;
  set_preview(0, kDefaultNoise, kDefaultSeed);
  if (options.training) {
    if (options.step) record_step(ctx);
    record_validation(ctx);
  }
  record_preview(ctx);
}

// The optimizer's state (evaluation and the viewer on a checkpoint need none), the epoch's learning rates
// and the finite check's health record.
void Programs::make_step_buffers(rt::Context& ctx) {
  auto& dev = ctx.device();
  const uint64_t arena_bytes = model_.arena_floats() * 4;
  const OptimizerKind kind = options_.optimizer.kind;
  if (kind != OptimizerKind::Sgd)
    m_ = rt::Buffer(dev, arena_bytes, rt::MemoryKind::DeviceLocal, "optimizer m");
  if (kind == OptimizerKind::Adam || kind == OptimizerKind::AdamW)
    v_ = rt::Buffer(dev, arena_bytes, rt::MemoryKind::DeviceLocal, "optimizer v");
  lr_count_ = std::max(1u, options_.train_count / options_.step_batch());
  lrs_ = rt::Buffer(dev, uint64_t{lr_count_} * 4, rt::MemoryKind::DeviceLocal, "learning rates");
  health_ = rt::Buffer(dev, kHealthWords * 4, rt::MemoryKind::HostVisible, "step health");
  if (!health_.mapped()) throw Error("finite check: no host-visible memory");
  if (options_.synced) {
    sync_ =
        rt::Buffer(dev, arena_bytes + 4 + 4 * kSyncVoteWords, rt::MemoryKind::HostVisible, "gradient sum");
    if (!sync_.mapped()) throw Error("data parallel: no host-visible memory for the gradient sum");
  }
  ctx.run_now([&](rt::Recorder& rec) {
    if (m_.size()) rec.fill(m_.view(), 0);
    if (v_.size()) rec.fill(v_.view(), 0);
    rec.fill(health_.view(), kHealthNone);
  });
}

OptimizerMoments Programs::moments() const {
  OptimizerMoments moments;
  switch (options_.optimizer.kind) {
    case OptimizerKind::Adam:
    case OptimizerKind::AdamW:
      moments.buffers = {{"exp_avg", m_.view()}, {"exp_avg_sq", v_.view()}};
      break;
    case OptimizerKind::Momentum:
      moments.buffers = {{"momentum_buffer", m_.view()}};
      break;
    case OptimizerKind::Sgd:
      break;
  }
  return moments;
}

std::optional<BadStep> Programs::bad_step() const {
  if (!health_.mapped()) return std::nullopt;
  const auto* words = static_cast<const uint32_t*>(health_.mapped());
  return read_health({words, kHealthWords}, model_.arena_floats());
}

void Programs::record_step(rt::Context& ctx) {
  if (options_.synced) return record_synced_step(ctx);
  step_ = std::make_unique<rt::CommandList>(ctx);
  record_step_commands(step_->begin());
  step_->end();
}

// The two halves of a data-parallel step, each its own list: the host sums sync_ over the ranks between them.
void Programs::record_synced_step(rt::Context& ctx) {
  const VkDeviceSize bytes = model_.arena_floats() * 4;
  const rt::BufferView grads = model_.grad_arena().sub(0, bytes), summed = sync_.view(0, bytes);
  const rt::BufferView loss = sync_.view(bytes, 4);
  gradients_ = std::make_unique<rt::CommandList>(ctx);
  rt::Recorder& g = gradients_->begin();
  record_gradients(g);
  g.copy(summed, grads);
  g.copy(loss, loss_.view());
  gradients_->end();
  update_ = std::make_unique<rt::CommandList>(ctx);
  rt::Recorder& u = update_->begin();
  u.copy(grads, summed);
  u.copy(loss_.view(), loss);
  record_update(u);
  update_->end();
}

// Where a batch's target goes: the model's input itself when the model reconstructs its input unchanged.
static bool separate_target(const ModelSpec& spec) {
  return spec.denoising || spec.super_resolution;
}

void Programs::record_input(rt::Recorder& rec, rt::BufferView target, uint32_t n, rt::BufferView state,
                            std::optional<uint32_t> validation_batch) const {
  const ModelSpec& spec = model_.spec();
  const uint64_t count = uint64_t{n} * spec.output().size();
  if (spec.denoising) {
    if (validation_batch)
      // The same noise every epoch: the batch index stands in for the step, on the validation stream.
      record_noise_at(rec, model_.input(), target, state, count, *validation_batch, RngStream::Validation);
    else
      record_noise(rec, model_.input(), target, state, count, RngStream::Noise,
                   static_cast<uint32_t>(spec.output().size()));
  } else if (spec.super_resolution) {
    const Shape3 out = spec.output();
    record_downscale2x(rec, model_.input(), target, Downscale2xShape{n, out.c, out.h, out.w});
  }
}

void Programs::record_loss_value(rt::Recorder& rec, rt::BufferView loss, rt::BufferView target,
                                 uint32_t n) const {
  const uint64_t cols = model_.spec().output().size(), count = uint64_t{n} * cols;
  const float scale = model_.loss_scale(n);
  if (!model_.sampling()) {
    record_loss_forward(rec, model_.loss_op(), loss, scratch_.view(), model_.loss_input(), target, count,
                        scale);
    return;
  }
  // Reconstruction and KL per image side by side (zero padding between), then one deterministic sum.
  const VkDeviceSize block = rt::Arena::aligned_size(uint64_t{n} * 4, align_);
  rec.fill(rows_.view(0, 2 * block), 0);
  record_loss_rows(rec, model_.loss_op(), rows_.view(0, n * 4), model_.loss_input(), target, n, cols, scale);
  model_.record_kl_rows(rec, rows_.view(block, n * 4), n);
  record_sum(rec, loss, rows_.view(0, 2 * block), 2 * block / 4, 1.0f, scratch_.view());
}

void Programs::record_step_commands(rt::Recorder& rec) const {
  rec.begin_label("training step");
  record_gradients(rec);
  record_update(rec);
  rec.end_label();
}

void Programs::record_gradients(rt::Recorder& rec) const {
  const uint32_t n = options_.batch, pixels = train_.sample_pixels;
  const uint64_t count = uint64_t{n} * pixels;
  const rt::BufferView target = separate_target(model_.spec()) ? clean_.view() : model_.input();
  // --crop random's windows: drawn per permutation entry and state.epoch.
  record_gather(rec, target, train_.source(), train_.layout.streamed ? train_.identity.view() : perm_.view(),
                state_.view(), train_.gather_shape(n));
  record_input(rec, target, n, state_.view(), std::nullopt);
  model_.record_forward(rec, n, /*predict=*/false, state_.view());
  record_loss_value(rec, loss_.view(), target, n);
  record_loss_backward(rec, model_.loss_op(), model_.loss_grad(), model_.loss_input(), target, count,
                       model_.loss_scale(n));
  model_.record_backward(rec, n);
}

void Programs::record_update(rt::Recorder& rec) const {
  const rt::BufferView params = model_.param_arena(), grads = model_.grad_arena(), state = state_.view();
  const uint64_t count = model_.arena_floats();
  record_finite_check(rec, grads, loss_.view(), state, health_.view(), count);
  const OptimizerSettings& o = options_.optimizer;
  switch (o.kind) {
    case OptimizerKind::Adam:
    case OptimizerKind::AdamW: {
      AdamConfig adam;
      adam.weight_decay = o.weight_decay;
      adam.decoupled = o.kind == OptimizerKind::AdamW;
      record_adam(rec, params, grads, m_.view(), v_.view(), state, count, adam);
      break;
    }
    case OptimizerKind::Sgd:
      record_sgd(rec, params, grads, state, count, SgdConfig{0, o.weight_decay});
      break;
    case OptimizerKind::Momentum:
      record_sgd_momentum(rec, params, grads, m_.view(), state, count, SgdConfig{o.momentum, o.weight_decay});
      break;
  }
  record_step_end(rec, ring_.view(), state, loss_.view(), lrs_.view(), options_.ring_slots, lr_count_);
}

double Programs::validation_mean() const noexcept {
  double sum = 0;
  for (uint32_t b = 0; b < val_batches_; ++b) sum += validation_losses()[b * align_ / 4];
  return sum / val_batches_;
}

void Programs::record_validation(rt::Context& ctx) {
  const uint32_t n = val_batch_, pixels = test_.sample_pixels;
  const uint64_t count = uint64_t{n} * pixels;
  const rt::BufferView target =
      (separate_target(model_.spec()) ? clean_.view() : model_.input()).sub(0, count * 4);
  const VkDeviceSize align = rt::Arena::alignment_for(ctx.device());
  validation_ = std::make_unique<rt::CommandList>(ctx);
  rt::Recorder& rec = validation_->begin();
  rec.begin_label("validation");
  for (uint32_t b = 0; b < val_batches_; ++b) {
    record_gather_at(rec, target, test_.source(), test_.identity.view(), val_state_.view(), b * n,
                     test_.gather_shape(n));
    record_input(rec, target, n, val_state_.view(), b);
    // A VAE samples z under the validation state: the same draws every epoch.
    model_.record_forward(rec, n, /*predict=*/false, val_state_.view());
    record_loss_value(rec, val_losses_.view(b * align, 4), target, n);
  }
  rec.end_label();
  validation_->end();
}

void Programs::record_preview(rt::Context& ctx) {
  const uint32_t n = std::min({options_.preview, options_.step_batch(), test_.count}),
                 pixels = test_.sample_pixels;
  const uint64_t count = uint64_t{n} * pixels, bytes = count * 4;
  const rt::BufferView clean = clean_.view().sub(0, bytes);
  preview_ = std::make_unique<rt::CommandList>(ctx);
  rt::Recorder& rec = preview_->begin();
  rec.begin_label("preview");
  // The sample set comes from the preview state (first = state.batch * n), so browsing needs no re-recording.
  record_gather(rec, clean, test_.source(), test_.identity.view(), preview_state_.view(),
                test_.gather_shape(n));
  const ModelSpec& spec = model_.spec();
  if (spec.denoising)
    record_noise_at(rec, model_.input(), clean, preview_state_.view(), count, 0, RngStream::Validation);
  else if (spec.super_resolution)
    record_input(rec, clean, n, preview_state_.view(), 0);
  else
    rec.copy(model_.input().sub(0, bytes), clean);
  model_.record_forward(rec, n, /*predict=*/true);
  // The activations belong to the training step too: the next step overwrites them, so keep a copy. A
  // super-resolution input is shown at the output's size (nearest, as the viewer would draw it).
  if (spec.super_resolution)
    record_upsample2d_forward(rec, preview_out_.view(0, bytes), model_.input(),
                              Upsample2dShape{n, spec.input.c, spec.input.h, spec.input.w});
  else
    rec.copy(preview_out_.view(0, bytes), model_.input().sub(0, bytes));
  rec.copy(preview_out_.view(bytes, bytes), model_.output().sub(0, bytes));
  rec.copy(preview_out_.view(2 * bytes, bytes), clean);
  rec.end_label();
  preview_->end();
  options_.preview = n;
}

void Programs::set_preview(uint32_t sample_set, float noise, uint64_t seed) {
  StepState state;
  state.batch = sample_set % preview_sets();
  state.noise = noise;
  state.set_seed(seed);
  std::memcpy(preview_state_.mapped(), &state, sizeof state);
}

Programs::Preview Programs::read_preview() const {
  const uint64_t floats = uint64_t{options_.preview} * test_.sample_pixels;
  const float* out = static_cast<const float*>(preview_out_.mapped());
  Preview p;
  p.noisy.assign(out, out + floats);
  p.output.assign(out + floats, out + 2 * floats);
  p.clean.assign(out + 2 * floats, out + 3 * floats);
  return p;
}

}  // namespace vkae::nn
