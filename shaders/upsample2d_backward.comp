#version 450
// Backward of nearest upsampling by 2: dx[n,c,h,w] = sum of the 2x2 block dy[n,c,2h..2h+1,2w..2w+1], added
// in the fixed order (0,0) (0,1) (1,0) (1,1) so the result is deterministic.
// Fused activation (p.act != 0): x is the output of a layer with activation f, and dx leaves multiplied by
// f'(x), the gradient of that layer's pre-activation (f' from the output: see activation.glsl).
// Threads: one per input row R = (n*C + c)*H + h, looping over its W values (its dy rows are 2R and 2R+1:
// no division), 64 per workgroup, tail bounds-checked.
// Bindings: 0 dx [N, C, H, W] read-write (overwritten, or accumulated when p.accumulate != 0);
//           1 dy [N, C, 2H, 2W] read; 2 x [N, C, H, W] read (only when p.act != 0).
layout(local_size_x = 64, local_size_x_id = 0) in;  // rt::Workgroups::pool
layout(std430, binding = 0) buffer DX { float dx[]; };
layout(std430, binding = 1) readonly buffer DY { float dy[]; };
layout(std430, binding = 2) readonly buffer X { float x[]; };
layout(push_constant) uniform Push { uint planes; uint h; uint w; uint accumulate; uint act; float alpha; uint pad0, pad1; } p;

#include "activation.glsl"

void main() {
  const uint row = gl_GlobalInvocationID.x;
  if (row >= p.planes * p.h) return;
  const uint wo = 2u * p.w, top0 = 2u * row * wo;
  for (uint s = 0u; s < p.w; ++s) {
    const uint top = top0 + 2u * s, i = row * p.w + s;
    float g = ((dy[top] + dy[top + 1u]) + dy[top + wo]) + dy[top + wo + 1u];
    if (p.act != kIdentity) g *= activate_derivative(x[i], x[i], p.act, p.alpha);
    dx[i] = p.accumulate != 0u ? dx[i] + g : g;
  }
}
