// ModelRunner and the one-image pass: a checkpoint's model in prediction mode on batches of a split (encode,
// anomaly scores, the PCA comparison) or on one user image (denoise, upscale). No training, no noise.
#include "nn/infer/model_runner.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "nn/io/png.hpp"
#include "nn/ops/data.hpp"
#include "nn/ops/loss.hpp"

namespace vkae::nn {

rt::ContextOptions analysis_context_options(const std::string& device) {
  rt::ContextOptions o = rt::context_options_from_env();
  if (!device.empty()) o.device = device;
  o.quiet = true;
  return o;
}

DataSearch checkpoint_data_search(const LoadedCheckpoint& ckpt,
                                  const std::optional<std::filesystem::path>& data_dir) {
  return DataSearch{data_dir, checkpoint_image_options(ckpt.spec, ckpt.info), {}, {}};
}

Dataset load_for_checkpoint(const LoadedCheckpoint& ckpt, const std::filesystem::path& checkpoint,
                            const std::string& override_name,
                            const std::optional<std::filesystem::path>& data_dir, Split split) {
  const std::string name = override_name.empty() ? ckpt.info.dataset : override_name;
  if (!known_dataset(name) && !is_folder_dataset(name))
    throw InputError("checkpoint " + checkpoint.string() + ": dataset '" + name + "' (expected " +
                     dataset_names_text() + ")");
  Dataset data = load_dataset(name, split, checkpoint_data_search(ckpt, data_dir));
  const Shape3 out = ckpt.spec.output();
  const Shape3 images{data.channels, data.rows, data.cols};
  if (out != images)
    throw InputError("checkpoint " + checkpoint.string() + ": model " + ckpt.spec.name + " produces " +
                     shape3_string(out) + " images, " + name + " has " + shape3_string(images));
  return as_one_class_if_unlabelled(std::move(data));
}

ModelRunner::ModelRunner(const LoadedCheckpoint& ckpt, const std::string& device, uint32_t max_batch)
    : ctx_(analysis_context_options(device)),
      model_(ctx_, ckpt.spec, max_batch),
      target_(ctx_.device(), uint64_t{max_batch} * ckpt.spec.output().size() * sizeof(float),
              rt::MemoryKind::DeviceLocal, "analysis targets"),
      errors_(ctx_.device(), uint64_t{max_batch} * sizeof(float), rt::MemoryKind::DeviceLocal,
              "analysis errors"),
      pixels_(uint32_t(ckpt.spec.output().size())) {
  load_into(ctx_, ckpt, model_, nullptr);
}

void ModelRunner::check_batch(uint32_t n) const {
  if (n == 0 || n > model_.max_batch())
    throw Error("analysis: batch of " + std::to_string(n) + " with a runner of " +
                std::to_string(model_.max_batch()));
}

template <class Record>
void ModelRunner::timed(Record&& record) {
  const auto start = std::chrono::steady_clock::now();
  ctx_.run_now(record);
  seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void ModelRunner::run(const Dataset& data, uint32_t first, uint32_t n) {
  if (n == 0 || n > model_.max_batch() || uint64_t{first} + n > data.count)
    throw Error("analysis: images " + std::to_string(first) + "+" + std::to_string(n) + " of " +
                std::to_string(data.count) + " with batch " + std::to_string(model_.max_batch()));
  std::vector<float> x(size_t{n} * pixels_);
  const uint8_t* images = data.images.data() + size_t{first} * pixels_;
  for (size_t i = 0; i < x.size(); ++i) x[i] = float(images[i]) / 255.0f;
  run_targets(x.data(), n);
}

void ModelRunner::run_targets(const float* targets, uint32_t n) {
  check_batch(n);
  const uint64_t count = uint64_t{n} * pixels_;
  const rt::BufferView target = target_.view(0, count * sizeof(float));
  ctx_.write(target, targets, count * sizeof(float));
  timed([&](rt::Recorder& rec) {
    model_.record_clean_input(rec, target, n);
    model_.record_forward(rec, n, /*predict=*/true);
    // BCE takes logits (exact for saturated outputs); after a predict pass the logits are still in tail().z.
    record_loss_rows(rec, model_.loss_op(), errors_.view(0, uint64_t{n} * sizeof(float)),
                     model_.loss_input().sub(0, count * sizeof(float)), target, n, pixels_);
  });
}

void ModelRunner::run_inputs(const float* inputs, uint32_t n) {
  check_batch(n);
  const uint64_t bytes = uint64_t{n} * model_.spec().input.size() * sizeof(float);
  ctx_.write(model_.input().sub(0, bytes), inputs, bytes);
  timed([&](rt::Recorder& rec) { model_.record_forward(rec, n, /*predict=*/true); });
}

void ModelRunner::run_decode(const float* codes, uint32_t n) {
  check_batch(n);
  const uint64_t bytes = uint64_t{n} * model_.latent_size() * sizeof(float);
  ctx_.write(model_.code().sub(0, bytes), codes, bytes);
  timed([&](rt::Recorder& rec) { model_.record_decode(rec, n); });
}

std::vector<float> ModelRunner::read_code(uint32_t n) {
  std::vector<float> out(size_t{n} * model_.latent_size());
  ctx_.read(model_.code(), out.data(), out.size() * sizeof(float));
  return out;
}

std::vector<float> ModelRunner::read_output(uint32_t n) {
  std::vector<float> out(size_t{n} * pixels_);
  ctx_.read(model_.output(), out.data(), out.size() * sizeof(float));
  return out;
}

std::vector<float> ModelRunner::read_errors(uint32_t n) {
  std::vector<float> out(n);
  ctx_.read(errors_.view(), out.data(), out.size() * sizeof(float));
  return out;
}

}  // namespace vkae::nn
