#version 450
// conv2d forward by Winograd F(2x2, 3x3) (3x3, stride 1, either padding): each output tile of 2x2 pixels is
// Y = A^T [ sum over ci of (G w G^T) (.) (B^T d B) ] A, d the 4x4 input patch under the tile, so a tile costs
// 16 multiplies per (ci, co) instead of 36. The weights come transformed by the host (U = G w G^T, laid out
// [C_in, 16, C_out padded to 8], a uniform buffer as the promoted forward's); the input transform is adds only.
// Threads: one invocation per (n, tile row, tile column) and block of 8 output channels (gl_WorkGroupID.y),
// 64 per workgroup; out-of-range tiles are computed on clamped indices and not stored. Sums run over ci in
// order; the transforms reorder the arithmetic, so the bits differ from the direct kernels' (the dev check
// holds it to the reference's tolerance).
// Bindings: 0 y [N, C_out, H_out, W_out] write; 1 x [N, C_in, H, W] read; 2 U uniform; 3 b [C_out] read.
#include "conv.glsl"
layout(local_size_x = 64) in;
layout(std430, binding = 0) writeonly buffer Out { float y[]; };
layout(std430, binding = 1) readonly buffer In { float x[]; };
layout(std140, binding = 2) uniform Wt { vec4 u4[4096]; };
layout(std430, binding = 3) readonly buffer Bias { float b[]; };

void main() {
  const uint TH = (p.H_out + 1u) / 2u, TW = (p.W_out + 1u) / 2u;
  const uint q = gl_GlobalInvocationID.x;
  const bool tile_ok = q < p.N * TH * TW;
  const uint n = tile_ok ? q / (TH * TW) : 0u, rest = q % (TH * TW);
  const uint oh0 = tile_ok ? rest / TW * 2u : 0u, ow0 = tile_ok ? rest % TW * 2u : 0u;
  const uint co0 = gl_WorkGroupID.y * 8u;
  const uint cq = (p.C_out + 7u) / 8u * 2u;  // vec4s per (ci, e)
  uint off[16];
  float keep[16];
  [[unroll]] for (uint i = 0u; i < 4u; ++i)
    [[unroll]] for (uint j = 0u; j < 4u; ++j) {
      const int ih = int(oh0 + i) - int(p.pad_top), iw = int(ow0 + j) - int(p.pad_left);
      off[i * 4u + j] = n * p.C_in * p.H * p.W + uint(clamp(ih, 0, int(p.H) - 1)) * p.W +
                        uint(clamp(iw, 0, int(p.W) - 1));
      keep[i * 4u + j] = ih >= 0 && ih < int(p.H) && iw >= 0 && iw < int(p.W) ? 1.0 : 0.0;
    }
  vec4 m[8][4];  // m[c][e / 4][e % 4]: channel co0 + c, transform-domain element e
  [[unroll]] for (uint c = 0u; c < 8u; ++c)
    [[unroll]] for (uint r = 0u; r < 4u; ++r) m[c][r] = vec4(0.0);
  const uint plane = p.H * p.W;
  for (uint ci = 0u; ci < p.C_in; ++ci) {
    float d[16];
    [[unroll]] for (uint e = 0u; e < 16u; ++e) d[e] = x[off[e] + ci * plane] * keep[e];
    // t = B^T d (rows), v = t B (columns); B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1].
    vec4 t[4];
    [[unroll]] for (uint j = 0u; j < 4u; ++j) {
      t[0][j] = d[j] - d[8u + j];
      t[1][j] = d[4u + j] + d[8u + j];
      t[2][j] = d[8u + j] - d[4u + j];
      t[3][j] = d[4u + j] - d[12u + j];
    }
    vec4 v[4];
    [[unroll]] for (uint i = 0u; i < 4u; ++i)
      v[i] = vec4(t[i][0] - t[i][2], t[i][1] + t[i][2], t[i][2] - t[i][1], t[i][1] - t[i][3]);
    [[unroll]] for (uint e = 0u; e < 16u; ++e) {
      const uint at = (ci * 16u + e) * cq + co0 / 4u;
      const vec4 ua = u4[at], ub = u4[at + 1u];
      const float ve = v[e / 4u][e % 4u];
      [[unroll]] for (uint c = 0u; c < 4u; ++c) {
        m[c][e / 4u][e % 4u] += ua[c] * ve;
        m[c + 4u][e / 4u][e % 4u] += ub[c] * ve;
      }
    }
  }
  if (!tile_ok) return;
  // Y = A^T m A, A^T = [1 1 1 0; 0 1 -1 -1].
  [[unroll]] for (uint c = 0u; c < 8u; ++c) {
    const uint co = co0 + c;
    if (co >= p.C_out) break;
    const vec4 r0 = m[c][0] + m[c][1] + m[c][2], r1 = m[c][1] - m[c][2] - m[c][3];
    const float yv[4] = float[4](r0[0] + r0[1] + r0[2], r0[1] - r0[2] - r0[3], r1[0] + r1[1] + r1[2],
                                 r1[1] - r1[2] - r1[3]);
    [[unroll]] for (uint k = 0u; k < 4u; ++k) {
      const uint oh = oh0 + k / 2u, ow = ow0 + k % 2u;
      if (oh < p.H_out && ow < p.W_out)
        y[((n * p.C_out + co) * p.H_out + oh) * p.W_out + ow] = activate(yv[k] + b[co], p.act, p.alpha);
    }
  }
}
