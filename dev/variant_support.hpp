// What the dev variant checks and timings share: a variant's pipeline from its own words, and the weight
// layouts some variants read (the promoted packing, Winograd's transform).
#pragma once
#include <cstdint>
#include <vector>

#include "nn/ops/conv2d.hpp"
#include "runtime/pipeline.hpp"

namespace vkae::dev {

uint32_t div_up(uint64_t a, uint64_t b);

// The variant's pipeline, built from its own words: desc.local is its declared local size, which pipeline
// creation checks against the SPIR-V like for every built-in shader.
rt::Pipeline make_pipeline(const char* name, std::vector<rt::Access> bindings, uint32_t push_size,
                           uint32_t local);

// fwd_07's weights: the promoted forward's packing ([C_in, KH, KW, C_out rounded up to the channel block]).
std::vector<float> repack_vec4(const std::vector<float>& w, const nn::Conv2dShape& s);
// fwd_11's weights: U = G w G^T per (co, ci), G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1] (Winograd
// F(2x2, 3x3)), laid out [C_in, 16, C_out rounded up to 8]; computed in double.
std::vector<float> winograd_weights(const std::vector<float>& w, const nn::Conv2dShape& s);

}  // namespace vkae::dev
