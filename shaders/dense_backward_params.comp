#version 450
// Dense backward, parameter gradients: dW[o, i] = Σ_n dy[n, o] x[n, i] and db[o] = Σ_n dy[n, o], both summed
// over the batch in n order (fixed, so deterministic; no atomics).
// Threads: one invocation per 8x8 block of dW (8 outputs x 8 inputs, flat row-major block index), 64 per
// workgroup, accumulating in registers; the invocations of the first block column (i0 = 0) also store db for
// their 8 outputs (the sum they accumulated on the way). Tail blocks bounds-checked.
// Bindings: 0 dW [D_out, D_in] read-write, 1 db [D_out] read-write (both overwritten, or accumulated when
//           p.accumulate != 0); 2 dy [N, D_out] read; 3 x [N, D_in] read.
#include "dense_blocks.h"
layout(local_size_x = VKAE_DENSE_LOCAL, local_size_x_id = 0) in;  // rt::Workgroups::dense
layout(std430, binding = 0) buffer DW { float dw[]; };
layout(std430, binding = 1) buffer DB { float db[]; };
layout(std430, binding = 2) readonly buffer DY { float dy[]; };
layout(std430, binding = 3) readonly buffer X { float x[]; };
// Push: nn::DensePush (act and alpha: the forward's fused activation).
layout(push_constant) uniform Push { uint n; uint d_in; uint d_out; uint accumulate; uint act; float alpha; uint pad0, pad1; } p;

#include "dense.glsl"

#define LOAD_A(m, k) dy[(k) * p.d_out + (m)]
#define LOAD_B(k, c) x[(k) * p.d_in + (c)]

void main() {
  const uint blocks = ((p.d_out + kBM - 1u) / kBM) * ((p.d_in + kBN - 1u) / kBN);
  if (gl_GlobalInvocationID.x >= blocks) return;
  uint m0, n0;
  dense_block(gl_GlobalInvocationID.x, p.d_in, m0, n0);
  DENSE_BLOCK_PRODUCT(p.d_out, p.d_in, p.n, m0, n0)
  for (uint r = 0u; r < kBM; ++r) {
    if (m0 + r >= p.d_out) continue;
    for (uint c = 0u; c < kBN; ++c)
      if (n0 + c < p.d_in) {
        const uint at = (m0 + r) * p.d_in + n0 + c;
        dw[at] = p.accumulate != 0u ? dw[at] + acc[r][c] : acc[r][c];
      }
    if (n0 == 0u) db[m0 + r] = p.accumulate != 0u ? db[m0 + r] + a_sum[r] : a_sum[r];
  }
}
