#version 450
// Ends a recorded training step on the GPU: stores the step's loss in the metrics ring, advances the step
// state (step += 1, batch += 1) and takes the next step's learning rate from the epoch's table (lrs[batch],
// written by the host at the epoch's start), so the same command buffer replayed K times trains K
// consecutive steps under any schedule. Past the table's end the rate stays (the epoch is over).
// Threads: a single invocation (the work is a few words).
// Bindings: 0 ring [slots] read-write (slot step % slots overwritten); 1 state (StepState) read-write;
//           2 loss [1] read; 3 lrs [lr_count] read.
layout(local_size_x = 1) in;
#include "step_state.glsl"
layout(std430, binding = 0) buffer Ring { float ring[]; };
layout(std430, binding = 1) buffer StateBuffer { StepState state; };
layout(std430, binding = 2) readonly buffer Loss { float loss[]; };
layout(std430, binding = 3) readonly buffer Rates { float lrs[]; };
layout(push_constant) uniform Push { uint slots; uint lr_count; } p;

void main() {
  ring[state.step % p.slots] = loss[0];
  state.step += 1u;
  state.batch += 1u;
  if (state.batch < p.lr_count) state.lr = lrs[state.batch];
}
