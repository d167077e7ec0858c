#version 450
// Plain SGD over a whole parameter arena: p -= state.lr * g (lr from the StepState buffer).
// Threads: one per parameter, 256 per workgroup, tail bounds-checked.
// Bindings: 0 params [count] read-write (updated in place); 1 grads [count] read; 2 state StepState read.
layout(local_size_x = 256) in;
#include "step_state.glsl"
layout(std430, binding = 0) buffer Params { float params[]; };
layout(std430, binding = 1) readonly buffer Grads { float grads[]; };
layout(std430, binding = 2) readonly buffer StateBuffer { StepState state; };
layout(push_constant) uniform Push { uint count; uint pad0; uint pad1; uint pad2; } p;

void main() {
  uint i = gl_GlobalInvocationID.x;
  if (i >= p.count) return;
  params[i] -= state.lr * grads[i];
}
