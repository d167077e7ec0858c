#version 450
// Backward of 2x2/stride-2 max pooling: dx[n,c,r,s] = dy[n,c,r/2,s/2] when (r, s) is the arg-max of its
// window, else 0. The arg-max is recomputed from x (nothing saved by the forward): the FIRST maximum in
// row-major window order (strict '>'), exactly as the forward picks it, so ties route dy to one cell only.
// Windows never overlap (stride = window): each window writes its own cells, no atomics. Cells outside every
// window ('valid' with an odd size: the last row/column) get 0.
// Fused activation (p.act != 0): x is the output of a layer with activation f, and dx leaves multiplied by
// f'(x), the gradient of that layer's pre-activation (f' from the output: see activation.glsl).
// Threads: one per output row (plane, oh), writing input rows 2oh, 2oh+1 (and the uncovered last row), 64
// per workgroup, tail bounds-checked.
// Bindings: 0 dx [N, C, H, W] read-write (overwritten, or accumulated when p.accumulate != 0);
//           1 dy [N, C, Ho, Wo] read; 2 x [N, C, H, W] read.
layout(local_size_x = 64, local_size_x_id = 0) in;  // rt::Workgroups::pool
layout(std430, binding = 0) buffer DX { float dx[]; };
layout(std430, binding = 1) readonly buffer DY { float dy[]; };
layout(std430, binding = 2) readonly buffer X { float x[]; };
layout(push_constant) uniform Push { uint planes; uint h; uint w; uint ho; uint wo; uint accumulate; uint act; float alpha; } p;

#include "activation.glsl"

void put(uint i, float g) { dx[i] = p.accumulate != 0u ? dx[i] + g : g; }

// g routed through the producer's activation, whose output at the cell is xv (g = 0 stays 0: f' is finite).
float through(float xv, float g) { return p.act == kIdentity ? g : g * activate_derivative(xv, xv, p.act, p.alpha); }

void main() {
  const uint row = gl_GlobalInvocationID.x;  // plane * ho + oh
  if (row >= p.planes * p.ho) return;
  const uint plane = row / p.ho, oh = row - plane * p.ho;
  const uint r0 = 2u * oh;
  const uint rows = min(2u, p.h - r0);
  // The input rows no window covers (at most one: 'valid' pooling of an odd height) belong to the last row.
  const uint rows_written = oh + 1u == p.ho ? p.h - r0 : rows;
  const uint top = (plane * p.h + r0) * p.w;
  const uint full_windows = rows == 2u ? p.w / 2u : 0u;  // windows with all four cells inside the map
  for (uint ow = 0u; ow < full_windows; ++ow) {
    // Straight-line arg-max of the four cells, in row-major order with a strict '>' (first maximum wins).
    const uint i = top + 2u * ow;
    const float v0 = x[i], v1 = x[i + 1u], v2 = x[i + p.w], v3 = x[i + p.w + 1u];
    uint k = 0u;
    float best = v0;
    if (v1 > best) { best = v1; k = 1u; }
    if (v2 > best) { best = v2; k = 2u; }
    if (v3 > best) k = 3u;
    const float g = dy[row * p.wo + ow];
    put(i, k == 0u ? through(v0, g) : 0.0);
    put(i + 1u, k == 1u ? through(v1, g) : 0.0);
    put(i + p.w, k == 2u ? through(v2, g) : 0.0);
    put(i + p.w + 1u, k == 3u ? through(v3, g) : 0.0);
  }
  // Clipped windows: the last column of an odd width ('same'), or the last row of an odd height.
  for (uint ow = full_windows; ow < p.wo; ++ow) {
    const uint c = 2u * ow;
    const uint cols = min(2u, p.w - c);
    uint best_i = top + c;
    float best = x[best_i];
    for (uint rr = 0u; rr < rows; ++rr)
      for (uint cc = 0u; cc < cols; ++cc) {
        const uint i = top + rr * p.w + c + cc;
        const float v = x[i];
        if (v > best) { best = v; best_i = i; }
      }
    const float g = dy[row * p.wo + ow];
    for (uint rr = 0u; rr < rows; ++rr)
      for (uint cc = 0u; cc < cols; ++cc) {
        const uint i = top + rr * p.w + c + cc;
        put(i, i == best_i ? through(x[i], g) : 0.0);
      }
  }
  // Uncovered cells: the column past the last window in each written row, and a row past the last window.
  for (uint rr = 0u; rr < rows_written; ++rr)
    for (uint s = rr < rows ? 2u * p.wo : 0u; s < p.w; ++s) put(top + rr * p.w + s, 0.0);
}
