// One layer's forward and backward as op recordings: the only place that maps a LayerSpec to ops.
#pragma once
#include <vector>

#include "nn/model/model.hpp"

namespace vkae::nn {

struct LayerPass {
  uint32_t n = 0;                // images
  bool apply_activation = true;  // false: leave the output as z (the final sigmoid fused into BCE)
  // The op writes f(op + b) into y itself; false: it writes z and a separate pass computes y = f(z), for the
  // final layer of a sigmoid + BCE model, whose logits z the loss reads even after a predict pass.
  bool fuse_activation = true;
  bool predict = false;          // a sampling layer outputs mu instead of drawing z
  rt::BufferView rng_state;      // StepState keying the sampling layer's noise (training)
};

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
