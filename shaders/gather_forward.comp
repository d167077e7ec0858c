#version 450
// Gathers one batch of images through the epoch's permutation and scales uint8 pixels to [0, 1]:
//   y[b, q] = images[perm[first + b] * P + q] / 255   for b < N, q < P,
// with first = state.batch * N (training: the recorded step never changes) or first = p.first (validation).
// The dataset is uint8 packed 4 per word, little-endian: byte k is bits 8(k%4).. of word k/4. P need not be
// a multiple of 4. A permutation entry or image index out of range writes NaN, so the bug shows in the loss.
// Threads: one per output element (b, q) in flat order, 256 per workgroup, tail bounds-checked.
// Bindings: 0 y [N, P] write (overwritten); 1 images [ceil(count*P/4)] uint words read;
//           2 perm [perm_count] uint read; 3 state StepState read (batch).
layout(local_size_x = 256) in;
#include "step_state.glsl"
layout(std430, binding = 0) writeonly buffer Y { float y[]; };
layout(std430, binding = 1) readonly buffer Images { uint words[]; };
layout(std430, binding = 2) readonly buffer Perm { uint perm[]; };
layout(std430, binding = 3) readonly buffer StateBuffer { StepState state; };
layout(push_constant) uniform Push {
  uint n; uint pixels; uint image_count; uint perm_count; uint from_state; uint first; uint pad0; uint pad1;
} p;

void main() {
  uint i = gl_GlobalInvocationID.x;
  if (i >= p.n * p.pixels) return;
  uint b = i / p.pixels, q = i % p.pixels;
  uint entry = (p.from_state != 0u ? state.batch * p.n : p.first) + b;
  if (entry >= p.perm_count || perm[entry] >= p.image_count) {
    y[i] = uintBitsToFloat(0x7FC00000u);
    return;
  }
  uint k = perm[entry] * p.pixels + q;
  uint byte_value = (words[k >> 2u] >> (8u * (k & 3u))) & 0xFFu;
  y[i] = float(byte_value) / 255.0;
}
