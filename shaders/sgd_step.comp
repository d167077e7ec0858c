#version 450
// Plain SGD over a whole parameter arena: p -= state.lr * (g + wd p) (lr from the StepState buffer; the
// weight decay wd = 0 adds nothing). Nothing moves once state.halted is set (a non-finite step).
// Threads: one per parameter, 256 per workgroup, tail bounds-checked.
// Bindings: 0 params [count] read-write (updated in place); 1 grads [count] read; 2 state StepState read.
layout(local_size_x = 256) in;
#include "step_state.glsl"
layout(std430, binding = 0) buffer Params { float params[]; };
layout(std430, binding = 1) readonly buffer Grads { float grads[]; };
layout(std430, binding = 2) readonly buffer StateBuffer { StepState state; };
layout(push_constant) uniform Push { uint count; float momentum; float weight_decay; uint pad0; } p;

void main() {
  uint i = gl_GlobalInvocationID.x;
  if (i >= p.count || state.halted != 0u) return;
  float g = grads[i];
  if (p.weight_decay != 0.0) g += p.weight_decay * params[i];
  params[i] -= state.lr * g;
}
