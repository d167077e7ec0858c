#version 450
// conv2d weight gradient of a 3x3, stride-1 conv with a single channel on one side (C_in == 1 or C_out == 1):
// dw[co,ci,kh,kw] = sum over n, oh, ow of dy[n,co,oh,ow] * x[n,ci,oh - pad_top + kh, ow - pad_left + kw].
// "v" is the many-channel tensor and "u" the single-channel one: p.variant 0: C_in == 1, v = dy, u = x;
// p.variant 1: C_out == 1, v = x, u = dy. Either way the u pixel of tap (j, k) next to v pixel (r, q) is
// (r + j - off_r, q + k - off_c), and the tap is (j, k) (variant 0) or (2 - j, 2 - k) (variant 1).
// Threads: one invocation per channel c of v, 8 per workgroup (x = block of 8 channels). Each walks every v
// pixel of images n_first .. n_first + N - 1 in order n, row, column: one load that differs between invocations
// (v) and a 3x3 window of u with the same addresses for all, slid along the row: 3 new u loads and 9 FMAs per
// column. Columns go 4 per loop trip: llvmpipe stops a shader after 65535 loop trips in all (silently), so
// the host also splits large batches into several dispatches (p.N images each, accumulating).
// Per-row sums are added in row order into the totals: fixed order, no atomics, bit-reproducible.
// Bindings: 0 dw [C_out, C_in, 3, 3] read-write (overwritten, or accumulated when p.accumulate != 0);
//           1 v [N, C, Hv, Wv] read; 2 u [N, 1, Hu, Wu] read (the host binds dy and x in this order).
layout(local_size_x = 8) in;
layout(std430, binding = 0) buffer DW { float dw[]; };
layout(std430, binding = 1) readonly buffer V { float v[]; };
layout(std430, binding = 2) readonly buffer U { float u[]; };
#include "conv.glsl"

void main() {
  const bool dy_single = p.variant != 0u;
  const uint C = dy_single ? p.C_in : p.C_out;
  const uint Hv = dy_single ? p.H : p.H_out, Wv = dy_single ? p.W : p.W_out;
  const int Hu = int(dy_single ? p.H_out : p.H), Wu = int(dy_single ? p.W_out : p.W);
  const int off_r = dy_single ? 2 - int(p.pad_top) : int(p.pad_top);
  const int off_c = dy_single ? 2 - int(p.pad_left) : int(p.pad_left);
  const uint c = gl_GlobalInvocationID.x;
  const uint cl = min(c, C - 1u);  // tail lanes load valid data and store nothing

  float total[9];
  [[unroll]] for (uint t = 0u; t < 9u; ++t) total[t] = 0.0;
  for (uint n = p.n_first; n < p.n_first + p.N; ++n) {
    const uint vimg = (n * C + cl) * Hv * Wv, uimg = n * uint(Hu * Wu);
    for (uint r = 0u; r < Hv; ++r) {
      // Rows of u outside the image read a clamped row and are multiplied by 0 (zero padding, no branch).
      uint urow[3];
      float row_in[3];
      [[unroll]] for (uint j = 0u; j < 3u; ++j) {
        const int ur = int(r + j) - off_r;
        urow[j] = uimg + uint(clamp(ur, 0, Hu - 1) * Wu);
        row_in[j] = ur >= 0 && ur < Hu ? 1.0 : 0.0;
      }
      float win[3][3];  // win[j][k]: u at row r + j - off_r, column q + k - off_c
      [[unroll]] for (uint k = 0u; k < 2u; ++k) {
        const int uc = int(k) - off_c;
        const float in_c = uc >= 0 && uc < Wu ? 1.0 : 0.0;
        const uint ucl = uint(clamp(uc, 0, Wu - 1));
        [[unroll]] for (uint j = 0u; j < 3u; ++j) win[j][k + 1u] = u[urow[j] + ucl] * row_in[j] * in_c;
      }
      float acc[9];
      [[unroll]] for (uint t = 0u; t < 9u; ++t) acc[t] = 0.0;
      const uint vrow = vimg + r * Wv;
      for (uint q0 = 0u; q0 < Wv; q0 += 4u) {
        [[unroll]] for (uint dq = 0u; dq < 4u; ++dq) {
          const uint q = q0 + dq;  // past the row end (last trip): clamped loads, g = 0
          const int uc = int(q) + 2 - off_c;
          const float in_c = uc < Wu ? 1.0 : 0.0;  // uc >= 0 holds: off_c <= 2
          const uint ucl = uint(min(uc, Wu - 1));
          [[unroll]] for (uint j = 0u; j < 3u; ++j) {
            win[j][0] = win[j][1];
            win[j][1] = win[j][2];
            win[j][2] = u[urow[j] + ucl] * row_in[j] * in_c;
          }
          const float g = v[vrow + min(q, Wv - 1u)] * (q < Wv ? 1.0 : 0.0);
          [[unroll]] for (uint j = 0u; j < 3u; ++j)
            [[unroll]] for (uint k = 0u; k < 3u; ++k) acc[j * 3u + k] += g * win[j][k];
        }
      }
      [[unroll]] for (uint t = 0u; t < 9u; ++t) total[t] += acc[t];
    }
  }
  if (c >= C) return;
  [[unroll]] for (uint t = 0u; t < 9u; ++t) {
    const uint wi = c * 9u + (dy_single ? 8u - t : t);
    dw[wi] = p.accumulate != 0u ? dw[wi] + total[t] : total[t];
  }
}
