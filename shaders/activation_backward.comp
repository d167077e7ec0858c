#version 450
// dx = dy * f'(x) elementwise; sigmoid and tanh take f' from the saved output y (y(1-y), 1-y^2).
// Threads: one per element, 256 per workgroup, tail bounds-checked.
// Bindings: 0 dx [count] read-write (overwritten, or accumulated when p.accumulate != 0);
//           1 dy [count] read; 2 x [count] read; 3 y [count] read.
layout(local_size_x = 256) in;
layout(std430, binding = 0) buffer DX { float dx[]; };
layout(std430, binding = 1) readonly buffer DY { float dy[]; };
layout(std430, binding = 2) readonly buffer X { float x[]; };
layout(std430, binding = 3) readonly buffer Y { float y[]; };
layout(push_constant) uniform Push { uint count; uint kind; float alpha; uint accumulate; } p;

#include "activation.glsl"

void main() {
  uint i = gl_GlobalInvocationID.x;
  if (i >= p.count) return;
  float g = dy[i] * activate_derivative(x[i], y[i], p.kind, p.alpha);
  dx[i] = p.accumulate != 0u ? dx[i] + g : g;
}
