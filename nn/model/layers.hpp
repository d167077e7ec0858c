// One layer's forward and backward as op recordings: the only place that maps a LayerSpec to ops.
#pragma once
#include <vector>

#include "nn/model/model.hpp"

namespace vkae::nn {

struct LayerPass {
  uint32_t n = 0;  // images
  // The final layer of a sigmoid + BCE model: the op writes the logits z, which the loss reads; the sigmoid
  // into y is a separate pass, and only when predicting (in training it is part of the loss). Every other
  // layer writes f(op + b) into y itself.
  bool logits = false;
  bool predict = false;      // a sampling layer outputs mu instead of drawing z; logits also get y
  rt::BufferView rng_state;  // StepState keying the sampling layer's noise (training)
};

// Floats of LayerBuffers::scratch the layer's ops need (a conv2d's packed weights), 0 for most layers.
uint64_t layer_scratch_floats(const LayerBuffers& layer);

void record_layer_forward(rt::Recorder& rec, const LayerBuffers& layer, const std::vector<Param>& params,
                          const LayerPass& pass);
struct BackwardPass {
  uint32_t n = 0;                  // images
  bool through_activation = true;  // false: dz is already written (the loss's fused sigmoid, or the next
                                   // layer continued through this layer's activation)
  float kl_scale = 1.0f;           // a sampling layer adds the gradient of kl_scale * KL (Model::loss_scale)
  // Pooling and upsampling only: the layer in front, whose activation this layer's backward continues
  // through (writing that layer's dz, not its dy, in the same pass); null: write dx.
  const LayerBuffers* producer = nullptr;
};

// Overwrites the layer's parameter gradients and its dx (or its producer's dz, see BackwardPass).
void record_layer_backward(rt::Recorder& rec, const LayerBuffers& layer, const std::vector<Param>& params,
                           const BackwardPass& pass);

}  // namespace vkae::nn
