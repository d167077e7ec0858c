#version 450
// VAE reparameterisation: eps[i] = normal_at((i, state.step, stream, 0), seed), z[i] = mu[i] + exp(lv[i]/2) eps[i].
// eps is saved so the backward is exact; seed and step come from the StepState buffer, so a recorded step
// draws fresh noise on every replay without re-recording. The CPU twin of eps is nn::normal_at.
// Threads: one per element (flat index i of [N, Z]), 256 per workgroup, tail bounds-checked.
// Bindings: 0 z [count] write, 1 eps [count] write (both overwritten); 2 mu [count] read;
//           3 lv [count] read (log sigma^2); 4 state [StepState, 64 bytes] read.
layout(local_size_x = 256) in;
layout(std430, binding = 0) writeonly buffer Z { float z[]; };
layout(std430, binding = 1) writeonly buffer Eps { float eps[]; };
layout(std430, binding = 2) readonly buffer Mu { float mu[]; };
layout(std430, binding = 3) readonly buffer LV { float lv[]; };

#include "rng.glsl"
#include "step_state.glsl"

layout(std430, binding = 4) readonly buffer StateBuffer { StepState state; };
layout(push_constant) uniform Push { uint count; uint stream; uint per_image; uint pad1; } p;

void main() {
  uint i = gl_GlobalInvocationID.x;
  if (i >= p.count) return;
  // The element's place in the step's global batch (p.per_image per image; 0: the flat index).
  uint element = i + state.image_offset * p.per_image;
  float e = normal_at(uvec4(element, state.step, p.stream, 0u), uvec2(state.seed_lo, state.seed_hi));
  eps[i] = e;
  z[i] = mu[i] + exp(0.5 * lv[i]) * e;
}
