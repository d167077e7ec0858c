// Checkpoint save/load on top of nn/io/safetensors.
#include "nn/train/checkpoint.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

namespace vkae::nn {
namespace {

std::string fmt(float v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(v));
  return buf;
}

template <typename T>
T parse_number(const LoadedCheckpoint& c, const std::string& key) {
  auto it = c.file.metadata.find(key);
  if (it == c.file.metadata.end())
    throw InputError("checkpoint " + c.file.path.string() + ": metadata lacks \"" + key + "\"");
  T value{};
  const std::string& s = it->second;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size())
    throw InputError("checkpoint " + c.file.path.string() + ": metadata \"" + key +
                     "\" is not a number: " + s);
  return value;
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

LoadedCheckpoint read_checkpoint(const std::filesystem::path& path) {
  LoadedCheckpoint c{read_safetensors(path), {}, {}};
  const std::string where = "checkpoint " + path.string();
  auto format = c.file.metadata.find("format");
  if (format == c.file.metadata.end())
    throw InputError(where + ": not a vkae checkpoint (no \"format\" in __metadata__)");
  if (format->second != kCheckpointFormat)
    throw InputError(where + ": format " + format->second + ", this vkae reads " + kCheckpointFormat);
  auto model = c.file.metadata.find("model");
  if (model == c.file.metadata.end()) throw InputError(where + ": metadata lacks \"model\"");
  c.spec = parse_model_spec(parse_json(model->second, where + " model"), where + " model");
  c.info.dataset = c.file.metadata.count("dataset") ? c.file.metadata.at("dataset") : "mnist";
  c.info.epoch = parse_number<uint32_t>(c, "epoch");
  c.info.step = parse_number<uint64_t>(c, "step");
  c.info.batch_in_epoch = parse_number<uint32_t>(c, "batch_in_epoch");
  c.info.seed = parse_number<uint64_t>(c, "seed");
  c.info.batch = parse_number<uint32_t>(c, "batch");
  c.info.lr = parse_number<float>(c, "lr");
  c.info.noise = parse_number<float>(c, "noise");
  c.info.limit = parse_number<uint32_t>(c, "limit");
  c.info.shuffle = c.file.metadata.count("shuffle") && c.file.metadata.at("shuffle") == "true";
  if (c.file.metadata.count("holdout_class")) {
    const std::string& h = c.file.metadata.at("holdout_class");
    if (h != "-1") c.info.holdout_class = parse_number<uint32_t>(c, "holdout_class");
    if (c.info.holdout_class > 255u) throw InputError(where + ": holdout_class " + h + " is not a class");
  }
  if (c.file.metadata.count("val_split")) c.info.images.val_split = parse_number<float>(c, "val_split");
  if (c.file.metadata.count("crop") && c.file.metadata.at("crop") == "random")
    c.info.images.crop = Crop::Random;
  c.info.images.skip_bad = c.file.metadata.count("skip_bad") && c.file.metadata.at("skip_bad") == "true";
  c.info.images.seed = c.info.seed;
  read_control_metadata(c.file.metadata, where, c.info.control, c.info.control_state);
  return c;
}

ImageOptions checkpoint_image_options(const ModelSpec& spec, const RunInfo& info) {
  ImageOptions o = info.images;
  o.crop = Crop::Center;  // what uses a trained model reads the images as validation does: no margin
  const Shape3 images = spec.output();
  o.channels = images.c;
  o.height = images.h;
  o.width = images.w;
  o.seed = info.seed;
  return o;
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
