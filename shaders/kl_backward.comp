#version 450
// KL gradient: dmu = scale * mu, dlv = scale * 1/2 (exp(lv) - 1), elementwise. Usually accumulated: mu and
// lv also receive gradient through the reparameterisation.
// Threads: one per element, 256 per workgroup, tail bounds-checked.
// Bindings: 0 dmu [count] read-write, 1 dlv [count] read-write (both overwritten, or accumulated when
//           p.accumulate != 0); 2 mu [count] read; 3 lv [count] read.
layout(local_size_x = 256) in;
layout(std430, binding = 0) buffer DMu { float dmu[]; };
layout(std430, binding = 1) buffer DLV { float dlv[]; };
layout(std430, binding = 2) readonly buffer Mu { float mu[]; };
layout(std430, binding = 3) readonly buffer LV { float lv[]; };
layout(push_constant) uniform Push { uint count; uint accumulate; float scale; uint pad; } p;

void main() {
  uint i = gl_GlobalInvocationID.x;
  if (i >= p.count) return;
  float gm = p.scale * mu[i];
  float gl = p.scale * 0.5 * (exp(lv[i]) - 1.0);
  dmu[i] = p.accumulate != 0u ? dmu[i] + gm : gm;
  dlv[i] = p.accumulate != 0u ? dlv[i] + gl : gl;
}
