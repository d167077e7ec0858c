#version 450
// conv2d weight gradient of a 3x3, stride-1 conv ('same' or 'valid'):
// dw[co,ci,kh,kw] = sum over n, oh, ow of dy[n,co,oh,ow] * x[n,ci,oh - pad_top + kh, ow - pad_left + kw].
// Threads: one workgroup of 64 per block of kA output x kB input channels and all 9 taps (x = input-channel
// block, y = output-channel block). Invocation t walks the rows t, t+64, ... of the N x H_out rows; along a
// row it slides a 3x3 window of x per input channel (3 new loads each per column) and loads kA dy values:
// kA + 3 kB loads per 9 kA kB FMAs (on llvmpipe every load is a loop over the 8 lanes; FMAs are 8 wide).
// Columns go 4 per loop trip (llvmpipe's 65535-trip limit; the host checks the total). The 64 partial sums
// of each weight are then added in a fixed order by one invocation: no atomics, bit-reproducible.
// Bindings: 0 dw [C_out, C_in, 3, 3] read-write (overwritten, or accumulated when p.accumulate != 0);
//           1 dy [N, C_out, H_out, W_out] read; 2 x [N, C_in, H, W] read.
layout(local_size_x = 64) in;
const uint kLocal = gl_WorkGroupSize.x;
layout(std430, binding = 0) buffer DW { float dw[]; };
layout(std430, binding = 1) readonly buffer DY { float dy[]; };
layout(std430, binding = 2) readonly buffer X { float x[]; };
#include "conv.glsl"

const uint kA = 4u, kB = 2u;  // output x input channels per workgroup (dev/variants_test.cpp dispatches for them)
const uint kSums = kA * kB * 9u;
shared float partial[kSums][kLocal];

void main() {
  const uint t = gl_LocalInvocationID.x;
  const uint ci0 = gl_WorkGroupID.x * kB, co0 = gl_WorkGroupID.y * kA;
  const int H = int(p.H), W = int(p.W), pt = int(p.pad_top), pl = int(p.pad_left);
  uint dyc[kA], xc[kB];  // channel offsets, clamped so tail blocks load valid data (never stored)
  [[unroll]] for (uint a = 0u; a < kA; ++a) dyc[a] = min(co0 + a, p.C_out - 1u) * p.H_out * p.W_out;
  [[unroll]] for (uint b = 0u; b < kB; ++b) xc[b] = min(ci0 + b, p.C_in - 1u) * p.H * p.W;

  float acc[kSums];  // acc[(a * kB + b) * 9 + kh * 3 + kw]
  [[unroll]] for (uint i = 0u; i < kSums; ++i) acc[i] = 0.0;
  for (uint item = t; item < p.N * p.H_out; item += kLocal) {
    const uint n = item / p.H_out, oh = item % p.H_out;
    const uint dyrow = n * p.C_out * p.H_out * p.W_out + oh * p.W_out;
    // Rows of x outside the image read a clamped row and are multiplied by 0 (zero padding, no branch).
    uint xrow[3];
    float row_in[3];
    [[unroll]] for (uint j = 0u; j < 3u; ++j) {
      const int ih = int(oh + j) - pt;
      xrow[j] = n * p.C_in * p.H * p.W + uint(clamp(ih, 0, H - 1) * W);
      row_in[j] = ih >= 0 && ih < H ? 1.0 : 0.0;
    }
    float win[kB][3][3];  // win[b][kh][kw]: x of channel ci0 + b at row oh + kh - pt, column ow + kw - pl
    [[unroll]] for (uint k = 0u; k < 2u; ++k) {
      const int iw = int(k) - pl;
      const float in_c = iw >= 0 && iw < W ? 1.0 : 0.0;
      const uint iwc = uint(clamp(iw, 0, W - 1));
      [[unroll]] for (uint b = 0u; b < kB; ++b)
        [[unroll]] for (uint j = 0u; j < 3u; ++j) win[b][j][k + 1u] = x[xc[b] + xrow[j] + iwc] * row_in[j] * in_c;
    }
    for (uint q0 = 0u; q0 < p.W_out; q0 += 4u) {
      [[unroll]] for (uint dq = 0u; dq < 4u; ++dq) {
        const uint ow = q0 + dq;  // past the row end (last trip): clamped loads, g = 0
        const int iw = int(ow) + 2 - pl;  // >= 0: pl <= 2
        const float in_c = iw < W ? 1.0 : 0.0;
        const uint iwc = uint(min(iw, W - 1));
        [[unroll]] for (uint b = 0u; b < kB; ++b)
          [[unroll]] for (uint j = 0u; j < 3u; ++j) {
            win[b][j][0] = win[b][j][1];
            win[b][j][1] = win[b][j][2];
            win[b][j][2] = x[xc[b] + xrow[j] + iwc] * row_in[j] * in_c;
          }
        const float ow_in = ow < p.W_out ? 1.0 : 0.0;
        const uint owc = min(ow, p.W_out - 1u);
        [[unroll]] for (uint a = 0u; a < kA; ++a) {
          const float g = dy[dyc[a] + dyrow + owc] * ow_in;
          [[unroll]] for (uint b = 0u; b < kB; ++b)
            [[unroll]] for (uint j = 0u; j < 3u; ++j)
              [[unroll]] for (uint k = 0u; k < 3u; ++k) acc[(a * kB + b) * 9u + j * 3u + k] += g * win[b][j][k];
        }
      }
    }
  }

  [[unroll]] for (uint i = 0u; i < kSums; ++i) partial[i][t] = acc[i];
  barrier();
  for (uint i = t; i < kSums; i += kLocal) {
    float sum = 0.0;
    for (uint s = 0u; s < kLocal; ++s) sum += partial[i][s];
    const uint a = i / (kB * 9u), b = i / 9u % kB, tap = i % 9u;
    const uint co = co0 + a, ci = ci0 + b;
    if (co >= p.C_out || ci >= p.C_in) continue;
    const uint wi = (co * p.C_in + ci) * 9u + tap;
    dw[wi] = p.accumulate != 0u ? dw[wi] + sum : sum;
  }
}
