#version 450
// Nearest-neighbour upsampling by 2 (Keras UpSampling2D(2)), NCHW: y[n,c,r,s] = x[n,c,r/2,s/2].
// Threads: one per output element (n, c, r, s) in flat NCHW order, 256 per workgroup, tail bounds-checked.
// Bindings: 0 y [N, C, 2H, 2W] write (overwritten); 1 x [N, C, H, W] read.
layout(local_size_x = 256) in;
layout(std430, binding = 0) writeonly buffer Y { float y[]; };
layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(push_constant) uniform Push { uint planes; uint h; uint w; uint accumulate; } p;

void main() {
  uint i = gl_GlobalInvocationID.x;
  uint wo = 2u * p.w, ho = 2u * p.h;
  if (i >= p.planes * ho * wo) return;
  uint s = i % wo;
  uint r = (i / wo) % ho;
  uint plane = i / (wo * ho);
  y[i] = x[(plane * p.h + r / 2u) * p.w + s / 2u];
}
