#version 450
// conv2d forward for ONE output channel (C_out = 1: the decoder's image layer), 3x3, stride 1, 'same' or
// 'valid': y = f(conv(x, w) + b). The channel-blocked gather (conv_gather.glsl) would keep 7 of its 8
// channel slots idle here, so each invocation owns kRB = 8 output rows x kPB = 4 pixels instead: every input
// row it loads (kPB + 2 values per input channel) feeds up to 3 output rows x 3 taps, 4.8 FMAs per load
// against 2 in the gather (dev/conv/README.md has the figures). Sums run ci, kh, kw in that fixed order.
// Threads: gl_GlobalInvocationID.x = (n * ceil(H_out / kRB) + row block) * ceil(W_out / kPB) + pixel block,
// 64 per workgroup; padding and tails read clamped indices with a 0 weight and are not stored.
// Bindings: 0 y [N, 1, H_out, W_out] write (overwritten); 1 x [N, C_in, H, W] read; 2 w [1, C_in, 3, 3] read;
//           3 b [1] read.
#include "conv.glsl"
layout(local_size_x = VKAE_CONV_LOCAL, local_size_x_id = 0) in;  // rt::Workgroups::conv
layout(std430, binding = 0) writeonly buffer Out { float y[]; };
layout(std430, binding = 1) readonly buffer In { float x[]; };
layout(std430, binding = 2) readonly buffer Wt { float w[]; };
layout(std430, binding = 3) readonly buffer Bias { float b[]; };

const uint kRB = VKAE_CONV_ROW_BLOCK;  // output rows per invocation

void main() {
  const uint M = (p.W_out + kPB - 1u) / kPB, R = (p.H_out + kRB - 1u) / kRB;
  const uint q = gl_GlobalInvocationID.x;
  if (q >= p.N * R * M) return;
  const uint n = q / (R * M), rest = q - n * (R * M);
  const uint oh0 = rest / M * kRB, ow0 = (rest % M) * kPB;
  const int ih0 = int(oh0) - int(p.pad_top), iw0 = int(ow0) - int(p.pad_left);
  uint col[kPB + 2u];
  float col_keep[kPB + 2u];
  [[unroll]] for (uint j = 0u; j < kPB + 2u; ++j) {
    const int iw = iw0 + int(j);
    col[j] = uint(clamp(iw, 0, int(p.W) - 1));
    col_keep[j] = iw >= 0 && iw < int(p.W) ? 1.0 : 0.0;
  }
  vec4 acc[kRB];  // acc[i][j]: output row oh0 + i, pixel ow0 + j
  [[unroll]] for (uint i = 0u; i < kRB; ++i) acc[i] = vec4(0.0);
  const uint plane = p.H * p.W;
  for (uint ci = 0u; ci < p.C_in; ++ci) {
    float wk[9];  // workgroup-uniform: one scalar load and a broadcast each
    [[unroll]] for (uint t = 0u; t < 9u; ++t) wk[t] = w[ci * 9u + t];
    const uint xc = (n * p.C_in + ci) * plane;
    // Input row r (of kRB + 2) serves output rows i = r - kh for the taps kh = 0..2 that land in the block;
    // the unrolled loops resolve every such condition at compile time.
    [[unroll]] for (uint r = 0u; r < kRB + 2u; ++r) {
      const int ih = ih0 + int(r);
      const float row_keep = ih >= 0 && ih < int(p.H) ? 1.0 : 0.0;
      const uint off = xc + uint(clamp(ih, 0, int(p.H) - 1)) * p.W;
      float xr[kPB + 2u];
      [[unroll]] for (uint j = 0u; j < kPB + 2u; ++j) xr[j] = x[off + col[j]] * (col_keep[j] * row_keep);
      [[unroll]] for (uint kh = 0u; kh < 3u; ++kh) {
        if (r < kh || r - kh >= kRB) continue;
        [[unroll]] for (uint kw = 0u; kw < 3u; ++kw)
          acc[r - kh] += wk[kh * 3u + kw] * vec4(xr[kw], xr[kw + 1u], xr[kw + 2u], xr[kw + 3u]);
      }
    }
  }
  [[unroll]] for (uint i = 0u; i < kRB; ++i) {
    if (oh0 + i >= p.H_out) break;
    const uint yrow = (n * p.H_out + oh0 + i) * p.W_out;
    [[unroll]] for (uint j = 0u; j < kPB; ++j) {
      if (ow0 + j >= p.W_out) break;
      y[yrow + ow0 + j] = activate(acc[i][j] + b[0], p.act, p.alpha);
    }
  }
}
