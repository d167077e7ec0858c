// Recording of the analysis program (encode test images, per-image errors, decode latent vectors) and the
// manifold grid's latent vectors.
#include "nn/infer/analysis_program.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "base/error.hpp"
#include "nn/analysis/roc.hpp"
#include "nn/ops/data.hpp"
#include "nn/ops/loss.hpp"
#include "nn/step_state.hpp"

namespace vkae::nn {

namespace {

rt::Buffer host_buffer(const rt::Device& dev, uint64_t bytes, const char* name) {
  rt::Buffer b(dev, std::max<uint64_t>(bytes, 4), rt::MemoryKind::HostVisible, name);
  if (!b.mapped()) throw Error(std::string("analysis: no host-visible memory for the ") + name);
  return b;
}

// Where the encoding pass writes: the batch's clean images, and the host buffers of the codes and of the
// per-image errors (each batch's rows in a block of `error_block` bytes, so every block starts aligned).
struct EncodeOutputs {
  const rt::Buffer& target;
  rt::BufferView state;
  const rt::Buffer& codes;
  const rt::Buffer& errors;
  VkDeviceSize error_block;
};

// The first `options.images` test images batch by batch: gather, the clean input, forward, and as asked the
// codes and each image's loss.
void record_encode(rt::Recorder& rec, const Model& model, const DeviceImages* test,
                   const AnalysisOptions& options, const EncodeOutputs& out) {
  const uint32_t batch = model.max_batch(), latent = uint32_t(model.latent_size());
  const uint32_t pixels = uint32_t(model.spec().output().size());
  const uint32_t batches = (options.images + batch - 1) / batch;
  const Loss loss = model.loss_op();
  for (uint32_t b = 0; b < batches; ++b) {
    const uint32_t first = b * batch, n = std::min(batch, options.images - first);
    const uint64_t floats = uint64_t{n} * pixels;
    const rt::BufferView target = out.target.view(0, floats * 4);
    record_gather_at(rec, target, test->source(), test->identity.view(), out.state, first,
                     GatherShape{n, pixels, test->count});
    // The clean image is the input (a denoising model is scored on what it should reproduce).
    model.record_clean_input(rec, target, n);
    model.record_forward(rec, n, /*predict=*/true);
    if (options.codes)
      rec.copy(out.codes.view(uint64_t{first} * latent * 4, uint64_t{n} * latent * 4),
               model.code().sub(0, uint64_t{n} * latent * 4));
    // BCE reads the logits (what loss_input() is when the sigmoid is fused), as the training loss does.
    if (options.errors)
      record_loss_rows(rec, loss, out.errors.view(b * out.error_block, uint64_t{n} * 4), model.loss_input(),
                       target, n, pixels);
  }
}

// The decoder alone on `count` latent vectors from `in`, batch by batch through the model's code buffer.
void record_decode_vectors(rt::Recorder& rec, const Model& model, const rt::Buffer& in, const rt::Buffer& out,
                           uint32_t count) {
  const uint32_t batch = model.max_batch(), latent = uint32_t(model.latent_size());
  const uint32_t pixels = uint32_t(model.spec().output().size());
  for (uint32_t first = 0; first < count; first += batch) {
    const uint32_t n = std::min(batch, count - first);
    const uint64_t code_bytes = uint64_t{n} * latent * 4, out_bytes = uint64_t{n} * pixels * 4;
    rec.copy(model.code().sub(0, code_bytes), in.view(uint64_t{first} * latent * 4, code_bytes));
    model.record_decode(rec, n);
    rec.copy(out.view(uint64_t{first} * pixels * 4, out_bytes), model.output().sub(0, out_bytes));
  }
}

}  // namespace

AnalysisProgram::AnalysisProgram(rt::Context& ctx, const Model& model, const DeviceImages* test,
                                 AnalysisOptions options)
    : options_(std::move(options)) {
  const ModelSpec& spec = model.spec();
  latent_ = static_cast<uint32_t>(model.latent_size());
  pixels_ = static_cast<uint32_t>(spec.output().size());
  batch_ = model.max_batch();
  options_.images = test ? std::min(options_.images, test->count) : 0;
  if (options_.images && test->sample_pixels != pixels_)
    throw InputError("model " + spec.name + " produces " + shape3_string(spec.output()) +
                     " images, the dataset has " + std::to_string(test->sample_pixels) + " pixels per image");
  if (options_.decode.size() % latent_ != 0)
    throw Error("analysis: " + std::to_string(options_.decode.size()) + " latent floats are not vectors of " +
                std::to_string(latent_));
  decoded_ = static_cast<uint32_t>(options_.decode.size() / latent_);
  const uint32_t n_images = options_.images;
  const uint32_t batches = (n_images + batch_ - 1) / batch_;
  error_block_ = rt::Arena::aligned_size(uint64_t{batch_} * 4, rt::Arena::alignment_for(ctx.device()));

  const rt::Device& dev = ctx.device();
  state_ = rt::Buffer(dev, sizeof(StepState), rt::MemoryKind::DeviceLocal, "analysis state");
  const StepState zero;
  ctx.write(state_.view(), &zero, sizeof zero);
  target_ = rt::Buffer(dev, uint64_t{batch_} * pixels_ * 4, rt::MemoryKind::DeviceLocal, "analysis target");
  codes_ = host_buffer(dev, uint64_t{n_images} * latent_ * 4, "analysis codes");
  errors_ = host_buffer(dev, uint64_t{batches} * error_block_, "analysis errors");
  decode_in_ = host_buffer(dev, uint64_t{decoded_} * latent_ * 4, "analysis latent vectors");
  decode_out_ = host_buffer(dev, uint64_t{decoded_} * pixels_ * 4, "analysis decoded images");
  if (decoded_) std::memcpy(decode_in_.mapped(), options_.decode.data(), options_.decode.size() * 4);

  list_ = std::make_unique<rt::CommandList>(ctx);
  rt::Recorder& rec = list_->begin();
  rec.begin_label("analysis");
  record_encode(rec, model, test, options_,
                EncodeOutputs{target_, state_.view(), codes_, errors_, error_block_});
  record_decode_vectors(rec, model, decode_in_, decode_out_, decoded_);
  rec.end_label();
  list_->end();
}

AnalysisProgram::Result AnalysisProgram::read() const {
  Result r;
  r.images = options_.images;
  r.latent = latent_;
  if (options_.codes) {
    const float* codes = static_cast<const float*>(codes_.mapped());
    r.codes.assign(codes, codes + uint64_t{r.images} * latent_);
  }
  if (options_.errors) {
    r.errors.resize(r.images);
    const auto* bytes = static_cast<const uint8_t*>(errors_.mapped());
    for (uint32_t i = 0; i < r.images; ++i)
      std::memcpy(&r.errors[i], bytes + (i / batch_) * error_block_ + (i % batch_) * 4, 4);
  }
  r.decoded = decoded_;
  const float* out = static_cast<const float*>(decode_out_.mapped());
  r.outputs.assign(out, out + uint64_t{decoded_} * pixels_);
  return r;
}

double normal_quantile(double p) {
  if (!(p > 0 && p < 1)) throw Error("normal_quantile: p must be in (0, 1)");
  // Bisection on Φ(x) = erfc(-x / √2) / 2: 100 halvings of [-40, 40] are far below double precision.
  double lo = -40, hi = 40;
  for (int i = 0; i < 100; ++i) {
    const double mid = (lo + hi) / 2;
    (0.5 * std::erfc(-mid / std::sqrt(2.0)) < p ? lo : hi) = mid;
  }
  return (lo + hi) / 2;
}

std::vector<float> manifold_codes(uint32_t grid, uint32_t latent) {
  std::vector<float> q(grid);
  for (uint32_t k = 0; k < grid; ++k)
    q[k] = static_cast<float>(normal_quantile(grid == 1 ? 0.5 : 0.05 + 0.9 * double(k) / double(grid - 1)));
  std::vector<float> codes(size_t{grid} * grid * latent, 0.0f);
  for (uint32_t i = 0; i < grid; ++i)
    for (uint32_t j = 0; j < grid; ++j) {
      float* z = &codes[(size_t{i} * grid + j) * latent];
      z[0] = q[j];
      if (latent > 1) z[1] = q[grid - 1 - i];  // row 0 at the top: the largest z1
    }
  return codes;
}

AnalysisOptions live_analysis_options(const Model& model, bool holdout) {
  AnalysisOptions o;
  o.images = kLiveAnalysisImages;
  o.codes = model.sampling() != nullptr;
  o.errors = holdout;
  if (model.sampling())
    o.decode = manifold_codes(kLiveManifoldGrid, static_cast<uint32_t>(model.latent_size()));
  return o;
}

LiveAnalysis make_live_analysis(const AnalysisProgram::Result& r, const Model& model, const Dataset& test_set,
                                HeldOutClass holdout_class, uint64_t step) {
  const std::vector<uint8_t>& labels = test_set.labels;
  LiveAnalysis a;
  a.class_names = test_set.class_names;
  a.step = step;
  a.images = r.images;
  a.labels.assign(labels.begin(), labels.begin() + std::min<size_t>(r.images, labels.size()));
  a.labels.resize(r.images, 0);
  if (!r.codes.empty()) {
    a.latent = r.latent;
    a.codes = r.codes;
  }
  if (r.decoded) {
    const Shape3 out = model.spec().output();
    a.grid = kLiveManifoldGrid;
    a.rows = out.h;
    a.cols = out.w;
    a.channels = out.c;
    a.manifold = r.outputs;
  }
  if (!r.errors.empty()) {
    a.holdout_class = holdout_class;
    a.errors = r.errors;
    // A diverged model's NaN errors are left out of the AUC (roc_auc rejects them).
    std::vector<double> scores;
    std::vector<uint8_t> positive;
    for (uint32_t i = 0; i < r.images; ++i)
      if (std::isfinite(a.errors[i])) {
        scores.push_back(a.errors[i]);
        positive.push_back(a.labels[i] == holdout_class ? 1 : 0);
      }
    a.auc = roc_auc(scores, positive);
  }
  return a;
}

}  // namespace vkae::nn
