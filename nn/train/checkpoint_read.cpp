// Reading a checkpoint: the safetensors file and the validation of its metadata (format, model spec, run
// numbers, training control). No device: whether the tensors fit the model is load_into's check
// (checkpoint.cpp), so fuzz/fuzz_checkpoint.cpp drives decode_checkpoint on bytes alone.
#include <charconv>
#include <nlohmann/json.hpp>

#include "nn/io/atomic_file.hpp"
#include "nn/train/checkpoint.hpp"

namespace vkae::nn {
namespace {

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

LoadedCheckpoint decode_checkpoint(std::span<const std::byte> bytes, std::string_view what) {
  LoadedCheckpoint c{decode_safetensors(bytes, what), {}, {}};
  const std::string where = "checkpoint " + std::string(what);
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

LoadedCheckpoint read_checkpoint(const std::filesystem::path& path) {
  LoadedCheckpoint c = decode_checkpoint(read_file(path), path.string());
  c.file.path = path;
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

}  // namespace vkae::nn
