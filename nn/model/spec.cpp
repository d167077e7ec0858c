// Model spec parsing and writing, shape inference, parameter counts and the summary. The built-in models
// are builtin_models.cpp's.
#include "nn/model/spec.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "nn/io/atomic_file.hpp"

namespace vkae::nn {
namespace {

LayerKind parse_kind(const std::string& s, const std::string& where) {
  if (s == "conv2d") return LayerKind::Conv2d;
  if (s == "conv_transpose2d") return LayerKind::ConvTranspose2d;
  if (s == "maxpool2d") return LayerKind::MaxPool2d;
  if (s == "upsample2d") return LayerKind::UpSample2d;
  if (s == "dense") return LayerKind::Dense;
  if (s == "flatten") return LayerKind::Flatten;
  if (s == "reshape") return LayerKind::Reshape;
  if (s == "sampling") return LayerKind::Sampling;
  throw InputError(where + ": unknown layer type \"" + s +
                   "\" (expected conv2d, conv_transpose2d, maxpool2d, upsample2d, dense, flatten, reshape or "
                   "sampling)");
}

Activation parse_activation(const std::string& s, const std::string& where) {
  if (s == "linear" || s == "identity" || s == "none") return Activation::Identity;
  if (s == "relu") return Activation::Relu;
  if (s == "leaky_relu") return Activation::LeakyRelu;
  if (s == "sigmoid") return Activation::Sigmoid;
  if (s == "tanh") return Activation::Tanh;
  throw InputError(where + ": unknown activation \"" + s +
                   "\" (expected linear, relu, leaky_relu, sigmoid or tanh)");
}

Shape3 parse_shape3(const Json& j, const std::string& where) {
  const Json& a = json_array(j, where);
  if (a.size() != 3) throw InputError(where + ": expected [channels, height, width]");
  Shape3 s;
  s.c = static_cast<uint32_t>(json_int(a[0], where + "[0]", 1, 1 << 16));
  s.h = static_cast<uint32_t>(json_int(a[1], where + "[1]", 1, 1 << 16));
  s.w = static_cast<uint32_t>(json_int(a[2], where + "[2]", 1, 1 << 16));
  return s;
}

LayerSpec parse_layer(const Json& j, const std::string& where_in) {
  const std::string type = json_string(json_at(j, "type", where_in), where_in + ".type");
  const std::string where = where_in + " (" + type + ")";
  static const char* const kKnownKeys[] = {"type",    "filters",    "units", "kernel", "stride",
                                           "padding", "activation", "alpha", "l1",     "shape"};
  for (const auto& [key, value] : json_object(j, where).items()) {
    bool known = false;
    for (const char* k : kKnownKeys) known = known || key == k;
    if (!known) throw InputError(where + ": unknown key \"" + key + "\"");
  }
  LayerSpec l;
  l.kind = parse_kind(type, where);
  auto get_int = [&](const char* key, int64_t lo, int64_t hi, int64_t fallback) -> uint32_t {
    const Json* v = json_find(j, key);
    return static_cast<uint32_t>(v ? json_int(*v, where + "." + key, lo, hi) : fallback);
  };
  const bool conv = l.kind == LayerKind::Conv2d || l.kind == LayerKind::ConvTranspose2d;
  if (conv) {
    if (!json_find(j, "filters")) throw InputError(where + ": missing \"filters\"");
    l.units = get_int("filters", 1, 4096, 0);
    l.kernel = get_int("kernel", 1, 15, 3);
    l.stride = get_int("stride", 1, 4, 1);
  } else if (l.kind == LayerKind::Dense || l.kind == LayerKind::Sampling) {
    if (!json_find(j, "units")) throw InputError(where + ": missing \"units\"");
    l.units = get_int("units", 1, 1 << 20, 0);
  } else if (l.kind == LayerKind::Reshape) {
    if (!json_find(j, "shape")) throw InputError(where + ": missing \"shape\"");
    l.reshape = parse_shape3(json_at(j, "shape"), where + ".shape");
  }
  if (const Json* p = json_find(j, "padding")) {
    const std::string& s = json_string(*p, where + ".padding");
    if (s == "same")
      l.padding = PaddingKind::Same;
    else if (s == "valid")
      l.padding = PaddingKind::Valid;
    else
      throw InputError(where + ": padding must be \"same\" or \"valid\", not \"" + s + "\"");
  }
  if (const Json* a = json_find(j, "activation")) {
    if (!conv && l.kind != LayerKind::Dense) throw InputError(where + ": this layer takes no activation");
    l.activation = parse_activation(json_string(*a, where + ".activation"), where);
  }
  if (const Json* a = json_find(j, "alpha")) {
    l.alpha = static_cast<float>(json_number(*a, where + ".alpha"));
    // As Keras' LeakyReLU (negative_slope >= 0); it also lets the backward take f' from the output alone.
    if (!(l.alpha >= 0)) throw InputError(where + ": alpha must be >= 0");
  }
  if (const Json* a = json_find(j, "l1")) {
    l.l1 = static_cast<float>(json_number(*a, where + ".l1"));
    if (!(l.l1 >= 0)) throw InputError(where + ": l1 must be >= 0");
  }
  return l;
}

std::vector<LayerSpec> parse_layers(const Json& j, const std::string& where) {
  std::vector<LayerSpec> out;
  const Json& a = json_array(j, where);
  for (size_t i = 0; i < a.size(); ++i)
    out.push_back(parse_layer(a[i], where + "[" + std::to_string(i) + "]"));
  return out;
}

}  // namespace

std::string shape3_string(Shape3 s) {
  return "[" + std::to_string(s.c) + ", " + std::to_string(s.h) + ", " + std::to_string(s.w) + "]";
}

const char* layer_kind_name(LayerKind kind) noexcept {
  switch (kind) {
    case LayerKind::Conv2d:
      return "conv2d";
    case LayerKind::ConvTranspose2d:
      return "conv_transpose2d";
    case LayerKind::MaxPool2d:
      return "maxpool2d";
    case LayerKind::UpSample2d:
      return "upsample2d";
    case LayerKind::Dense:
      return "dense";
    case LayerKind::Flatten:
      return "flatten";
    case LayerKind::Reshape:
      return "reshape";
    case LayerKind::Sampling:
      return "sampling";
  }
  return "?";
}

Shape3 layer_output_shape(const LayerSpec& l, Shape3 in, std::string_view where_view) {
  const std::string where(where_view);
  switch (l.kind) {
    case LayerKind::Conv2d: {
      auto out_dim = [&](uint32_t d) -> uint32_t {
        if (l.padding == PaddingKind::Same) return (d + l.stride - 1) / l.stride;
        if (d < l.kernel)
          throw InputError(where + ": a " + std::to_string(l.kernel) + "x" + std::to_string(l.kernel) +
                           " 'valid' kernel does not fit the input " + shape3_string(in));
        return (d - l.kernel) / l.stride + 1;
      };
      return {l.units, out_dim(in.h), out_dim(in.w)};
    }
    case LayerKind::ConvTranspose2d:
      if (l.padding != PaddingKind::Same) throw InputError(where + ": only padding \"same\" is supported");
      return {l.units, in.h * l.stride, in.w * l.stride};
    case LayerKind::MaxPool2d:
      if (l.padding == PaddingKind::Valid && (in.h < 2 || in.w < 2))
        throw InputError(where + ": input " + shape3_string(in) + " is smaller than the 2x2 window");
      return l.padding == PaddingKind::Same ? Shape3{in.c, (in.h + 1) / 2, (in.w + 1) / 2}
                                            : Shape3{in.c, in.h / 2, in.w / 2};
    case LayerKind::UpSample2d:
      return {in.c, in.h * 2, in.w * 2};
    case LayerKind::Dense:
      if (in.h != 1 || in.w != 1)
        throw InputError(where + ": dense needs a flat input, got " + shape3_string(in) +
                         " (add a flatten layer)");
      return {l.units, 1, 1};
    case LayerKind::Sampling:
      if (in.h != 1 || in.w != 1)
        throw InputError(where + ": sampling needs a flat input, got " + shape3_string(in) +
                         " (add a flatten layer)");
      return {l.units, 1, 1};
    case LayerKind::Flatten:
      return {static_cast<uint32_t>(in.size()), 1, 1};
    case LayerKind::Reshape:
      if (l.reshape.size() != in.size())
        throw InputError(where + ": cannot reshape " + shape3_string(in) + " (" + std::to_string(in.size()) +
                         " values) to " + shape3_string(l.reshape));
      return l.reshape;
  }
  return in;
}

LayerParams layer_params(const LayerSpec& l, Shape3 in) {
  LayerParams p;
  const uint64_t k2 = uint64_t{l.kernel} * l.kernel;
  switch (l.kind) {
    case LayerKind::Conv2d:
      p.weight_shape = {l.units, in.c, l.kernel, l.kernel};
      p.weight_count = l.units * in.c * k2;
      p.bias_count = l.units;
      p.limit = static_cast<float>(std::sqrt(6.0 / double((in.c + l.units) * k2)));
      break;
    case LayerKind::ConvTranspose2d:  // PyTorch layout [in, out, kh, kw]
      p.weight_shape = {in.c, l.units, l.kernel, l.kernel};
      p.weight_count = l.units * in.c * k2;
      p.bias_count = l.units;
      p.limit = static_cast<float>(std::sqrt(6.0 / double((in.c + l.units) * k2)));
      break;
    case LayerKind::Sampling:  // two dense heads, each as Keras' Dense(units)
    case LayerKind::Dense:
      p.heads = l.kind == LayerKind::Sampling ? 2 : 1;
      p.weight_shape = {l.units, static_cast<int64_t>(in.c)};
      p.weight_count = uint64_t{l.units} * in.c;
      p.bias_count = l.units;
      p.limit = static_cast<float>(std::sqrt(6.0 / double(in.c + l.units)));
      break;
    default:
      break;
  }
  return p;
}

ModelSpec parse_model_spec(const Json& j, std::string_view what_view) {
  const std::string what(what_view);
  ModelSpec m;
  for (const auto& [key, value] : json_object(j, what).items()) {
    if (key != "name" && key != "input" && key != "encoder" && key != "decoder" && key != "loss" &&
        key != "denoising" && key != "reduction" && key != "super_resolution")
      throw InputError(what + ": unknown key \"" + key + "\"");
  }
  const Json* name = json_find(j, "name");
  m.name = name ? json_string(*name, what + ": name") : "custom";
  if (const Json* in = json_find(j, "input")) m.input = parse_shape3(*in, what + ": input");
  m.encoder = parse_layers(json_at(j, "encoder", what), what + ": encoder");
  m.decoder = parse_layers(json_at(j, "decoder", what), what + ": decoder");
  if (m.encoder.empty() || m.decoder.empty())
    throw InputError(what + ": encoder and decoder need at least one layer");
  if (const Json* l = json_find(j, "loss")) {
    const std::string& s = json_string(*l, what + ": loss");
    if (s == "bce")
      m.loss = LossKind::Bce;
    else if (s == "mse")
      m.loss = LossKind::Mse;
    else
      throw InputError(what + ": loss must be \"bce\" or \"mse\", not \"" + s + "\"");
  }
  if (const Json* r = json_find(j, "reduction")) {
    const std::string& s = json_string(*r, what + ": reduction");
    if (s == "mean")
      m.reduction = Reduction::Mean;
    else if (s == "sum")
      m.reduction = Reduction::Sum;
    else
      throw InputError(what + ": reduction must be \"mean\" or \"sum\", not \"" + s + "\"");
  }
  if (const Json* d = json_find(j, "denoising")) m.denoising = json_bool(*d, what + ": denoising");
  if (const Json* d = json_find(j, "super_resolution"))
    m.super_resolution = json_bool(*d, what + ": super_resolution");
  if (m.super_resolution && m.denoising)
    throw InputError(what + ": a model is either denoising or super_resolution, not both");
  // One sampling layer at most, and it ends the encoder (its z is the code the decoder reads).
  for (size_t i = 0; i < m.encoder.size(); ++i)
    if (m.encoder[i].kind == LayerKind::Sampling && i + 1 != m.encoder.size())
      throw InputError(what + ": encoder[" + std::to_string(i) +
                       "] (sampling): the sampling layer must be the encoder's last layer");
  for (size_t i = 0; i < m.decoder.size(); ++i)
    if (m.decoder[i].kind == LayerKind::Sampling)
      throw InputError(what + ": decoder[" + std::to_string(i) +
                       "] (sampling): the sampling layer belongs at the end of the encoder");
  // Shapes must chain and the output must match the target (an autoencoder reconstructs its input).
  Shape3 s = m.input;
  for (size_t i = 0; i < m.encoder.size(); ++i)
    s = layer_output_shape(
        m.encoder[i], s,
        what + ": encoder[" + std::to_string(i) + "] (" + layer_kind_name(m.encoder[i].kind) + ")");
  for (size_t i = 0; i < m.decoder.size(); ++i)
    s = layer_output_shape(
        m.decoder[i], s,
        what + ": decoder[" + std::to_string(i) + "] (" + layer_kind_name(m.decoder[i].kind) + ")");
  if (m.decoder.back().l1 > 0)
    throw InputError(what + ": decoder[" + std::to_string(m.decoder.size() - 1) +
                     "]: an l1 activity penalty on the output layer is not supported");
  if (!(s == m.output()))
    throw InputError(
        what + ": the decoder produces " + shape3_string(s) + " but the input is " + shape3_string(m.input) +
        (m.super_resolution ? "; super-resolution must produce twice the input's height and width "
                            : "; an autoencoder must reconstruct its input shape ") +
        shape3_string(m.output()));
  return m;
}

Json model_spec_to_json(const ModelSpec& m) {
  auto shape = [](Shape3 s) { return Json::array({s.c, s.h, s.w}); };
  auto layers = [&](const std::vector<LayerSpec>& ls) {
    Json a = Json::array();
    for (const LayerSpec& l : ls) {
      Json o = Json::object();
      o["type"] = layer_kind_name(l.kind);
      if (l.kind == LayerKind::Conv2d || l.kind == LayerKind::ConvTranspose2d) {
        o["filters"] = l.units;
        o["kernel"] = l.kernel;
        o["stride"] = l.stride;
      }
      if (l.kind == LayerKind::Dense || l.kind == LayerKind::Sampling) o["units"] = l.units;
      if (l.kind == LayerKind::Reshape) o["shape"] = shape(l.reshape);
      if (l.kind == LayerKind::Conv2d || l.kind == LayerKind::ConvTranspose2d ||
          l.kind == LayerKind::MaxPool2d)
        o["padding"] = l.padding == PaddingKind::Same ? "same" : "valid";
      if (l.kind == LayerKind::Conv2d || l.kind == LayerKind::ConvTranspose2d || l.kind == LayerKind::Dense) {
        o["activation"] = l.activation == Activation::Identity ? "linear" : activation_name(l.activation);
        if (l.activation == Activation::LeakyRelu) o["alpha"] = l.alpha;
      }
      if (l.l1 > 0) o["l1"] = l.l1;
      a.push_back(std::move(o));
    }
    return a;
  };
  Json j = Json::object();
  j["name"] = m.name;
  j["input"] = shape(m.input);
  j["denoising"] = m.denoising;
  if (m.super_resolution) j["super_resolution"] = true;
  j["loss"] = m.loss == LossKind::Bce ? "bce" : "mse";
  j["reduction"] = m.reduction == Reduction::Sum ? "sum" : "mean";
  j["encoder"] = layers(m.encoder);
  j["decoder"] = layers(m.decoder);
  return j;
}

int ModelSpec::sampling_layer() const noexcept {
  for (size_t i = 0; i < encoder.size(); ++i)
    if (encoder[i].kind == LayerKind::Sampling) return static_cast<int>(i);
  return -1;
}

std::string loss_label(const ModelSpec& m) {
  std::string s = m.loss == LossKind::Bce ? "BCE" : "MSE";
  if (m.sampling_layer() >= 0) s += " + KL";
  if (m.reduction == Reduction::Sum) s += " per image";
  return s;
}

void set_latent_size(ModelSpec& m, uint32_t z) {
  const int i = m.sampling_layer();
  if (i < 0)
    throw InputError("--latent: model " + m.name + " has no sampling layer (only a VAE such as vae has one)");
  if (z == 0) throw InputError("--latent 0: expected an integer >= 1");
  m.encoder[static_cast<size_t>(i)].units = z;
  // Re-check the chain with the new size.
  m = parse_model_spec(model_spec_to_json(m), m.name);
}

}  // namespace vkae::nn

namespace vkae::nn {

std::string model_summary(const ModelSpec& m) {
  std::string out = "Model: " + m.name + " (input " + shape3_string(m.input) + ", output " +
                    shape3_string(m.output()) + ", loss " + loss_label(m) +
                    (m.denoising ? ", denoising" : "") + (m.super_resolution ? ", super-resolution" : "") +
                    ")\n";
  char line[160];
  std::snprintf(line, sizeof line, "%-32s %-16s %12s\n", "layer", "output shape", "params");
  out += line;
  out += std::string(62, '-') + "\n";
  uint64_t total = 0;
  Shape3 s = m.input;
  auto add = [&](const std::vector<LayerSpec>& list, const char* part) {
    for (size_t i = 0; i < list.size(); ++i) {
      const LayerSpec& l = list[i];
      const Shape3 o = layer_output_shape(l, s, part);
      const LayerParams p = layer_params(l, s);
      std::string name = std::string(part) + "." + std::to_string(i) + " " + layer_kind_name(l.kind);
      if (l.activation != Activation::Identity) name += std::string(" ") + activation_name(l.activation);
      if (l.l1 > 0) name += " +l1";
      std::snprintf(line, sizeof line, "%-32s %-16s %12llu\n", name.c_str(), shape3_string(o).c_str(),
                    static_cast<unsigned long long>(p.total()));
      out += line;
      total += p.total();
      s = o;
    }
  };
  add(m.encoder, "encoder");
  add(m.decoder, "decoder");
  out += std::string(62, '-') + "\n";
  out += "total params: " + std::to_string(total) + " (" + std::to_string(total * 4) + " bytes of float32)\n";
  return out;
}

Shape3 code_shape(const ModelSpec& spec) {
  Shape3 s = spec.input;
  for (const LayerSpec& l : spec.encoder) s = layer_output_shape(l, s, layer_kind_name(l.kind));
  return s;
}

}  // namespace vkae::nn
