#version 450
// MSE loss gradient: dz = scale * mse_grad(z, t) elementwise (2 (z - t)).
// Threads: one per element, 256 per workgroup, tail bounds-checked.
// Bindings: 0 dz [count] read-write (overwritten, or accumulated when p.accumulate != 0);
//           1 z [count] read; 2 t [count] read.
layout(local_size_x = 256) in;
layout(std430, binding = 0) buffer DZ { float dz[]; };
layout(std430, binding = 1) readonly buffer Z { float z[]; };
layout(std430, binding = 2) readonly buffer T { float t[]; };
layout(push_constant) uniform Push { uint count; uint accumulate; float scale; uint pad; } p;

#include "loss.glsl"

void main() {
  uint i = gl_GlobalInvocationID.x;
  if (i >= p.count) return;
  float g = p.scale * mse_grad(z[i], t[i]);
  dz[i] = p.accumulate != 0u ? dz[i] + g : g;
}
