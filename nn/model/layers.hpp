// One layer's forward and backward as op recordings: the only place that maps a LayerSpec to ops.
#pragma once
#include <vector>

#include "nn/model/model.hpp"

namespace vkae::nn {

struct LayerPass {
  uint32_t n = 0;                // images
  bool apply_activation = true;  // false: leave the output as z (the final sigmoid fused into BCE)
  bool predict = false;          // a sampling layer outputs mu instead of drawing z
  rt::BufferView rng_state;      // StepState keying the sampling layer's noise (training)
};

void record_layer_forward(rt::Recorder& rec, const LayerBuffers& layer, const std::vector<Param>& params,
                          const LayerPass& pass);
// Overwrites the layer's parameter gradients and its dx (when the layer has one). A sampling layer adds the
// gradient of kl_scale * KL (kl_scale: the loss's per-image factor, Model::loss_scale).
void record_layer_backward(rt::Recorder& rec, const LayerBuffers& layer, const std::vector<Param>& params,
                           uint32_t n, bool through_activation, float kl_scale);

}  // namespace vkae::nn
