#version 450
// conv2d forward, 3x3 stride 1, with the SIMD lanes across OUTPUT CHANNELS: a workgroup is 8 invocations
// (one llvmpipe SIMD group) = 8 output channels of one block of kR rows x kP pixels. Every x value is then
// the same for all lanes (a workgroup-uniform load: one scalar load and a broadcast), and only the 9
// weights of each input channel are per-lane loads; each invocation keeps its channel's kR x kP sums in
// registers. Sums run ci, kh, kw in that fixed order.
// Threads: gl_WorkGroupID.x = (n * row blocks + row block) * pixel blocks + pixel block, gl_WorkGroupID.y =
// channel block, gl_LocalInvocationID.x = channel in the block.
// Bindings: 0 y [N, C_out, H_out, W_out] write (overwritten); 1 x [N, C_in, H, W] read;
//           2 w [C_out, C_in, 3, 3] read; 3 b [C_out] read.
#include "conv.glsl"
layout(local_size_x = 8) in;
layout(std430, binding = 0) writeonly buffer Out { float y[]; };
layout(std430, binding = 1) readonly buffer In { float x[]; };
layout(std430, binding = 2) readonly buffer Wt { float w[]; };
layout(std430, binding = 3) readonly buffer Bias { float b[]; };

#ifndef LANES_ROWS
#define LANES_ROWS 4u
#define LANES_PIXELS 8u
#endif
const uint kR = LANES_ROWS, kP = LANES_PIXELS;

void main() {
  const uint RB = (p.H_out + kR - 1u) / kR, PB = (p.W_out + kP - 1u) / kP;
  const uint g = gl_WorkGroupID.x;
  const uint n = g / (RB * PB), rest = g - n * (RB * PB);
  const uint oh0 = rest / PB * kR, ow0 = (rest % PB) * kP;
  const uint co = gl_WorkGroupID.y * 8u + gl_LocalInvocationID.x;
  const uint cw = min(co, p.C_out - 1u);
  float acc[kR][kP];
  [[unroll]] for (uint i = 0u; i < kR; ++i)
    [[unroll]] for (uint j = 0u; j < kP; ++j) acc[i][j] = 0.0;
  const int ih0 = int(oh0) - int(p.pad_top), iw0 = int(ow0) - int(p.pad_left);
  const uint plane = p.H * p.W;
  for (uint ci = 0u; ci < p.C_in; ++ci) {
    float wk[9];
    [[unroll]] for (uint t = 0u; t < 9u; ++t) wk[t] = w[(cw * p.C_in + ci) * 9u + t];
    const uint xc = (n * p.C_in + ci) * plane;
    [[unroll]] for (uint r = 0u; r < kR + 2u; ++r) {
      const int ih = ih0 + int(r);
      const float row_keep = ih >= 0 && ih < int(p.H) ? 1.0 : 0.0;
      const uint off = xc + uint(clamp(ih, 0, int(p.H) - 1)) * p.W;
      float xv[kP + 2u];
      [[unroll]] for (uint c = 0u; c < kP + 2u; ++c) {
        const int iw = iw0 + int(c);
        xv[c] = x[off + uint(clamp(iw, 0, int(p.W) - 1))] * (iw >= 0 && iw < int(p.W) ? row_keep : 0.0);
      }
      [[unroll]] for (uint kh = 0u; kh < 3u; ++kh) {
        if (r < kh || r - kh >= kR) continue;
        [[unroll]] for (uint j = 0u; j < kP; ++j)
          [[unroll]] for (uint kw = 0u; kw < 3u; ++kw) acc[r - kh][j] += wk[kh * 3u + kw] * xv[j + kw];
      }
    }
  }
  if (co >= p.C_out) return;
  [[unroll]] for (uint i = 0u; i < kR; ++i) {
    if (oh0 + i >= p.H_out) break;
    const uint yrow = ((n * p.C_out + co) * p.H_out + oh0 + i) * p.W_out;
    [[unroll]] for (uint j = 0u; j < kP; ++j)
      if (ow0 + j < p.W_out) y[yrow + ow0 + j] = activate(acc[i][j] + b[cw], p.act, p.alpha);
  }
}
