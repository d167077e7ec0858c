// The built-in models, written in the same JSON format users write (so they go through the one parser and
// its checks), and resolve_model: a built-in's name or a path to a .json spec.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "nn/io/atomic_file.hpp"
#include "nn/io/json.hpp"
#include "nn/model/spec.hpp"

namespace vkae::nn {
namespace {

// The built-ins, in the user-facing format. Keras semantics: 'same' padding, relu inside, sigmoid output.
constexpr std::string_view kBuiltins[][2] = {
    {"dae", R"({"name":"dae","input":[1,28,28],"denoising":true,"loss":"bce",
      "encoder":[{"type":"conv2d","filters":32,"kernel":3,"activation":"relu"},{"type":"maxpool2d"},
                 {"type":"conv2d","filters":32,"kernel":3,"activation":"relu"},{"type":"maxpool2d"}],
      "decoder":[{"type":"conv2d","filters":32,"kernel":3,"activation":"relu"},{"type":"upsample2d"},
                 {"type":"conv2d","filters":32,"kernel":3,"activation":"relu"},{"type":"upsample2d"},
                 {"type":"conv2d","filters":1,"kernel":3,"activation":"sigmoid"}]})"},
    {"dae-transpose", R"({"name":"dae-transpose","input":[1,28,28],"denoising":true,"loss":"bce",
      "encoder":[{"type":"conv2d","filters":32,"kernel":3,"activation":"relu"},{"type":"maxpool2d"},
                 {"type":"conv2d","filters":32,"kernel":3,"activation":"relu"},{"type":"maxpool2d"}],
      "decoder":[{"type":"conv_transpose2d","filters":32,"kernel":3,"stride":2,"activation":"relu"},
                 {"type":"conv_transpose2d","filters":32,"kernel":3,"stride":2,"activation":"relu"},
                 {"type":"conv2d","filters":1,"kernel":3,"activation":"sigmoid"}]})"},
    {"conv", R"({"name":"conv","input":[1,28,28],"loss":"bce",
      "encoder":[{"type":"conv2d","filters":16,"kernel":3,"activation":"relu"},{"type":"maxpool2d"},
                 {"type":"conv2d","filters":8,"kernel":3,"activation":"relu"},{"type":"maxpool2d"},
                 {"type":"conv2d","filters":8,"kernel":3,"activation":"relu"},{"type":"maxpool2d"}],
      "decoder":[{"type":"conv2d","filters":8,"kernel":3,"activation":"relu"},{"type":"upsample2d"},
                 {"type":"conv2d","filters":8,"kernel":3,"activation":"relu"},{"type":"upsample2d"},
                 {"type":"conv2d","filters":16,"kernel":3,"padding":"valid","activation":"relu"},
                 {"type":"upsample2d"},
                 {"type":"conv2d","filters":1,"kernel":3,"activation":"sigmoid"}]})"},
    {"dense", R"({"name":"dense","input":[1,28,28],"loss":"bce",
      "encoder":[{"type":"flatten"},{"type":"dense","units":32,"activation":"relu"}],
      "decoder":[{"type":"dense","units":784,"activation":"sigmoid"},{"type":"reshape","shape":[1,28,28]}]})"},
    {"sparse", R"({"name":"sparse","input":[1,28,28],"loss":"bce",
      "encoder":[{"type":"flatten"},{"type":"dense","units":32,"activation":"relu","l1":1e-5}],
      "decoder":[{"type":"dense","units":784,"activation":"sigmoid"},{"type":"reshape","shape":[1,28,28]}]})"},
    {"deep", R"({"name":"deep","input":[1,28,28],"loss":"bce",
      "encoder":[{"type":"flatten"},{"type":"dense","units":128,"activation":"relu"},
                 {"type":"dense","units":64,"activation":"relu"},{"type":"dense","units":32,"activation":"relu"}],
      "decoder":[{"type":"dense","units":64,"activation":"relu"},{"type":"dense","units":128,"activation":"relu"},
                 {"type":"dense","units":784,"activation":"sigmoid"},{"type":"reshape","shape":[1,28,28]}]})"},
    // Kingma & Welling's MLP VAE with the PyTorch example's loss: Σ BCE over the pixels + KL, per image.
    {"vae", R"({"name":"vae","input":[1,28,28],"loss":"bce","reduction":"sum",
      "encoder":[{"type":"flatten"},{"type":"dense","units":512,"activation":"relu"},{"type":"sampling","units":2}],
      "decoder":[{"type":"dense","units":512,"activation":"relu"},{"type":"dense","units":784,"activation":"sigmoid"},
                 {"type":"reshape","shape":[1,28,28]}]})"},
    // Super-resolution: 14x14 in (the image downscaled 2x by averaging), 28x28 out; a transposed conv
    // upsamples.
    {"sr", R"({"name":"sr","input":[1,14,14],"super_resolution":true,"loss":"bce",
      "encoder":[{"type":"conv2d","filters":32,"kernel":3,"activation":"relu"},
                 {"type":"conv2d","filters":32,"kernel":3,"activation":"relu"}],
      "decoder":[{"type":"conv_transpose2d","filters":16,"kernel":3,"stride":2,"activation":"relu"},
                 {"type":"conv2d","filters":1,"kernel":3,"activation":"sigmoid"}]})"},
};

}  // namespace

std::vector<std::string> builtin_model_names() {
  std::vector<std::string> out;
  for (const auto& b : kBuiltins) out.emplace_back(b[0]);
  return out;
}

bool is_builtin_model(std::string_view name) noexcept {
  for (const auto& b : kBuiltins)
    if (name == b[0]) return true;
  return false;
}

namespace {

// 2^(pooling layers): what H and W must be divisible by for a pooling model to give its input back.
uint32_t pooling_factor(const ModelSpec& spec) {
  uint32_t factor = 1;
  for (const auto& l : spec.encoder)
    if (l.kind == LayerKind::MaxPool2d) factor *= 2;
  return factor;
}

std::string size_hint(const ModelSpec& spec, Shape3 data) {
  const uint32_t f = pooling_factor(spec) * (spec.super_resolution ? 2 : 1);
  const auto up = [f](uint32_t d) { return std::to_string((d + f - 1) / f * f); };
  return "model " + spec.name + " needs H and W divisible by " + std::to_string(f) + ", the data is " +
         shape3_string(data) + "; pass --size " + up(data.h) + "x" + up(data.w);
}

bool fits(const ModelSpec& spec, Shape3 data);

}  // namespace

ModelSpec fit_to_data(const ModelSpec& spec, Shape3 data) {
  ModelSpec fitted = spec;
  fitted.input = spec.super_resolution ? Shape3{data.c, data.h / 2, data.w / 2} : data;
  if (spec.super_resolution && (data.h % 2 || data.w % 2)) throw InputError(size_hint(spec, data));
  if (fitted.input == spec.input) return spec;
  LayerSpec& last = fitted.decoder.back();
  if (last.kind == LayerKind::Reshape) {
    last.reshape = data;
    for (auto it = fitted.decoder.rbegin(); it != fitted.decoder.rend(); ++it)
      if (it->kind == LayerKind::Dense) {
        it->units = static_cast<uint32_t>(data.size());
        break;
      }
  } else if (last.kind == LayerKind::Conv2d || last.kind == LayerKind::ConvTranspose2d) {
    last.units = data.c;
  }
  try {
    return parse_model_spec(model_spec_to_json(fitted), spec.name);  // every check of a user's spec
  } catch (const InputError&) {
    const uint32_t f = pooling_factor(spec) * (spec.super_resolution ? 2 : 1);
    const Shape3 rounded{data.c, (data.h + f - 1) / f * f, (data.w + f - 1) / f * f};
    if (rounded == data || !fits(spec, rounded))
      throw InputError("model " + spec.name + ": its layers cannot give back " + shape3_string(data) +
                       " images (it is made for 28x28); use dae, dense or a .json spec");
    throw InputError(size_hint(spec, data));
  }
}

namespace {
bool fits(const ModelSpec& spec, Shape3 data) {
  try {
    fit_to_data(spec, data);
    return true;
  } catch (const InputError&) {
    return false;
  }
}
}  // namespace

ModelSpec resolve_model(std::string_view name_or_path) {
  for (const auto& b : kBuiltins)
    if (name_or_path == b[0]) return parse_model_spec(parse_json(b[1], b[0]), b[0]);
  const std::filesystem::path path(name_or_path);
  if (path.extension() == ".json") {
    const auto bytes = read_file(path);
    const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    return parse_model_spec(parse_json(text, path.string()), path.string());
  }
  std::string names;
  for (const auto& n : builtin_model_names()) names += (names.empty() ? "" : ", ") + n;
  throw InputError("--model " + std::string(name_or_path) + ": unknown model (built-ins: " + names +
                   "; or a path to a .json layer list)");
}

}  // namespace vkae::nn
