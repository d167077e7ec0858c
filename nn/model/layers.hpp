// One layer's forward and backward as op recordings: the only place that maps a LayerSpec to ops.
#pragma once
#include <vector>

#include "nn/model/model.hpp"

namespace vkae::nn {

void record_layer_forward(rt::Recorder& rec, const LayerBuffers& layer, const std::vector<Param>& params,
                          uint32_t n, bool apply_activation);
// Overwrites the layer's parameter gradients and its dx (when the layer has one).
void record_layer_backward(rt::Recorder& rec, const LayerBuffers& layer, const std::vector<Param>& params,
                           uint32_t n, bool through_activation);

}  // namespace vkae::nn
