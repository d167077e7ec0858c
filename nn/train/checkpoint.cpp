// Checkpoint save and load_into on top of nn/io/safetensors; reading and validating a file is
// checkpoint_read.cpp's.
#include "nn/train/checkpoint.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

namespace vkae::nn {
namespace {

std::string fmt(float v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(v));
  return buf;
}

}  // namespace

void save_checkpoint(rt::Context& ctx, const std::filesystem::path& path, const Model& model,
                     const OptimizerMoments* moments, const RunInfo& info) {
  std::vector<NamedTensor> tensors = model.read_params(ctx);
  if (moments) {
    for (const Param& p : model.params()) {
      for (const auto& [name, buffer] : moments->buffers) {
        // Same offsets as the parameter arena: the optimizer's state mirrors its layout.
        NamedTensor t{"optimizer." + p.name + "." + name, p.shape, std::vector<float>(p.count)};
        ctx.read(buffer.sub(p.value.offset, p.count * sizeof(float)), t.data.data(), p.count * sizeof(float));
        tensors.push_back(std::move(t));
      }
    }
  }
  for (const NamedTensor& t : tensors)
    if (!std::all_of(t.data.begin(), t.data.end(), [](float x) { return std::isfinite(x); }))
      throw Error("checkpoint " + path.string() + " not written: " + t.name + " holds a non-finite value");
  std::map<std::string, std::string> metadata{
      {"format", kCheckpointFormat},
      {"model", to_json(model_spec_to_json(model.spec()))},
      {"dataset", info.dataset},
      {"epoch", std::to_string(info.epoch)},
      {"step", std::to_string(info.step)},
      {"batch_in_epoch", std::to_string(info.batch_in_epoch)},
      {"seed", std::to_string(info.seed)},
      {"batch", std::to_string(info.batch)},
      {"lr", fmt(info.lr)},
      {"noise", fmt(info.noise)},
      {"limit", std::to_string(info.limit)},
      {"shuffle", info.shuffle ? "true" : "false"},
      {"holdout_class", info.holdout_class ? std::to_string(*info.holdout_class) : "-1"},
  };
  if (!known_dataset(info.dataset)) {
    metadata["val_split"] = fmt(static_cast<float>(info.images.val_split));
    metadata["crop"] = crop_name(info.images.crop);
    metadata["skip_bad"] = info.images.skip_bad ? "true" : "false";
  }
  metadata.merge(control_metadata(info.control, info.control_state));
  write_safetensors(path, tensors, metadata);
}

void load_into(rt::Context& ctx, const LoadedCheckpoint& c, const Model& model,
               const OptimizerMoments* moments) {
  model.write_params(ctx, c.file);
  if (!moments) return;
  for (const Param& p : model.params()) {
    for (const auto& [name, buffer] : moments->buffers) {
      const std::string key = "optimizer." + p.name + "." + name;
      expect_tensor(c.file, key, p.shape);
      ctx.write(buffer.sub(p.value.offset, p.count * sizeof(float)), c.file.at(key).data.data(),
                p.count * sizeof(float));
    }
  }
}

}  // namespace vkae::nn
