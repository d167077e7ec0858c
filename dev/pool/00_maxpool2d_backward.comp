#version 450
// Backward of 2x2/stride-2 max pooling: dx[n,c,r,s] = dy[n,c,r/2,s/2] when (r, s) is the arg-max of its
// window, else 0. The arg-max is recomputed from x (nothing saved by the forward): the FIRST maximum in
// row-major window order (strict '>'), exactly as the forward picks it, so ties route dy to one cell only.
// Windows never overlap (stride = window), so each input cell has at most one window: a gather, no atomics.
// Cells outside every window ('valid' with an odd size: the last row/column) get 0.
// Threads: one per input element (n, c, r, s) in flat NCHW order, 256 per workgroup, tail bounds-checked.
// Bindings: 0 dx [N, C, H, W] read-write (overwritten, or accumulated when p.accumulate != 0);
//           1 dy [N, C, Ho, Wo] read; 2 x [N, C, H, W] read.
layout(local_size_x = 256) in;
layout(std430, binding = 0) buffer DX { float dx[]; };
layout(std430, binding = 1) readonly buffer DY { float dy[]; };
layout(std430, binding = 2) readonly buffer X { float x[]; };
layout(push_constant) uniform Push { uint planes; uint h; uint w; uint ho; uint wo; uint accumulate; uint pad0; uint pad1; } p;

void main() {
  uint i = gl_GlobalInvocationID.x;
  if (i >= p.planes * p.h * p.w) return;
  uint s = i % p.w;
  uint r = (i / p.w) % p.h;
  uint plane = i / (p.w * p.h);
  uint oh = r / 2u, ow = s / 2u;
  float g = 0.0;
  if (oh < p.ho && ow < p.wo) {
    uint base = plane * p.h * p.w;
    uint h1 = min(2u * oh + 2u, p.h);
    uint w1 = min(2u * ow + 2u, p.w);
    uint best_r = 2u * oh, best_c = 2u * ow;
    float best = x[base + best_r * p.w + best_c];
    for (uint rr = 2u * oh; rr < h1; ++rr)
      for (uint cc = 2u * ow; cc < w1; ++cc) {
        float v = x[base + rr * p.w + cc];
        if (v > best) { best = v; best_r = rr; best_c = cc; }
      }
    if (best_r == r && best_c == s) g = dy[(plane * p.ho + oh) * p.wo + ow];
  }
  dx[i] = p.accumulate != 0u ? dx[i] + g : g;
}
