#version 450
// Dense forward: y[n, o] = f(Σ_i x[n, i] W[o, i] + b[o]) (PyTorch layout W [D_out, D_in]), f = the fused
// activation (push constants act, alpha; identity = 0).
// Threads: one invocation per 8x8 block of y (8 batch rows x 8 outputs, flat row-major block index), 64 per
// workgroup; each accumulates its 64 outputs in registers over i in order. Tail blocks bounds-checked.
// Bindings: 0 y [N, D_out] write (overwritten); 1 x [N, D_in] read; 2 W [D_out, D_in] read; 3 b [D_out] read.
#include "dense_blocks.h"
layout(local_size_x = VKAE_DENSE_LOCAL, local_size_x_id = 0) in;  // rt::Workgroups::dense
layout(std430, binding = 0) writeonly buffer Y { float y[]; };
layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(std430, binding = 2) readonly buffer W { float w[]; };
layout(std430, binding = 3) readonly buffer B { float bias[]; };
// Push: nn::DensePush (act and alpha: the forward's fused activation).
layout(push_constant) uniform Push { uint n; uint d_in; uint d_out; uint accumulate; uint act; float alpha; uint pad0, pad1; } p;

#include "activation.glsl"
#include "dense.glsl"

#define LOAD_A(m, k) x[(m) * p.d_in + (k)]
#define LOAD_B(k, c) w[(c) * p.d_in + (k)]

void main() {
  const uint blocks = ((p.n + kBM - 1u) / kBM) * ((p.d_out + kBN - 1u) / kBN);
  if (gl_GlobalInvocationID.x >= blocks) return;
  uint m0, n0;
  dense_block(gl_GlobalInvocationID.x, p.d_out, m0, n0);
  DENSE_BLOCK_PRODUCT(p.n, p.d_out, p.d_in, m0, n0)
  for (uint r = 0u; r < kBM; ++r)
    for (uint c = 0u; c < kBN; ++c)
      if (m0 + r < p.n && n0 + c < p.d_out) y[(m0 + r) * p.d_out + n0 + c] = activate(acc[r][c] + bias[n0 + c], p.act, p.alpha);
}
