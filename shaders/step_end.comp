#version 450
// Ends a recorded training step on the GPU: stores the step's loss in the metrics ring and advances the step
// state (step += 1, batch += 1), so the same command buffer replayed K times trains K consecutive steps.
// Threads: a single invocation (the work is four words).
// Bindings: 0 ring [slots] read-write (slot step % slots overwritten); 1 state (StepState) read-write;
//           2 loss [1] read.
layout(local_size_x = 1) in;
#include "step_state.glsl"
layout(std430, binding = 0) buffer Ring { float ring[]; };
layout(std430, binding = 1) buffer StateBuffer { StepState state; };
layout(std430, binding = 2) readonly buffer Loss { float loss[]; };
layout(push_constant) uniform Push { uint slots; } p;

void main() {
  ring[state.step % p.slots] = loss[0];
  state.step += 1u;
  state.batch += 1u;
}
