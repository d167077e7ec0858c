#version 450
// conv2d weight gradient: dw[co,ci,kh,kw] = sum over n, oh, ow of dy[n,co,oh,ow] * x[n,ci,ih,iw] with
// ih = oh*stride - pad_top + kh, iw = ow*stride - pad_left + kw inside the input (padding contributes 0).
// conv_transpose2d records this same shader with x and dy exchanged (its weight gradient is this one's).
// Threads: one workgroup of 64 per weight block: gl_WorkGroupID.x = tap (kh*KW + kw), .y = block of kWB
// input channels, .z = block of kWB output channels. For its tap the workgroup only visits the (oh, ow)
// rectangle whose input pixel is inside x, so no load needs a bounds check. Invocation t sums the rows
// t, t+64, t+128, ... of the N x rows rectangle, column by column, into kWB x kWB registers; a fixed tree
// then adds the 64 partial sums: the result is the same on every run and every device (no atomics).
// A dispatch covers images [p.n_first, p.n_first + p.N): the host splits large batches so one invocation
// stays under llvmpipe's 65535 loop trips (later slices accumulate).
// Bindings: 0 dw [C_out, C_in, KH, KW] read-write (overwritten, or accumulated when p.accumulate != 0);
//           1 dy [N, C_out, H_out, W_out] read; 2 x [N, C_in, H, W] read.
#include "conv_blocks.h"  // before conv.glsl: the local size
layout(local_size_x = VKAE_CONV_LOCAL, local_size_x_id = 0) in;  // rt::Workgroups::conv
const uint kLocal = gl_WorkGroupSize.x;
layout(std430, binding = 0) buffer DW { float dw[]; };
layout(std430, binding = 1) readonly buffer DY { float dy[]; };
layout(std430, binding = 2) readonly buffer X { float x[]; };
#include "conv.glsl"

shared float partial[kWB * kWB][kLocal];

int floor_div(int a, int b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

void main() {
  const uint t = gl_LocalInvocationID.x;
  const uint kh = gl_WorkGroupID.x / p.KW, kw = gl_WorkGroupID.x % p.KW;
  const uint ci0 = gl_WorkGroupID.y * kWB, co0 = gl_WorkGroupID.z * kWB;
  const int s = int(p.stride);
  // Output rows/cols whose input row/col is inside x: oh*s - pad_top + kh in [0, H).
  const int oh_lo = max(0, -floor_div(int(kh) - int(p.pad_top), s));
  const int oh_hi = min(int(p.H_out) - 1, floor_div(int(p.H) - 1 + int(p.pad_top) - int(kh), s));
  const int ow_lo = max(0, -floor_div(int(kw) - int(p.pad_left), s));
  const int ow_hi = min(int(p.W_out) - 1, floor_div(int(p.W) - 1 + int(p.pad_left) - int(kw), s));
  const uint rows = uint(max(oh_hi - oh_lo + 1, 0)), cols = uint(max(ow_hi - ow_lo + 1, 0));

  uint dyc[kWB], xc[kWB];  // channel offsets, clamped so tail blocks load valid data (never stored)
  [[unroll]] for (uint i = 0u; i < kWB; ++i) dyc[i] = min(co0 + i, p.C_out - 1u) * p.H_out * p.W_out;
  [[unroll]] for (uint j = 0u; j < kWB; ++j) xc[j] = min(ci0 + j, p.C_in - 1u) * p.H * p.W;

  vec4 acc[kWB];  // acc[i][j]: output channel co0 + i, input channel ci0 + j
  [[unroll]] for (uint i = 0u; i < kWB; ++i) acc[i] = vec4(0.0);
  // Rows (n, oh) are dealt out to invocations; each walks its row's columns. One division per row, none per
  // column: integer division is scalarised (slow) on CPU devices.
  for (uint item = t; item < p.N * rows; item += kLocal) {
    const uint n = p.n_first + item / rows, oh = uint(oh_lo) + item % rows;
    const uint ih = oh * p.stride + kh - p.pad_top;
    const uint dyrow = n * p.C_out * p.H_out * p.W_out + oh * p.W_out;
    const uint xrow = n * p.C_in * p.H * p.W + ih * p.W + kw - p.pad_left;
    for (uint ow = uint(ow_lo); ow < uint(ow_lo) + cols; ++ow) {
      vec4 xv;
      [[unroll]] for (uint j = 0u; j < kWB; ++j) xv[j] = x[xrow + ow * p.stride + xc[j]];
      [[unroll]] for (uint i = 0u; i < kWB; ++i) acc[i] += dy[dyrow + ow + dyc[i]] * xv;
    }
  }

  [[unroll]] for (uint i = 0u; i < kWB; ++i)
    [[unroll]] for (uint j = 0u; j < kWB; ++j) partial[i * kWB + j][t] = acc[i][j];
  barrier();
  for (uint half_ = kLocal / 2u; half_ > 0u; half_ /= 2u) {
    if (t < half_)
      for (uint k = 0u; k < kWB * kWB; ++k) partial[k][t] += partial[k][t + half_];
    barrier();
  }
  if (t >= kWB * kWB) return;
  const uint co = co0 + t / kWB, ci = ci0 + t % kWB;
  if (co >= p.C_out || ci >= p.C_in) return;
  const uint wi = ((co * p.C_in + ci) * p.KH + kh) * p.KW + kw;
  dw[wi] = p.accumulate != 0u ? dw[wi] + partial[t][0] : partial[t][0];
}
