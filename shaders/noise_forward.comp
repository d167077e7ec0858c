#version 450
// Denoising corruption: y = clamp(x + f * n, 0, 1), n ~ N(0, 1) from the counter-based RNG (rng.glsl) with
// counter (element, step, stream, 0) and key = the run's seed, so the CPU twin nn::normal_at reproduces it.
// f = state.noise is read from the StepState buffer (a viewer slider changes it without re-recording); step
// is state.step (training) or p.step when p.from_state == 0 (validation: fixed noise per validation batch).
// Threads: one per element of the batch tensor (its flat index, plus state.image_offset * p.per_image in a
// data-parallel training step, is the RNG element), 256 per workgroup,
// tail bounds-checked.
// Bindings: 0 y [count] write (overwritten); 1 x [count] read; 2 state StepState read (step, seed, noise).
layout(local_size_x = 256) in;
#include "rng.glsl"
#include "step_state.glsl"
layout(std430, binding = 0) writeonly buffer Y { float y[]; };
layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(std430, binding = 2) readonly buffer StateBuffer { StepState state; };
layout(push_constant) uniform Push {
  uint count; uint stream; uint from_state; uint step; uint per_image; uint pad0; uint pad1; uint pad2;
} p;

void main() {
  uint i = gl_GlobalInvocationID.x;
  if (i >= p.count) return;
  uint step = p.from_state != 0u ? state.step : p.step;
  // The element's place in the step's global batch (p.per_image elements per image; 0 on one rank).
  uint element = i + (p.from_state != 0u ? state.image_offset * p.per_image : 0u);
  float n = normal_at(uvec4(element, step, p.stream, 0u), uvec2(state.seed_lo, state.seed_hi));
  y[i] = clamp(x[i] + state.noise * n, 0.0, 1.0);
}
