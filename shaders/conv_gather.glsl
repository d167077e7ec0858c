// Body of the "gather" convolution: out[n, co, oh, ow] = (b[co]) + sum_{ci,kh,kw} w[co,ci,kh,kw] *
// in[n, ci, oh*stride - pad_top + kh, ow*stride - pad_left + kw], zero outside the input. Included by
// conv2d_forward.comp and conv2d_forward_wide.comp (CONV_BIAS 1) and conv_transpose2d_backward_input.comp
// (CONV_BIAS 0), which state the bindings. Register blocking: each invocation owns kCB output channels x kGPB consecutive output
// pixels of one row and keeps the kCB*kGPB sums in registers, so one input load feeds kCB FMAs and one
// weight load feeds kGPB. Sums run kh, kw, ci in that fixed order (kh, ci, kw on the stride-1 3-wide path):
// deterministic either way.
// Weights: with GATHER_PACKED_WEIGHTS (the conv2d forwards) binding 2 is conv2d_pack_weights.comp's copy
// [C_in, KH, KW, C_pad], read kCB channels of a tap at a time as vec4s (a quarter of the loads; the same
// products in the same order, so the same bits), from a storage buffer (1) or a uniform buffer (2); without
// it (conv_transpose2d's input gradient) the plain [C_out, C_in, KH, KW] floats.
// Thread mapping: gl_GlobalInvocationID.x = (n * HB + h) * M + m with M = ceil(W_out / kGPB), HB =
// ceil(H_out / kGR) (rows oh = h*kGR + r, pixels ow = m*kGPB + j; n is folded in so small images still fill
// workgroups); gl_WorkGroupID.y = channel block
// (co = y*kCB + i). Out-of-range rows are clamped to valid ones, computed and never stored, so every load is
// in bounds and loops stay uniform; channels past C_out are skipped by a workgroup-uniform branch.
layout(local_size_x = VKAE_CONV_LOCAL, local_size_x_id = 0) in;  // rt::Workgroups::conv
// Pixels per invocation, a multiple of 4, chosen by the includer (a conv_blocks.h value): 8 measured
// ~10 % faster with 32 input channels, 4 better with one (dev/conv/README.md). The sums are the same either
// way (same order per output), so the choice never changes a bit of the result.
#ifndef GATHER_PACKED_WEIGHTS
#define GATHER_PACKED_WEIGHTS 0
#endif
#ifndef GATHER_PIXELS
#define GATHER_PIXELS VKAE_CONV_PIXEL_BLOCK
#endif
// Output rows per invocation, chosen by the includer (1 or 2): two rows load each weight once for both
// (half the weight loads per output), each output's sum in the same order either way, so the same bits.
#ifndef GATHER_ROWS
#define GATHER_ROWS 1u
#endif
const uint kGR = GATHER_ROWS;
const uint kGPB = GATHER_PIXELS;
const uint kGQ = kGPB / 4u;  // vec4 accumulators per channel
layout(std430, binding = 0) buffer Out { float y[]; };
layout(std430, binding = 1) readonly buffer In { float x[]; };
#include "conv_weights_binding.glsl"  // binding 2: the weights, in the form GATHER_PACKED_WEIGHTS says

// The weights of tap `tap` (kh * KW + kw) of input channel ci for the block's kCB output channels.
// Channels from `live` on do not exist (uniform per workgroup): the float path skips their loads.
void load_weights(out float wv[kCB], uint ci, uint tap, uint co0, uint live) {
#if GATHER_PACKED_WEIGHTS
  const uint cq = (p.C_out + kCB - 1u) / kCB * (kCB / 4u);  // vec4s per tap
  const uint at = (ci * p.KH * p.KW + tap) * cq + co0 / 4u;
  [[unroll]] for (uint g = 0u; g < kCB / 4u; ++g) {
    const vec4 v = w4[at + g];
    [[unroll]] for (uint j = 0u; j < 4u; ++j) wv[g * 4u + j] = v[j];
  }
#else
  [[unroll]] for (uint i = 0u; i < kCB; ++i)
    wv[i] = i < live ? w[((co0 + i) * p.C_in + ci) * p.KH * p.KW + tap] : 0.0;
#endif
}
#if CONV_BIAS
layout(std430, binding = 3) readonly buffer Bias { float b[]; };
#endif

void main() {
  const uint M = (p.W_out + kGPB - 1u) / kGPB, HB = (p.H_out + kGR - 1u) / kGR;  // pixel and row blocks
  const uint q = gl_GlobalInvocationID.x;
  const bool row_ok = q < p.N * HB * M;
  const uint n = row_ok ? q / (HB * M) : 0u, rest = q % (HB * M);
  const uint oh0 = row_ok ? rest / M * kGR : 0u, ow0 = row_ok ? (rest % M) * kGPB : 0u;
  const uint co0 = gl_WorkGroupID.y * kCB;
  const uint live = min(kCB, p.C_out - co0);  // channels of this block that exist (uniform per workgroup)
  int iw0[kGPB];
  [[unroll]] for (uint j = 0u; j < kGPB; ++j) iw0[j] = int((ow0 + j) * p.stride) - int(p.pad_left);

  vec4 acc[kGR][kCB][kGQ];  // acc[r][i][c][j]: row oh0 + r, channel co0 + i, pixel ow0 + c*4 + j
  [[unroll]] for (uint r = 0u; r < kGR; ++r)
    [[unroll]] for (uint i = 0u; i < kCB; ++i)
      [[unroll]] for (uint c = 0u; c < kGQ; ++c) acc[r][i][c] = vec4(0.0);
  const uint plane = p.H * p.W, xn = n * p.C_in * plane;
  // Stride 1, three taps wide (every 3x3 'same' conv of the models): the kGPB + 2 input columns of a row are
  // loaded once per channel and feed all three taps, half the loads of the general loop (on lavapipe a
  // per-invocation load costs a scalar loop over the SIMD lanes; the FMAs are vector ops). Uniform branch.
  const bool row_reuse = p.stride == 1u && p.KW == 3u;
  for (uint kh = 0u; row_reuse && kh < p.KH; ++kh) {
    uint off[kGR][kGPB + 2u];
    float keep[kGR][kGPB + 2u];
    [[unroll]] for (uint r = 0u; r < kGR; ++r) {
      const int ih = int((oh0 + r) * p.stride) - int(p.pad_top) + int(kh);
      const bool h_ok = ih >= 0 && ih < int(p.H);
      [[unroll]] for (uint j = 0u; j < kGPB + 2u; ++j) {
        const int iw = iw0[0] + int(j);
        off[r][j] = xn + uint(clamp(ih, 0, int(p.H) - 1)) * p.W + uint(clamp(iw, 0, int(p.W) - 1));
        keep[r][j] = (h_ok && iw >= 0 && iw < int(p.W)) ? 1.0 : 0.0;
      }
    }
    for (uint ci = 0u; ci < p.C_in; ++ci) {
      float xr[kGR][kGPB + 2u];
      [[unroll]] for (uint r = 0u; r < kGR; ++r)
        [[unroll]] for (uint j = 0u; j < kGPB + 2u; ++j) xr[r][j] = x[off[r][j] + ci * plane] * keep[r][j];
      [[unroll]] for (uint kw = 0u; kw < 3u; ++kw) {
        float wv[kCB];
        load_weights(wv, ci, kh * 3u + kw, co0, live);
        [[unroll]] for (uint r = 0u; r < kGR; ++r)
          [[unroll]] for (uint c = 0u; c < kGQ; ++c) {
            const uint e = c * 4u + kw;
            const vec4 xv = vec4(xr[r][e], xr[r][e + 1u], xr[r][e + 2u], xr[r][e + 3u]);
            [[unroll]] for (uint i = 0u; i < kCB; ++i)
              if (i < live) acc[r][i][c] += wv[i] * xv;
          }
      }
    }
  }
  for (uint kh = 0u; !row_reuse && kh < p.KH; ++kh) {
    for (uint kw = 0u; kw < p.KW; ++kw) {
      // Per tap: where each pixel reads (clamped) and whether it is padding; the channel loop then only loads.
      uint off[kGR][kGPB];
      float keep[kGR][kGPB];
      [[unroll]] for (uint r = 0u; r < kGR; ++r) {
        const int ih = int((oh0 + r) * p.stride) - int(p.pad_top) + int(kh);
        const bool h_ok = ih >= 0 && ih < int(p.H);
        [[unroll]] for (uint j = 0u; j < kGPB; ++j) {
          const int iw = iw0[j] + int(kw);
          off[r][j] = xn + uint(clamp(ih, 0, int(p.H) - 1)) * p.W + uint(clamp(iw, 0, int(p.W) - 1));
          keep[r][j] = (h_ok && iw >= 0 && iw < int(p.W)) ? 1.0 : 0.0;
        }
      }
      const uint tap = kh * p.KW + kw;
      for (uint ci = 0u; ci < p.C_in; ++ci) {
        float wv[kCB];
        load_weights(wv, ci, tap, co0, live);
        [[unroll]] for (uint r = 0u; r < kGR; ++r)
          [[unroll]] for (uint c = 0u; c < kGQ; ++c) {
            vec4 xv;  // zero padding (a clamped load is in bounds, its value discarded)
            [[unroll]] for (uint j = 0u; j < 4u; ++j)
              xv[j] = x[off[r][c * 4u + j] + ci * plane] * keep[r][c * 4u + j];
            [[unroll]] for (uint i = 0u; i < kCB; ++i)
              if (i < live) acc[r][i][c] += wv[i] * xv;  // uniform: C_out = 1 costs 1/kCB
          }
      }
    }
  }

  if (!row_ok) return;
  // Unrolled, with the accumulate test outside: no per-element branch or read when overwriting.
  const bool add = p.accumulate != 0u;
  [[unroll]] for (uint r = 0u; r < kGR; ++r) {
    const uint oh = oh0 + r;
    if (oh >= p.H_out) break;
    [[unroll]] for (uint i = 0u; i < kCB; ++i) {
      const uint co = co0 + i;
      if (co >= p.C_out) break;
      const uint yrow = ((n * p.C_out + co) * p.H_out + oh) * p.W_out;
      [[unroll]] for (uint j = 0u; j < kGPB; ++j) {
#if CONV_BIAS
        const float v = activate(acc[r][i][j / 4u][j % 4u] + b[co], p.act, p.alpha);
#else
        const float v = acc[r][i][j / 4u][j % 4u];
#endif
        if (ow0 + j < p.W_out) y[yrow + ow0 + j] = add ? y[yrow + ow0 + j] + v : v;
      }
    }
  }
}
