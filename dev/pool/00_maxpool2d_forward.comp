#version 450
// 2x2 max pooling, stride 2, NCHW. Window (oh, ow) covers rows 2oh..2oh+1 and columns 2ow..2ow+1 of x,
// clipped to the map: 'same' (Ho = ceil(H/2)) pads only at the end, 'valid' (Ho = floor(H/2)) never
// reaches past the map, so one clipped loop serves both and a padded cell can never win (TF/Keras).
// Threads: one per output element (n, c, oh, ow) in flat NCHW order, 256 per workgroup, tail bounds-checked.
// Bindings: 0 y [N, C, Ho, Wo] write (overwritten); 1 x [N, C, H, W] read.
layout(local_size_x = 256) in;
layout(std430, binding = 0) writeonly buffer Y { float y[]; };
layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(push_constant) uniform Push { uint planes; uint h; uint w; uint ho; uint wo; uint accumulate; uint pad0; uint pad1; } p;

void main() {
  uint i = gl_GlobalInvocationID.x;
  if (i >= p.planes * p.ho * p.wo) return;
  uint ow = i % p.wo;
  uint oh = (i / p.wo) % p.ho;
  uint plane = i / (p.wo * p.ho);
  uint base = plane * p.h * p.w;
  uint h1 = min(2u * oh + 2u, p.h);
  uint w1 = min(2u * ow + 2u, p.w);
  // Row-major window order with a strict '>' keeps the first maximum, matching the backward's arg-max.
  float best = x[base + 2u * oh * p.w + 2u * ow];
  for (uint r = 2u * oh; r < h1; ++r)
    for (uint c = 2u * ow; c < w1; ++c) {
      float v = x[base + r * p.w + c];
      if (v > best) best = v;
    }
  y[i] = best;
}
