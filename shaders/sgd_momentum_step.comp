#version 450
// SGD with momentum over a whole parameter arena (PyTorch's form, no dampening, not Nesterov):
//   buf = mu * buf + g;  p -= state.lr * buf.  With buf starting at 0 the first step is plain SGD.
// Weight decay wd adds wd p to g first (0 adds nothing). Nothing moves once state.halted is set.
// Threads: one per parameter, 256 per workgroup, tail bounds-checked.
// Bindings: 0 params [count] read-write (updated in place); 1 grads [count] read;
//           2 velocity [count] read-write (updated); 3 state StepState read.
layout(local_size_x = 256) in;
#include "step_state.glsl"
layout(std430, binding = 0) buffer Params { float params[]; };
layout(std430, binding = 1) readonly buffer Grads { float grads[]; };
layout(std430, binding = 2) buffer Velocity { float velocity[]; };
layout(std430, binding = 3) readonly buffer StateBuffer { StepState state; };
layout(push_constant) uniform Push { uint count; float momentum; float weight_decay; uint pad0; } p;

void main() {
  uint i = gl_GlobalInvocationID.x;
  if (i >= p.count || state.halted != 0u) return;
  float g = grads[i];
  if (p.weight_decay != 0.0) g += p.weight_decay * params[i];
  float b = p.momentum * velocity[i] + g;
  velocity[i] = b;
  params[i] -= state.lr * b;
}
