#version 450
// The gather kernels' copies of the weights w [C_out, C_in, KH, KW], so that they read the kCB channels of
// one tap as kCB / 4 vec4s (on lavapipe a vec4 load costs what a float load costs: dev/conv/README.md,
// fwd_07). p.variant 0, the forward (conv_gather.glsl): [C_in, KH, KW, C_out padded]; 1, the input gradient
// (conv_transposed_gather.glsl): [C_out, KH, KW, C_in padded]; "padded" is rounded up to kCB, with zeros.
// Recorded before every such dispatch; a plain copy, so no bit of a result changes.
// Threads: one per packed element, 256 per workgroup, tail bounds-checked.
// Bindings: 0 packed write (overwritten); 1 w [C_out, C_in, KH, KW] read.
#include "conv.glsl"
layout(local_size_x = 256) in;
layout(std430, binding = 0) writeonly buffer Packed { float packed[]; };
layout(std430, binding = 1) readonly buffer Wt { float w[]; };

void main() {
  const bool forward = p.variant == 0u;
  const uint outer = forward ? p.C_in : p.C_out, inner = forward ? p.C_out : p.C_in;
  const uint taps = p.KH * p.KW, pad = (inner + kCB - 1u) / kCB * kCB;
  const uint i = gl_GlobalInvocationID.x;
  if (i >= outer * taps * pad) return;
  const uint a = i % pad, tap = (i / pad) % taps, b = i / (pad * taps);  // a: the inner channel, b: outer
  const uint co = forward ? a : b, ci = forward ? b : a;
  packed[i] = a < inner ? w[(co * p.C_in + ci) * taps + tap] : 0.0;
}
