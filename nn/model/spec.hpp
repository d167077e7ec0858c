// Model specifications: the layer list a model is built from, parsed from JSON (`--model path.json`) or
// taken from the built-ins (which are written in the same JSON), with errors that name the layer and problem.
// Knows nothing about the GPU; nn/model/model.hpp turns a spec into buffers and recorded ops.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "nn/io/json.hpp"
#include "nn/ops/activation.hpp"

namespace vkae::nn {

// Sampling is the VAE's latent layer: two dense heads (mu and log sigma^2, `units` each) and the
// reparameterisation z = mu + exp(logvar / 2) eps; it adds KL(N(mu, sigma^2) || N(0, I)) to the loss.
enum class LayerKind { Conv2d, ConvTranspose2d, MaxPool2d, UpSample2d, Dense, Flatten, Reshape, Sampling };
enum class PaddingKind { Same, Valid };
enum class LossKind { Bce, Mse };
// Mean: over every element of the batch (Keras/PyTorch default). Sum: over an image's elements, mean over the
// batch (the VAE's per-image loss, the scale its KL term is on).
enum class Reduction { Mean, Sum };

// Per-sample shape (NCHW without N); dense features are {D, 1, 1}.
struct Shape3 {
  uint32_t c = 0, h = 0, w = 0;
  uint64_t size() const noexcept { return uint64_t{c} * h * w; }
  bool operator==(const Shape3&) const = default;
};
std::string shape3_string(Shape3 s);

struct LayerSpec {
  LayerKind kind = LayerKind::Dense;
  uint32_t units = 0;  // dense: output features; conv: filters (output channels); sampling: latent size
  uint32_t kernel = 3;
  uint32_t stride = 1;
  PaddingKind padding = PaddingKind::Same;
  Activation activation = Activation::Identity;
  float alpha = 0.3f;  // leaky_relu slope
  float l1 = 0.0f;     // L1 activity penalty on this layer's output (sparse AE)
  Shape3 reshape;      // reshape target
};

struct ModelSpec {
  std::string name;
  Shape3 input{1, 28, 28};
  std::vector<LayerSpec> encoder;
  std::vector<LayerSpec> decoder;
  LossKind loss = LossKind::Bce;
  Reduction reduction = Reduction::Mean;
  bool denoising = false;         // train on noisy inputs against clean targets
  bool super_resolution = false;  // the input is the target downscaled 2x (the output is twice the input)

  // What the model produces and is compared with: the input's shape, or twice its size for super-resolution.
  Shape3 output() const noexcept {
    return super_resolution ? Shape3{input.c, input.h * 2, input.w * 2} : input;
  }
  // Index of the encoder's sampling layer (a VAE), or -1.
  int sampling_layer() const noexcept;
};

// "BCE", "MSE", "BCE + KL per image", ...: what a reported loss value is.
std::string loss_label(const ModelSpec& spec);
// Sets a VAE's latent size (`--latent Z`); InputError when the model has no sampling layer.
void set_latent_size(ModelSpec& spec, uint32_t z);

const char* layer_kind_name(LayerKind kind) noexcept;

// `what` names the input in errors ("model.json"): "model.json: decoder[2] (conv2d): kernel must be >= 1".
ModelSpec parse_model_spec(const Json& json, std::string_view what);
Json model_spec_to_json(const ModelSpec& spec);

// "dae" (the default), "conv", "dense", "deep", "sparse", "dae-transpose", "vae", "sr"; or a .json path.
ModelSpec resolve_model(std::string_view name_or_path);
std::vector<std::string> builtin_model_names();
bool is_builtin_model(std::string_view name) noexcept;

// A built-in model made for images of shape `data` (C x H x W; a super-resolution model's input is half of
// it): the input, the output layer's channels and, for dense models, the last dense layer's units and the
// reshape. Unchanged for 1x28x28. InputError in one line when the layers cannot reproduce that shape (a
// pooling model needs H and W divisible by its pooling factor) — naming the size to pass to --size.
ModelSpec fit_to_data(const ModelSpec& spec, Shape3 data);

// A layer's parameters for an input shape: weight shape in PyTorch layout (empty: no parameters), counts,
// and the Keras glorot-uniform limit sqrt(6 / (fan_in + fan_out)) with conv fans times the kernel area.
struct LayerParams {
  std::vector<int64_t> weight_shape;
  uint64_t weight_count = 0, bias_count = 0;  // per head
  uint32_t heads = 1;                         // sampling: 2 (mu and logvar), each a weight and a bias
  float limit = 0;
  uint64_t total() const noexcept { return (weight_count + bias_count) * heads; }
};
LayerParams layer_params(const LayerSpec& layer, Shape3 in);

// Keras-style model.summary(): one line per layer with its output shape and parameter count, then totals.
std::string model_summary(const ModelSpec& spec);

// Output shape of a layer for an input shape; InputError naming the layer when it does not fit.
Shape3 layer_output_shape(const LayerSpec& layer, Shape3 in, std::string_view where);
// The shape of the code: the encoder's output (Model::latent_size() is its size).
Shape3 code_shape(const ModelSpec& spec);

}  // namespace vkae::nn
