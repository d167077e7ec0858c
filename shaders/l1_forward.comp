#version 450
// L1 activity penalty fused with the first level of the reduction tree: out[g] = scale * Σ |a[i]| over
// i in [g*span, min((g+1)*span, count)); the host folds lambda (and Keras' 1/batch) into scale.
// span = 2048 for a whole-tensor penalty (nn::record_tree_sum reduces the partials further).
// Threads: one workgroup of 256 per span; each thread adds a strided slice, then a shared-memory tree.
// Bindings: 0 out [groups] write (overwritten); 1 a [count] read.
#include "reduce_blocks.h"
layout(local_size_x = VKAE_REDUCE_LOCAL, local_size_x_id = 0) in;  // rt::Workgroups::reduce
layout(std430, binding = 0) writeonly buffer Out { float out_[]; };
layout(std430, binding = 1) readonly buffer A { float a[]; };
layout(push_constant) uniform Push { uint count; uint span; float scale; uint pad; } p;

float reduce_element(uint i) { return abs(a[i]); }

#include "reduce.glsl"

REDUCE_MAIN(out_, p)
