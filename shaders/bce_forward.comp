#version 450
// BCE loss, fused with the first level of the reduction tree: out[g] = scale * Σ bce_term(z[i], t[i]) over
// i in [g*span, min((g+1)*span, count)). span = 2048 for one level of a whole-tensor loss (nn::record_tree_sum
// reduces the partials further), or D for per-row (per-image) losses of [N, D]. Fixed tree: see reduce.glsl.
// Threads: one workgroup of 256 per span; each thread adds a strided slice, then a shared-memory tree.
// Bindings: 0 out [groups] write (overwritten); 1 z [count] read (predictions: logits); 2 t [count] read (targets).
#include "reduce_blocks.h"
layout(local_size_x = VKAE_REDUCE_LOCAL, local_size_x_id = 0) in;  // rt::Workgroups::reduce
layout(std430, binding = 0) writeonly buffer Out { float out_[]; };
layout(std430, binding = 1) readonly buffer Z { float z[]; };
layout(std430, binding = 2) readonly buffer T { float t[]; };
layout(push_constant) uniform Push { uint count; uint span; float scale; uint pad; } p;

#include "loss.glsl"

float reduce_element(uint i) { return bce_term(z[i], t[i]); }

#include "reduce.glsl"

REDUCE_MAIN(out_, p)
