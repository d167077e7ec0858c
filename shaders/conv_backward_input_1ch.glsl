// Body of conv2d_backward_input_1ch.comp and conv2d_backward_input_1ch_uniform.comp (ONE_CH_UNIFORM).
// conv2d input gradient for ONE output channel (C_out = 1: the decoder's image layer), 3x3, stride 1:
// dx[n,ci,ih,iw] = sum over kh, kw of w[0,ci,kh,kw] * dy[n,0,ih + pad_top - kh,iw + pad_left - kw], zero
// outside dy. Every input channel reads the same 3x6 neighbourhood of dy, so each invocation loads it once
// (18 loads) and then walks all C_in channels for its kPB = 4 pixels: 9 workgroup-uniform weight loads and
// 36 FMAs per channel, against the channel-blocked transposed gather, which reloads dy for every block of 8
// channels. Sums run kh, kw in that fixed order.
// Threads: gl_GlobalInvocationID.x = (n * H + ih) * ceil(W / kPB) + pixel block, 64 per workgroup; tail
// pixels are computed on clamped reads and not stored.
// Bindings: stated by the two entry points.
#include "conv_1ch_weights.glsl"
layout(local_size_x = VKAE_CONV_LOCAL, local_size_x_id = 0) in;  // rt::Workgroups::conv
layout(std430, binding = 0) buffer Dx { float dx[]; };
layout(std430, binding = 1) readonly buffer Dy { float dy[]; };

void main() {
  const uint M = (p.W + kPB - 1u) / kPB;
  const uint q = gl_GlobalInvocationID.x;
  if (q >= p.N * p.H * M) return;
  const uint n = q / (p.H * M), rest = q - n * (p.H * M);
  const uint ih = rest / M, iw0 = (rest - ih * M) * kPB;
  // d[a][b] = dy[n, 0, ih + pad_top - 2 + a, iw0 + pad_left - 2 + b]: tap kh = 2 - a, pixel j,
  // tap kw = j + 2 - b.
  float d[3][kPB + 2u];
  [[unroll]] for (uint a = 0u; a < 3u; ++a) {
    const int oh = int(ih + p.pad_top) - 2 + int(a);
    const bool h_ok = oh >= 0 && oh < int(p.H_out);
    const uint row = (n * p.H_out + uint(clamp(oh, 0, int(p.H_out) - 1))) * p.W_out;
    [[unroll]] for (uint b = 0u; b < kPB + 2u; ++b) {
      const int ow = int(iw0 + p.pad_left) - 2 + int(b);
      const bool ok = h_ok && ow >= 0 && ow < int(p.W_out);
      d[a][b] = dy[row + uint(clamp(ow, 0, int(p.W_out) - 1))] * (ok ? 1.0 : 0.0);
    }
  }
  const uint plane = p.H * p.W;
  const uint out0 = n * p.C_in * plane + ih * p.W + iw0;
  const uint live = min(kPB, p.W - iw0);
  for (uint ci = 0u; ci < p.C_in; ++ci) {
    vec4 acc = vec4(0.0);
    [[unroll]] for (uint kh = 0u; kh < 3u; ++kh)
      [[unroll]] for (uint kw = 0u; kw < 3u; ++kw) {
        const uint a = 2u - kh;
        acc += w_at(ci * 9u + kh * 3u + kw) *
               vec4(d[a][2u - kw], d[a][3u - kw], d[a][4u - kw], d[a][5u - kw]);
      }
    const uint o = out0 + ci * plane;
    [[unroll]] for (uint j = 0u; j < kPB; ++j)
      if (j < live) dx[o + j] = p.accumulate != 0u ? dx[o + j] + acc[j] : acc[j];
  }
}
