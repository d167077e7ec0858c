#version 450
// Flags a training step whose loss or gradients are not finite, on the GPU, before the optimizer runs: the
// first such step and the lowest offending index of its gradient arena go into a host-visible health record
// (read with the loss ring, so the host never waits per step), and state.halted is set so every optimizer
// from then on leaves the parameters and moments as they were: no non-finite number reaches them.
// Non-finite is tested on the bits (exponent all ones), which no fast-math setting can fold away.
// Threads: one per gradient, 256 per workgroup, tail bounds-checked; invocation 0 also checks the loss.
// Bindings: 0 grads [count] read; 1 loss [1] read; 2 state StepState read-write (halted, atomically);
//           3 health [4] read-write: {first bad step (~0 = none), lowest bad index (count = the loss only),
//           unused, unused}, atomically.
layout(local_size_x = 256) in;
#include "step_state.glsl"
layout(std430, binding = 0) readonly buffer Grads { float grads[]; };
layout(std430, binding = 1) readonly buffer Loss { float loss[]; };
layout(std430, binding = 2) buffer StateBuffer { StepState state; };
layout(std430, binding = 3) buffer Health { uint health[]; };
layout(push_constant) uniform Push { uint count; } p;

bool not_finite(float x) {
  return (floatBitsToUint(x) & 0x7f800000u) == 0x7f800000u;
}

void flag(uint index) {
  atomicMin(health[0], state.step);
  atomicMin(health[1], index);
  atomicOr(state.halted, 1u);
}

void main() {
  uint i = gl_GlobalInvocationID.x;
  // An earlier step already went bad: its record stands (this step's threads all read the same step).
  if (health[0] < state.step) return;
  if (i < p.count && not_finite(grads[i])) flag(i);
  if (i == 0u && not_finite(loss[0])) flag(p.count);
}
