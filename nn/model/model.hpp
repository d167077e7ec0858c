// A model on the device: parameters (one arena), gradients (a second arena, same layout), and the
// activation buffers of every layer for a fixed maximum batch; records forward and backward passes for any
// batch up to that maximum. Knows nothing about datasets, losses' targets or the optimizer's schedule.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nn/io/safetensors.hpp"
#include "nn/model/spec.hpp"
#include "nn/ops/loss.hpp"
#include "runtime/context.hpp"

namespace vkae::nn {

struct Param {
  std::string name;            // PyTorch-style: "encoder.0.weight"
  std::vector<int64_t> shape;  // PyTorch layout
  uint64_t count = 0;
  float glorot_limit = 0;  // weights: U(-limit, limit); biases: 0 (zeros)
  rt::BufferView value, grad;
};

struct LayerBuffers {
  const LayerSpec* spec = nullptr;
  std::string where;  // "encoder[2] (conv2d)"
  Shape3 in, out;
  rt::BufferView x, dx;  // input and its gradient (dx empty for the first layer)
  // Output y and pre-activation z. z has its own buffer only in the model's last layer (whose logits a
  // sigmoid + BCE loss reads); elsewhere the activation is fused into the op and z is the same view as y.
  rt::BufferView z, y;
  rt::BufferView dz, dy;       // separate exactly when `activated`
  bool activated = false;      // a conv/dense layer with a non-identity activation
  int weight = -1, bias = -1;  // indices into Model::params()
  bool alias = false;          // flatten/reshape: y is x
  // Sampling only: the heads' outputs and gradients [N, Z], the second head's parameters, the saved noise.
  rt::BufferView mu, logvar, dmu, dlogvar, eps;
  rt::BufferView scratch;  // layer_scratch_floats(): a conv2d's packed weights (empty if none)
  int logvar_weight = -1, logvar_bias = -1;
};

// What a forward pass is for. Train: the sampling layer draws z (RNG keyed by the StepState buffer given to
// record_forward) and a BCE output stays logits; Predict: z = mu and every activation is applied.
enum class Pass { Train, Predict };

class Model {
 public:
  Model(rt::Context& ctx, ModelSpec spec, uint32_t max_batch);

  const ModelSpec& spec() const noexcept { return spec_; }
  uint32_t max_batch() const noexcept { return max_batch_; }
  const std::vector<Param>& params() const noexcept { return params_; }
  const std::vector<LayerBuffers>& layers() const noexcept { return layers_; }
  uint64_t param_count() const noexcept;
  // The whole parameter / gradient ranges (same layout): what the optimizer and an all-reduce see.
  rt::BufferView param_arena() const noexcept { return param_arena_->used_view(); }
  rt::BufferView grad_arena() const noexcept { return grad_arena_->used_view(); }
  uint64_t arena_floats() const noexcept { return param_arena_->used() / sizeof(float); }
  // The parameter, gradient and activation arenas, for tests of the memory plan.
  std::array<const rt::Arena*, 3> arenas() const noexcept {
    return {param_arena_.get(), grad_arena_.get(), act_arena_.get()};
  }

  rt::BufferView input() const noexcept { return input_; }     // [N, C, H, W] what the model reads
  rt::BufferView output() const noexcept { return tail().y; }  // after the final activation
  // The code: the encoder's last output [N, latent_size()] (a VAE's z), and for a VAE its mean and log
  // variance. Writing code() and calling record_decode runs the decoder on any latent vectors.
  rt::BufferView code() const noexcept { return layers_[code_layer_].y; }
  uint64_t latent_size() const noexcept { return layers_[code_layer_].out.size(); }
  const LayerBuffers* sampling() const noexcept {
    return sampling_ < 0 ? nullptr : &layers_[size_t(sampling_)];
  }
  // The factor both loss terms and their gradients carry for a batch of n: 1/n (sum reduction, per image)
  // or 1/(n * output elements) (mean).
  float loss_scale(uint32_t n) const noexcept;
  // What the loss reads and where it writes its gradient: the logits (fused sigmoid + BCE) or the output.
  rt::BufferView loss_input() const noexcept { return fused_sigmoid_bce() ? tail().z : tail().y; }
  rt::BufferView loss_grad() const noexcept { return fused_sigmoid_bce() ? tail().dz : tail().dy; }
  // The last layer that computes something (a trailing reshape/flatten only renames its output).
  const LayerBuffers& tail() const noexcept { return layers_[tail_]; }
  // The last layer's sigmoid folds into the loss (BCE with logits) during training.
  bool fused_sigmoid_bce() const noexcept;
  // Layer i (pooling or upsampling) writes the gradient of its producer's pre-activation in its backward
  // pass, so the producer (layer i - 1) skips its own activation backward.
  bool continues_through_producer(size_t i) const noexcept;

  // Forward for n <= max_batch images. `predict` also applies the final activation into output() and makes a
  // sampling layer output its mean; otherwise rng_state (a StepState) keys the sampling layer's noise.
  void record_forward(rt::Recorder& rec, uint32_t n, bool predict, rt::BufferView rng_state = {}) const;
  // The decoder alone, from code() to output(), prediction applied.
  void record_decode(rt::Recorder& rec, uint32_t n) const;
  // A VAE's KL term: loss[n'] = loss_scale(n) * KL of image n' ([n] floats, overwritten). No-op otherwise.
  void record_kl_rows(rt::Recorder& rec, rt::BufferView loss, uint32_t n) const;
  // The model's input for n clean images `target` (the output's shape): the images themselves, or their 2x
  // average downscale for super-resolution. Scoring a model on clean images (analysis, anomaly, reduce).
  void record_clean_input(rt::Recorder& rec, rt::BufferView target, uint32_t n) const;
  // The loss op of the spec's loss kind (BCE on logits or MSE).
  Loss loss_op() const noexcept { return spec_.loss == LossKind::Bce ? Loss::Bce : Loss::Mse; }
  // Backward from loss_grad() into the gradient arena (overwritten); a VAE's KL gradient included.
  void record_backward(rt::Recorder& rec, uint32_t n) const;

  // Glorot-uniform weights and zero biases from a seeded host generator (Keras defaults), uploaded.
  void initialize(rt::Context& ctx, uint64_t seed) const;
  std::vector<NamedTensor> read_params(rt::Context& ctx) const;
  void write_params(rt::Context& ctx, const Safetensors& file, std::string_view prefix = "") const;

 private:
  // What one allocation walk carves its views from: sizing arenas first, then real ones (see the
  // constructor).
  struct Arenas {
    rt::Arena& params;
    rt::Arena& grads;
    rt::Arena& activations;
  };
  void check_batch(uint32_t n) const;
  void allocate_buffers(const Arenas& arenas);
  void allocate_layers(const Arenas& arenas, const std::vector<LayerSpec>& list, const char* part,
                       Shape3& shape, bool& first);
  void allocate_activations(rt::Arena& activations, LayerBuffers& b) const;
  void allocate_params(const Arenas& arenas, LayerBuffers& b, const LayerParams& p,
                       const std::string& prefix);

  ModelSpec spec_;
  uint32_t max_batch_;
  std::unique_ptr<rt::Arena> param_arena_, grad_arena_, act_arena_;
  std::vector<Param> params_;
  std::vector<LayerBuffers> layers_;
  rt::BufferView input_;
  size_t tail_ = 0, code_layer_ = 0;
  const LayerSpec* tail_spec_ = nullptr;  // spec of layers_[tail_], known before the layers are allocated
  int sampling_ = -1;
};

}  // namespace vkae::nn
