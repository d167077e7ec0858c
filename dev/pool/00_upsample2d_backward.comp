#version 450
// Backward of nearest upsampling by 2: dx[n,c,h,w] = sum of the 2x2 block dy[n,c,2h..2h+1,2w..2w+1], added
// in the fixed order (0,0) (0,1) (1,0) (1,1) so the result is deterministic.
// Threads: one per input element (n, c, h, w) in flat NCHW order, 256 per workgroup, tail bounds-checked.
// Bindings: 0 dx [N, C, H, W] read-write (overwritten, or accumulated when p.accumulate != 0);
//           1 dy [N, C, 2H, 2W] read.
layout(local_size_x = 256) in;
layout(std430, binding = 0) buffer DX { float dx[]; };
layout(std430, binding = 1) readonly buffer DY { float dy[]; };
layout(push_constant) uniform Push { uint planes; uint h; uint w; uint accumulate; } p;

void main() {
  uint i = gl_GlobalInvocationID.x;
  if (i >= p.planes * p.h * p.w) return;
  uint c = i % p.w;
  uint r = (i / p.w) % p.h;
  uint plane = i / (p.w * p.h);
  uint wo = 2u * p.w;
  uint top = (plane * 2u * p.h + 2u * r) * wo + 2u * c;
  float g = ((dy[top] + dy[top + 1u]) + dy[top + wo]) + dy[top + wo + 1u];
  dx[i] = p.accumulate != 0u ? dx[i] + g : g;
}
