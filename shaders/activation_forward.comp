#version 450
// y = f(x) elementwise, f chosen by push constant (identity, relu, leaky_relu, sigmoid, tanh).
// Threads: one per element, 256 per workgroup, tail bounds-checked.
// Bindings: 0 y [count] write (overwritten); 1 x [count] read.
layout(local_size_x = 256) in;
layout(std430, binding = 0) writeonly buffer Y { float y[]; };
layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(push_constant) uniform Push { uint count; uint kind; float alpha; uint pad; } p;

#include "activation.glsl"

void main() {
  uint i = gl_GlobalInvocationID.x;
  if (i >= p.count) return;
  y[i] = activate(x[i], p.kind, p.alpha);
}
