#version 450
// Gathers one batch of images through the epoch's permutation and scales uint8 pixels to [0, 1]:
//   y[b, q] = pixel q of the window of image perm[e] / 255,   e = first + b,   for b < N, q < P,
// with first = state.batch * S + state.image_offset (training: the recorded step never changes; S is
// state.batch_stride, the global batch of a data-parallel step, or N) or first = p.first (validation).
// Windows (--crop random): each image is stored C x Hs x Ws (p.image_bytes) and y gets a C x H x W window of
// it (P = C*H*W), the same for every channel: at (oy, ox) = the first two words of philox4x32_10 with counter
// (e, state.epoch, p.random_stream, 0) and the run's seed as key, modulo (Hs - H + 1, Ws - W + 1), when
// p.random_stream != 0 (the training gather: a new window each epoch, the same for a seed); otherwise the
// centre ((Hs - H) / 2, (Ws - W) / 2). The counter is the permutation entry e, not the image index, because a
// streamed ring reads image e of the epoch through the identity (see below): keyed by e, the windows are the
// same whether the images are resident or streamed. When p.image_bytes == P (no margin) the index math is
// the plain one, byte q of the image.
// The images lie in up to 8 buffers of p.per_buffer images each: image i is image i % per_buffer of buffer
// (i / per_buffer) % p.buffers. A resident dataset split over B buffers has i / per_buffer < B, so the modulo
// does nothing; a streaming ring of R slots (shard s of the epoch in slot s % R, the permutation the
// identity) uses it to find the slot. Each buffer is packed from its own byte 0, uint8 4 per word,
// little-endian (byte k of a buffer is bits 8(k%4).. of its word k/4), so image sizes need not be multiples
// of 4 and an image never straddles buffers; byte offsets are within one buffer (< maxStorageBufferRange,
// 32 bits).
// Why separate bindings and a switch rather than an array of blocks: the buffer index differs between the
// invocations of a workgroup, and indexing a descriptor array non-uniformly needs descriptor indexing
// (shaderStorageBufferArrayNonUniformIndexing); separate bindings need no feature, and the host binds
// buffer 0 again to every unused binding. 3 + 8 = 11 storage buffers per stage (lavapipe allows 32).
// A permutation entry or image index out of range writes NaN, so the bug shows in the loss.
// Threads: one per output element (b, q) in flat order, 256 per workgroup, tail bounds-checked.
// Bindings: 0 y [N, P] write (overwritten); 1 perm [perm_count] uint read; 2 state StepState read (batch,
//           epoch, seed); 3..10 images buffer 0..7, [ceil(images in it * image_bytes / 4)] uint words read.
layout(local_size_x = 256) in;
#include "rng.glsl"
#include "step_state.glsl"
layout(std430, binding = 0) writeonly buffer Y { float y[]; };
layout(std430, binding = 1) readonly buffer Perm { uint perm[]; };
layout(std430, binding = 2) readonly buffer StateBuffer { StepState state; };
layout(std430, binding = 3) readonly buffer Images0 { uint words[]; } images0;
layout(std430, binding = 4) readonly buffer Images1 { uint words[]; } images1;
layout(std430, binding = 5) readonly buffer Images2 { uint words[]; } images2;
layout(std430, binding = 6) readonly buffer Images3 { uint words[]; } images3;
layout(std430, binding = 7) readonly buffer Images4 { uint words[]; } images4;
layout(std430, binding = 8) readonly buffer Images5 { uint words[]; } images5;
layout(std430, binding = 9) readonly buffer Images6 { uint words[]; } images6;
layout(std430, binding = 10) readonly buffer Images7 { uint words[]; } images7;
layout(push_constant) uniform Push {
  uint n; uint pixels; uint image_count; uint perm_count; uint from_state; uint first; uint per_buffer;
  uint buffers;
  uint image_bytes; uint height; uint width; uint stored_height; uint stored_width; uint random_stream;
  uint pad0; uint pad1;
} p;

uint image_word(uint buffer_index, uint w) {
  switch (buffer_index) {
    case 0u: return images0.words[w];
    case 1u: return images1.words[w];
    case 2u: return images2.words[w];
    case 3u: return images3.words[w];
    case 4u: return images4.words[w];
    case 5u: return images5.words[w];
    case 6u: return images6.words[w];
    default: return images7.words[w];
  }
}

// Byte q of entry e's window within its image: q itself without a margin.
uint window_byte(uint e, uint q) {
  if (p.image_bytes == p.pixels) return q;
  uint oy = (p.stored_height - p.height) / 2u, ox = (p.stored_width - p.width) / 2u;
  if (p.random_stream != 0u) {
    uvec4 r = philox4x32_10(uvec4(e, state.epoch, p.random_stream, 0u), uvec2(state.seed_lo, state.seed_hi));
    oy = r.x % (p.stored_height - p.height + 1u);
    ox = r.y % (p.stored_width - p.width + 1u);
  }
  uint plane = p.height * p.width;
  uint c = q / plane, yx = q - c * plane, y = yx / p.width, x = yx - y * p.width;
  return (c * p.stored_height + oy + y) * p.stored_width + ox + x;
}

void main() {
  uint i = gl_GlobalInvocationID.x;
  if (i >= p.n * p.pixels) return;
  uint b = i / p.pixels, q = i % p.pixels;
  uint stride = state.batch_stride != 0u ? state.batch_stride : p.n;
  uint entry = (p.from_state != 0u ? state.batch * stride + state.image_offset : p.first) + b;
  if (entry >= p.perm_count || perm[entry] >= p.image_count) {
    y[i] = uintBitsToFloat(0x7FC00000u);
    return;
  }
  uint image = perm[entry];
  uint chunk = image / p.per_buffer;
  uint k = (image - chunk * p.per_buffer) * p.image_bytes + window_byte(entry, q);  // byte within its buffer
  uint byte_value = (image_word(chunk % p.buffers, k >> 2u) >> (8u * (k & 3u))) & 0xFFu;
  y[i] = float(byte_value) / 255.0;
}
