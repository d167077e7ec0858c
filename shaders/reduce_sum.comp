#version 450
// out[g] = scale * Σ in[g*span .. min((g+1)*span, count)): one level of a whole-tensor sum (span = chunk)
// or one sum per row (span = D). Fixed tree: see reduce.glsl.
// Threads: one workgroup of 256 per span; each thread adds a strided slice, then a shared-memory tree.
// Bindings: 0 out [groups] write (overwritten); 1 in [count] read.
#include "reduce_blocks.h"
layout(local_size_x = VKAE_REDUCE_LOCAL, local_size_x_id = 0) in;  // rt::Workgroups::reduce
layout(std430, binding = 0) writeonly buffer Out { float out_[]; };
layout(std430, binding = 1) readonly buffer In { float in_[]; };
layout(push_constant) uniform Push { uint count; uint span; float scale; uint pad; } p;

float reduce_element(uint i) { return in_[i]; }

#include "reduce.glsl"

REDUCE_MAIN(out_, p)
