#version 450
// Dense backward, input gradient: dx[n, i] = Σ_o dy[n, o] W[o, i].
// Threads: one invocation per 8x8 block of dx (8 batch rows x 8 inputs, flat row-major block index), 64 per
// workgroup; each accumulates its 64 outputs in registers over o in order. Tail blocks bounds-checked.
// Bindings: 0 dx [N, D_in] read-write (overwritten, or accumulated when p.accumulate != 0);
//           1 dy [N, D_out] read; 2 W [D_out, D_in] read.
#include "dense_blocks.h"
layout(local_size_x = VKAE_DENSE_LOCAL, local_size_x_id = 0) in;  // rt::Workgroups::dense
layout(std430, binding = 0) buffer DX { float dx[]; };
layout(std430, binding = 1) readonly buffer DY { float dy[]; };
layout(std430, binding = 2) readonly buffer W { float w[]; };
// Push: nn::DensePush (act and alpha: the forward's fused activation).
layout(push_constant) uniform Push { uint n; uint d_in; uint d_out; uint accumulate; uint act; float alpha; uint pad0, pad1; } p;

#include "dense.glsl"

#define LOAD_A(m, k) dy[(m) * p.d_out + (k)]
#define LOAD_B(k, c) w[(k) * p.d_in + (c)]

void main() {
  const uint blocks = ((p.n + kBM - 1u) / kBM) * ((p.d_in + kBN - 1u) / kBN);
  if (gl_GlobalInvocationID.x >= blocks) return;
  uint m0, n0;
  dense_block(gl_GlobalInvocationID.x, p.d_in, m0, n0);
  DENSE_BLOCK_PRODUCT(p.n, p.d_in, p.d_out, m0, n0)
  for (uint r = 0u; r < kBM; ++r)
    for (uint c = 0u; c < kBN; ++c)
      if (m0 + r < p.n && n0 + c < p.d_in) {
        const uint at = (m0 + r) * p.d_in + n0 + c;
        dx[at] = p.accumulate != 0u ? dx[at] + acc[r][c] : acc[r][c];
      }
}
