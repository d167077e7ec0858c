#version 450
// 2x2 average pooling, stride 2, 'valid' (Ho = floor(H/2)): the low-resolution input for super-resolution
// (28x28 -> 14x14). y[n,c,i,j] = ((x00 + x01) + x10 + x11) * 0.25 in that order (deterministic). No backward:
// it only prepares data.
// Threads: one per output element (n, c, i, j) in flat NCHW order, 256 per workgroup, tail bounds-checked.
// Bindings: 0 y [N, C, H/2, W/2] write (overwritten); 1 x [N, C, H, W] read.
layout(local_size_x = 256) in;
layout(std430, binding = 0) writeonly buffer Y { float y[]; };
layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(push_constant) uniform Push { uint planes; uint h; uint w; uint pad0; } p;

void main() {
  uint i = gl_GlobalInvocationID.x;
  uint ho = p.h / 2u, wo = p.w / 2u;
  if (i >= p.planes * ho * wo) return;
  uint c = i % wo;
  uint r = (i / wo) % ho;
  uint plane = i / (wo * ho);
  uint top = (plane * p.h + 2u * r) * p.w + 2u * c;
  y[i] = (((x[top] + x[top + 1u]) + x[top + p.w]) + x[top + p.w + 1u]) * 0.25;
}
