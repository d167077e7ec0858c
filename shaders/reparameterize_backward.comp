#version 450
// VAE reparameterisation backward with the forward's saved eps held fixed:
// dmu = dz, dlv = dz * 1/2 exp(lv/2) eps.
// Threads: one per element, 256 per workgroup, tail bounds-checked.
// Bindings: 0 dmu [count] read-write, 1 dlv [count] read-write (both overwritten, or accumulated when
//           p.accumulate != 0); 2 dz [count] read; 3 lv [count] read; 4 eps [count] read.
layout(local_size_x = 256) in;
layout(std430, binding = 0) buffer DMu { float dmu[]; };
layout(std430, binding = 1) buffer DLV { float dlv[]; };
layout(std430, binding = 2) readonly buffer DZ { float dz[]; };
layout(std430, binding = 3) readonly buffer LV { float lv[]; };
layout(std430, binding = 4) readonly buffer Eps { float eps[]; };
layout(push_constant) uniform Push { uint count; uint accumulate; uint pad0; uint pad1; } p;

void main() {
  uint i = gl_GlobalInvocationID.x;
  if (i >= p.count) return;
  float g = dz[i];
  float gl = g * 0.5 * exp(0.5 * lv[i]) * eps[i];
  dmu[i] = p.accumulate != 0u ? dmu[i] + g : g;
  dlv[i] = p.accumulate != 0u ? dlv[i] + gl : gl;
}
