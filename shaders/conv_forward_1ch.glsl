// Body of conv2d_forward_1ch.comp and conv2d_forward_1ch_uniform.comp (ONE_CH_UNIFORM).
// conv2d forward for ONE input channel (C_in = 1: the encoder's image layer), 3x3, stride 1:
// y[n,co,oh,ow] = f(b[co] + sum over kh, kw of w[co,0,kh,kw] * x[n,0,oh - pad_top + kh,ow - pad_left + kw]),
// zero outside x. Every output channel reads the same 3x6 neighbourhood of x, so each invocation loads it
// once (18 loads) and then walks all C_out channels for its kPB = 4 pixels: 9 workgroup-uniform weight loads
// and 36 FMAs per channel (the channel-blocked gather reloads x for each block of 8 channels). Sums run kh,
// kw in that fixed order, as the gather's do for one input channel.
// Threads: gl_GlobalInvocationID.x = (n * H_out + oh) * ceil(W_out / kPB) + pixel block, 64 per workgroup;
// tail pixels are computed on clamped reads and not stored.
// Bindings: stated by the two entry points.
#include "conv_1ch_weights.glsl"
layout(local_size_x = VKAE_CONV_LOCAL, local_size_x_id = 0) in;  // rt::Workgroups::conv
layout(std430, binding = 0) writeonly buffer Out { float y[]; };
layout(std430, binding = 1) readonly buffer In { float x[]; };

void main() {
  const uint M = (p.W_out + kPB - 1u) / kPB;
  const uint q = gl_GlobalInvocationID.x;
  if (q >= p.N * p.H_out * M) return;
  const uint n = q / (p.H_out * M), rest = q - n * (p.H_out * M);
  const uint oh = rest / M, ow0 = (rest - oh * M) * kPB;
  // v[kh][c] = x[n, 0, oh - pad_top + kh, ow0 - pad_left + c]: pixel j, tap kw reads c = j + kw.
  float v[3][kPB + 2u];
  [[unroll]] for (uint kh = 0u; kh < 3u; ++kh) {
    const int ih = int(oh) - int(p.pad_top) + int(kh);
    const bool h_ok = ih >= 0 && ih < int(p.H);
    const uint row = (n * p.H + uint(clamp(ih, 0, int(p.H) - 1))) * p.W;
    [[unroll]] for (uint c = 0u; c < kPB + 2u; ++c) {
      const int iw = int(ow0) - int(p.pad_left) + int(c);
      const bool ok = h_ok && iw >= 0 && iw < int(p.W);
      v[kh][c] = x[row + uint(clamp(iw, 0, int(p.W) - 1))] * (ok ? 1.0 : 0.0);
    }
  }
  const uint plane = p.H_out * p.W_out;
  const uint out0 = n * p.C_out * plane + oh * p.W_out + ow0;
  const uint live = min(kPB, p.W_out - ow0);
  for (uint co = 0u; co < p.C_out; ++co) {
    vec4 acc = vec4(0.0);
    [[unroll]] for (uint kh = 0u; kh < 3u; ++kh)
      [[unroll]] for (uint kw = 0u; kw < 3u; ++kw)
        acc += w_at(co * 9u + kh * 3u + kw) *
               vec4(v[kh][kw], v[kh][kw + 1u], v[kh][kw + 2u], v[kh][kw + 3u]);
    const uint o = out0 + co * plane;
    [[unroll]] for (uint j = 0u; j < kPB; ++j)
      if (j < live) y[o + j] = activate(acc[j] + b_at(co), p.act, p.alpha);
  }
}
