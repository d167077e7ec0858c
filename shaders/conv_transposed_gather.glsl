// Body of the transposed ("input-gradient") convolution, written as a gather so no two invocations write the
// same element: out[n, ci, ih, iw] = (b[ci]) + sum_{co,kh,kw} w[co,ci,kh,kw] * in[n, co, oh, ow] over the
// (oh, ow) with oh*stride - pad_top + kh = ih and ow*stride - pad_left + kw = iw. Here "in" is [N, C_out,
// H_out, W_out] and "out" is [N, C_in, H, W] of the conv2d described by the push constants.
// Included by conv2d_backward_input.comp (CONV_BIAS 0) and conv_transpose2d_forward.comp (CONV_BIAS 1).
// Thread mapping: gl_WorkGroupID.z = (rh, r), a residue class of rows and columns mod stride, so the valid
// taps (kh = (rh + pad_top) mod stride + k*stride, likewise kw) are the same for the whole workgroup and no
// tap is wasted on stride-2 zeros; gl_GlobalInvocationID.x = (n * rows + a) * M + m owns row
// ih = rh + a*stride and the kTPB columns iw = r + (m*kPB + j) * stride, which read kTPB consecutive elements
// of "in" (rows = ceil(H / stride), M = ceil(ceil(W / stride) / kTPB)). gl_WorkGroupID.y = block of kCB
// channels ci. Sums run kh, kw, co in that fixed order (kh, co, kw on the stride-1 3-wide path):
// deterministic either way. Tail columns are computed on clamped indices and not stored; channels past C_in
// are skipped by a workgroup-uniform branch.
// Weights: with GATHER_PACKED_WEIGHTS (conv2d's input gradient) binding 2 is conv2d_pack_weights.comp's copy
// [C_out, KH, KW, C_in padded] (variant 1), read kCB channels at a time as vec4s (the same products in the
// same order), from a storage buffer (1) or a uniform buffer (2); without it (conv_transpose2d's forward)
// the plain [C_out, C_in, KH, KW] floats.
#ifndef GATHER_PACKED_WEIGHTS
#define GATHER_PACKED_WEIGHTS 0
#endif
layout(local_size_x = VKAE_CONV_LOCAL, local_size_x_id = 0) in;  // rt::Workgroups::conv
const uint kTPB = VKAE_CONV_TRANSPOSED_PIXELS;  // columns per invocation, a multiple of 4
const uint kQ = kTPB / 4u;  // vec4 accumulators per channel
layout(std430, binding = 0) buffer Out { float dx[]; };
layout(std430, binding = 1) readonly buffer In { float dy[]; };
#include "conv_weights_binding.glsl"  // binding 2: the weights, in the form GATHER_PACKED_WEIGHTS says

// The weights of output channel co, tap `tap` (kh * KW + kw), for the block's kCB input channels from ci0;
// channels from `live` on do not exist (uniform per workgroup): the float path skips their loads.
void load_weights(out float wv[kCB], uint co, uint tap, uint ci0, uint live) {
#if GATHER_PACKED_WEIGHTS
  const uint cq = (p.C_in + kCB - 1u) / kCB * (kCB / 4u);  // vec4s per tap
  const uint at = (co * p.KH * p.KW + tap) * cq + ci0 / 4u;
  [[unroll]] for (uint g = 0u; g < kCB / 4u; ++g) {
    const vec4 v = w4[at + g];
    [[unroll]] for (uint j = 0u; j < 4u; ++j) wv[g * 4u + j] = v[j];
  }
#else
  [[unroll]] for (uint i = 0u; i < kCB; ++i)
    wv[i] = i < live ? w[(co * p.C_in + ci0 + i) * p.KH * p.KW + tap] : 0.0;
#endif
}
#if CONV_BIAS
layout(std430, binding = 3) readonly buffer Bias { float b[]; };
#endif

void main() {
  const uint s = p.stride;
  const uint rows = (p.H + s - 1u) / s, M = ((p.W + s - 1u) / s + kTPB - 1u) / kTPB;  // per residue class
  const uint rh = gl_WorkGroupID.z / s, r = gl_WorkGroupID.z % s;  // this workgroup's residue class
  const uint q = gl_GlobalInvocationID.x;
  const uint n = min(q / (rows * M), p.N - 1u), rest = q % (rows * M), m = rest % M;
  const uint ih = rh + (rest / M) * s;
  const bool in_range = q < p.N * rows * M && ih < p.H;
  const uint ci0 = gl_WorkGroupID.y * kCB;
  const uint live = min(kCB, p.C_in - ci0);  // channels of this block that exist (uniform per workgroup)
  const uint kh0 = (rh + p.pad_top) % s, kw0 = (r + p.pad_left) % s;  // uniform: loops stay uniform

  vec4 acc[kCB][kQ];  // acc[i][c][j]: channel ci0 + i, column r + (m*kTPB + c*4 + j) * stride
  [[unroll]] for (uint i = 0u; i < kCB; ++i)
    [[unroll]] for (uint c = 0u; c < kQ; ++c) acc[i][c] = vec4(0.0);
  const uint plane = p.H_out * p.W_out, dyn = n * p.C_out * plane;
  // Stride 1, three taps wide (every 3x3 'same' conv of the models): the kTPB + 2 columns of "in" that a
  // row of taps reads are loaded once per channel and feed all three taps (see conv_gather.glsl).
  const bool row_reuse = s == 1u && p.KW == 3u;
  for (uint kh = 0u; row_reuse && kh < p.KH; ++kh) {
    const int oh = int(ih + p.pad_top) - int(kh);
    const bool h_ok = oh >= 0 && oh < int(p.H_out);
    // Column e reads ow = m*kTPB + pad_left - 2 + e; tap kw of column j uses e = j + 2 - kw.
    uint off[kTPB + 2u];
    float keep[kTPB + 2u];
    [[unroll]] for (uint e = 0u; e < kTPB + 2u; ++e) {
      const int ow = int(m * kTPB + p.pad_left + e) - 2;
      off[e] = dyn + uint(clamp(oh, 0, int(p.H_out) - 1)) * p.W_out + uint(clamp(ow, 0, int(p.W_out) - 1));
      keep[e] = (h_ok && ow >= 0 && ow < int(p.W_out)) ? 1.0 : 0.0;
    }
    for (uint co = 0u; co < p.C_out; ++co) {
      float d[kTPB + 2u];
      [[unroll]] for (uint e = 0u; e < kTPB + 2u; ++e) d[e] = dy[off[e] + co * plane] * keep[e];
      [[unroll]] for (uint kw = 0u; kw < 3u; ++kw) {
        float wv[kCB];
        load_weights(wv, co, kh * 3u + kw, ci0, live);
        [[unroll]] for (uint c = 0u; c < kQ; ++c) {
          const uint e0 = c * 4u + 2u - kw;
          const vec4 g = vec4(d[e0], d[e0 + 1u], d[e0 + 2u], d[e0 + 3u]);
          [[unroll]] for (uint i = 0u; i < kCB; ++i)
            if (i < live) acc[i][c] += wv[i] * g;  // uniform branch
        }
      }
    }
  }
  for (uint kh = kh0; !row_reuse && kh < p.KH; kh += s) {
    const int oh = (int(ih + p.pad_top) - int(kh)) / int(s);  // exact: kh matches ih + pad_top mod stride
    const bool h_ok = oh >= 0 && oh < int(p.H_out);
    for (uint kw = kw0; kw < p.KW; kw += s) {
      // Per tap: where each column reads (clamped) and whether it exists; the channel loop then only loads.
      const int ow0 = (int(r + p.pad_left) - int(kw)) / int(s) + int(m * kTPB);  // exact division
      uint off[kTPB];
      float keep[kTPB];
      [[unroll]] for (uint j = 0u; j < kTPB; ++j) {
        const int ow = ow0 + int(j);
        off[j] = dyn + uint(clamp(oh, 0, int(p.H_out) - 1)) * p.W_out + uint(clamp(ow, 0, int(p.W_out) - 1));
        keep[j] = (h_ok && ow >= 0 && ow < int(p.W_out)) ? 1.0 : 0.0;
      }
      const uint tap = kh * p.KW + kw;
      for (uint co = 0u; co < p.C_out; ++co) {
        float wv[kCB];
        load_weights(wv, co, tap, ci0, live);
        [[unroll]] for (uint c = 0u; c < kQ; ++c) {
          vec4 g;  // a clamped load is in bounds; its value is discarded
          [[unroll]] for (uint j = 0u; j < 4u; ++j)
            g[j] = dy[off[c * 4u + j] + co * plane] * keep[c * 4u + j];
          [[unroll]] for (uint i = 0u; i < kCB; ++i)
            if (i < live) acc[i][c] += wv[i] * g;  // uniform: C_in = 1 costs 1/kCB
        }
      }
    }
  }

  if (!in_range) return;
  // Unrolled, with the accumulate test outside: no per-element branch or read when overwriting.
  const bool add = p.accumulate != 0u;
  [[unroll]] for (uint i = 0u; i < kCB; ++i) {
    const uint ci = ci0 + i;
    if (ci >= p.C_in) break;
    const uint dxrow = ((n * p.C_in + ci) * p.H + ih) * p.W;
    [[unroll]] for (uint j = 0u; j < kTPB; ++j) {
      const uint iw = r + (m * kTPB + j) * s;
#if CONV_BIAS
      const float v = activate(acc[i][j / 4u][j % 4u] + b[ci], p.act, p.alpha);
#else
      const float v = acc[i][j / 4u][j % 4u];
#endif
      if (iw < p.W) dx[dxrow + iw] = add ? dx[dxrow + iw] + v : v;
    }
  }
}
