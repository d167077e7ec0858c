#version 450
// KL(N(mu, sigma^2) || N(0, 1)) with lv = log sigma^2, fused with the first level of the reduction tree:
// out[g] = scale * Σ -1/2 (1 + lv[i] - mu[i]^2 - exp(lv[i])) over i in [g*span, min((g+1)*span, count)).
// span = 2048 for a whole-tensor loss (nn::record_tree_sum reduces the partials further), or Z for one KL
// per row of [N, Z]. Fixed tree: see reduce.glsl.
// Threads: one workgroup of 256 per span; each thread adds a strided slice, then a shared-memory tree.
// Bindings: 0 out [groups] write (overwritten); 1 mu [count] read; 2 lv [count] read.
#include "reduce_blocks.h"
layout(local_size_x = VKAE_REDUCE_LOCAL, local_size_x_id = 0) in;  // rt::Workgroups::reduce
layout(std430, binding = 0) writeonly buffer Out { float out_[]; };
layout(std430, binding = 1) readonly buffer Mu { float mu[]; };
layout(std430, binding = 2) readonly buffer LV { float lv[]; };
layout(push_constant) uniform Push { uint count; uint span; float scale; uint pad; } p;

#include "loss.glsl"

float reduce_element(uint i) { return kl_term(mu[i], lv[i]); }

#include "reduce.glsl"

REDUCE_MAIN(out_, p)
