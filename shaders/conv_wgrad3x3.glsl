// Body of the 3x3 stride-1 weight gradient, included by conv2d_backward_weight_3x3.comp (WGRAD_VEC4 0) and
// conv2d_backward_weight_3x3_vec4.comp (1). The conv2d weight gradient of a 3x3, stride-1 conv ('same' or
// 'valid'):
// dw[co,ci,kh,kw] = sum over n, oh, ow of dy[n,co,oh,ow] * x[n,ci,oh - pad_top + kh, ow - pad_left + kw].
// Written over "v", the tensor read once per pixel, and "u", the one read through a sliding 3x3 window:
// p.variant 0: v = dy, u = x; p.variant 1 (more input than output channels): v = x, u = dy. The u pixel of
// window entry (j, k) next to v pixel (r, q) is (r + j - off_r, q + k - off_c); its tap is (j, k) in variant 0
// and (2 - j, 2 - k) in variant 1 (the correlation read backwards).
// Threads: one workgroup of 64 per block of kA v-channels x kB u-channels and all 9 taps (x = u-channel block,
// y = v-channel block) over images n_first .. n_first + N - 1. Invocation t walks the rows t, t+64, ... of
// the N x Hv rows; per column it loads kA v values and 3 new u values per u-channel: kA + 3 kB loads per
// 9 kA kB FMAs (llvmpipe runs every load as a loop over the 8 lanes; FMAs are 8 wide). Columns go 4 per loop
// trip: llvmpipe silently ends an invocation after 65535 trips, so the host also splits large batches into
// accumulating dispatches. The 64 partial sums of each weight are added in a fixed order: bit-reproducible.
#include "conv_blocks.h"  // before conv.glsl: the local size
layout(local_size_x = VKAE_CONV_LOCAL, local_size_x_id = 0) in;  // rt::Workgroups::conv
const uint kLocal = gl_WorkGroupSize.x;
layout(std430, binding = 0) buffer DW { float dw[]; };
#if WGRAD_VEC4
// v and u as vec4s (conv2d_backward_weight_3x3_vec4.comp): each 4-column trip loads one new aligned vec4 per
// v channel and per u row and shifts it into place with the one before (selects on the lane's misalignment):
// a quarter of the loads, the same products in the same order. The host binds them so only when both are
// whole vec4s (their sizes multiples of 16 bytes), so no float of theirs is outside a vec4.
layout(std430, binding = 1) readonly buffer V { vec4 v4[]; };
layout(std430, binding = 2) readonly buffer U { vec4 u4[]; };
float u_at(uint i) { return u4[i >> 2u][i & 3u]; }
// The 4 floats from flat position 4 * q + r on, out of the aligned vec4s q (lo) and q + 1 (hi).
vec4 shifted(vec4 lo, vec4 hi, uint r) {
  return r == 0u ? lo : r == 1u ? vec4(lo.yzw, hi.x) : r == 2u ? vec4(lo.zw, hi.xy) : vec4(lo.w, hi.xyz);
}
#else
layout(std430, binding = 1) readonly buffer V { float v[]; };
layout(std430, binding = 2) readonly buffer U { float u[]; };
float u_at(uint i) { return u[i]; }
#endif
#include "conv.glsl"

const uint kA = VKAE_CONV_WGRAD3X3_V_BLOCK, kB = VKAE_CONV_WGRAD3X3_U_BLOCK;  // v x u channels per workgroup
const uint kSums = kA * kB * 9u;
shared float partial[kSums][kLocal];

void main() {
  const uint t = gl_LocalInvocationID.x;
  const bool flip = p.variant != 0u;
  const uint Cv = flip ? p.C_in : p.C_out, Cu = flip ? p.C_out : p.C_in;
  const uint Hv = flip ? p.H : p.H_out, Wv = flip ? p.W : p.W_out;
  const int Hu = int(flip ? p.H_out : p.H), Wu = int(flip ? p.W_out : p.W);
  const int off_r = flip ? 2 - int(p.pad_top) : int(p.pad_top);
  const int off_c = flip ? 2 - int(p.pad_left) : int(p.pad_left);
  const uint cu0 = gl_WorkGroupID.x * kB, cv0 = gl_WorkGroupID.y * kA;
  uint vc[kA], uc[kB];  // channel offsets, clamped so tail blocks load valid data (never stored)
  [[unroll]] for (uint a = 0u; a < kA; ++a) vc[a] = min(cv0 + a, Cv - 1u) * Hv * Wv;
  [[unroll]] for (uint b = 0u; b < kB; ++b) uc[b] = min(cu0 + b, Cu - 1u) * uint(Hu * Wu);

  float acc[kSums];  // acc[(a * kB + b) * 9 + j * 3 + k]
  [[unroll]] for (uint i = 0u; i < kSums; ++i) acc[i] = 0.0;
  for (uint item = t; item < p.N * Hv; item += kLocal) {
    const uint n = p.n_first + item / Hv, r = item % Hv;
    const uint vrow = n * Cv * Hv * Wv + r * Wv;
    // Rows of u outside the image read a clamped row and are multiplied by 0 (zero padding, no branch).
    uint urow[3];
    float row_in[3];
    [[unroll]] for (uint j = 0u; j < 3u; ++j) {
      const int ur = int(r + j) - off_r;
      urow[j] = n * Cu * uint(Hu * Wu) + uint(clamp(ur, 0, Hu - 1) * Wu);
      row_in[j] = ur >= 0 && ur < Hu ? 1.0 : 0.0;
    }
    float win[kB][3][3];  // win[b][j][k]: u of channel cu0 + b at row r + j - off_r, column q + k - off_c
    [[unroll]] for (uint k = 0u; k < 2u; ++k) {
      const int ucol = int(k) - off_c;
      const float in_c = ucol >= 0 && ucol < Wu ? 1.0 : 0.0;
      const uint ucl = uint(clamp(ucol, 0, Wu - 1));
      [[unroll]] for (uint b = 0u; b < kB; ++b)
        [[unroll]] for (uint j = 0u; j < 3u; ++j)
          win[b][j][k + 1u] = u_at(uc[b] + urow[j] + ucl) * row_in[j] * in_c;
    }
#if WGRAD_VEC4
    // Flat positions of column 0 of each v channel's row and of column 2 - off_c of each u row; per trip the
    // vec4 after the one already held is loaded (indices clamped to the buffer: what a clamped load feeds is
    // past the row, masked by q_in / in_c).
    const int last_v = int(v4.length()) - 1, last_u = int(u4.length()) - 1;
    uint vq[kA], vr[kA], uq[kB][3], ur[kB][3];
    vec4 vlo[kA], ulo[kB][3];
    [[unroll]] for (uint a = 0u; a < kA; ++a) {
      const uint at = vc[a] + vrow;
      vq[a] = at >> 2u, vr[a] = at & 3u;
      vlo[a] = v4[min(int(vq[a]), last_v)];
    }
    [[unroll]] for (uint b = 0u; b < kB; ++b)
      [[unroll]] for (uint j = 0u; j < 3u; ++j) {
        const uint at = uc[b] + urow[j] + uint(2 - off_c);
        uq[b][j] = at >> 2u, ur[b][j] = at & 3u;
        ulo[b][j] = u4[min(int(uq[b][j]), last_u)];
      }
    for (uint q0 = 0u; q0 < Wv; q0 += 4u) {
      const uint step = q0 / 4u + 1u;
      vec4 gv[kA], uv[kB][3];
      [[unroll]] for (uint a = 0u; a < kA; ++a) {
        const vec4 hi = v4[min(int(vq[a] + step), last_v)];
        gv[a] = shifted(vlo[a], hi, vr[a]);
        vlo[a] = hi;
      }
      [[unroll]] for (uint b = 0u; b < kB; ++b)
        [[unroll]] for (uint j = 0u; j < 3u; ++j) {
          const vec4 hi = u4[min(int(uq[b][j] + step), last_u)];
          uv[b][j] = shifted(ulo[b][j], hi, ur[b][j]) * row_in[j];
          ulo[b][j] = hi;
        }
      [[unroll]] for (uint dq = 0u; dq < 4u; ++dq) {
        const uint q = q0 + dq;
        const float in_c = int(q) + 2 - off_c < Wu ? 1.0 : 0.0;
        [[unroll]] for (uint b = 0u; b < kB; ++b)
          [[unroll]] for (uint j = 0u; j < 3u; ++j) {
            win[b][j][0] = win[b][j][1];
            win[b][j][1] = win[b][j][2];
            win[b][j][2] = uv[b][j][dq] * in_c;
          }
        const float q_in = q < Wv ? 1.0 : 0.0;
        [[unroll]] for (uint a = 0u; a < kA; ++a) {
          const float g = gv[a][dq] * q_in;
          [[unroll]] for (uint b = 0u; b < kB; ++b)
            [[unroll]] for (uint j = 0u; j < 3u; ++j)
              [[unroll]] for (uint k = 0u; k < 3u; ++k)
                acc[(a * kB + b) * 9u + j * 3u + k] += g * win[b][j][k];
        }
      }
    }
#else
    for (uint q0 = 0u; q0 < Wv; q0 += 4u) {
      [[unroll]] for (uint dq = 0u; dq < 4u; ++dq) {
        const uint q = q0 + dq;  // past the row end (last trip): clamped loads, g = 0
        const int ucol = int(q) + 2 - off_c;  // >= 0: off_c <= 2
        const float in_c = ucol < Wu ? 1.0 : 0.0;
        const uint ucl = uint(min(ucol, Wu - 1));
        [[unroll]] for (uint b = 0u; b < kB; ++b)
          [[unroll]] for (uint j = 0u; j < 3u; ++j) {
            win[b][j][0] = win[b][j][1];
            win[b][j][1] = win[b][j][2];
            win[b][j][2] = u[uc[b] + urow[j] + ucl] * row_in[j] * in_c;
          }
        const float q_in = q < Wv ? 1.0 : 0.0;
        const uint qc = min(q, Wv - 1u);
        [[unroll]] for (uint a = 0u; a < kA; ++a) {
          const float g = v[vc[a] + vrow + qc] * q_in;
          [[unroll]] for (uint b = 0u; b < kB; ++b)
            [[unroll]] for (uint j = 0u; j < 3u; ++j)
              [[unroll]] for (uint k = 0u; k < 3u; ++k)
                acc[(a * kB + b) * 9u + j * 3u + k] += g * win[b][j][k];
        }
      }
    }
#endif
  }

  [[unroll]] for (uint i = 0u; i < kSums; ++i) partial[i][t] = acc[i];
  barrier();
  for (uint i = t; i < kSums; i += kLocal) {
    float sum = 0.0;
    for (uint s = 0u; s < kLocal; ++s) sum += partial[i][s];
    const uint a = i / (kB * 9u), b = i / 9u % kB, jk = i % 9u;
    const uint cv = cv0 + a, cu = cu0 + b;
    if (cv >= Cv || cu >= Cu) continue;
    const uint co = flip ? cu : cv, ci = flip ? cv : cu;
    const uint wi = (co * p.C_in + ci) * 9u + (flip ? 8u - jk : jk);
    dw[wi] = p.accumulate != 0u ? dw[wi] + sum : sum;
  }
}
