#version 450
// 2x2 max pooling, stride 2, NCHW. Window (oh, ow) covers rows 2oh..2oh+1 and columns 2ow..2ow+1 of x,
// clipped to the map: 'same' (Ho = ceil(H/2)) pads only at the end, 'valid' (Ho = floor(H/2)) never
// reaches past the map, so one clipped loop serves both and a padded cell can never win (TF/Keras).
// Threads: one per output row (plane, oh), looping over its Wo windows, 64 per workgroup, tail
// bounds-checked. A row per invocation costs one integer division instead of three per element (llvmpipe
// divides lane by lane: dev/pool/README.md).
// Bindings: 0 y [N, C, Ho, Wo] write (overwritten); 1 x [N, C, H, W] read.
layout(local_size_x = 64, local_size_x_id = 0) in;  // rt::Workgroups::pool
layout(std430, binding = 0) writeonly buffer Y { float y[]; };
layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(push_constant) uniform Push { uint planes; uint h; uint w; uint ho; uint wo; uint accumulate; uint act; float alpha; } p;

void main() {
  const uint row = gl_GlobalInvocationID.x;  // plane * ho + oh
  if (row >= p.planes * p.ho) return;
  const uint plane = row / p.ho, oh = row - plane * p.ho;
  const uint top = (plane * p.h + 2u * oh) * p.w;
  const bool two_rows = 2u * oh + 1u < p.h;
  for (uint ow = 0u; ow < p.wo; ++ow) {
    const uint c = 2u * ow;
    const bool two_cols = c + 1u < p.w;
    // Row-major window order with a strict '>' keeps the first maximum, matching the backward's arg-max.
    // (Explicit '>' rather than max(): max() may return either of +0/-0 and leaves NaN undefined.)
    float best = x[top + c];
    if (two_cols) { const float v = x[top + c + 1u]; if (v > best) best = v; }
    if (two_rows) {
      const float v = x[top + p.w + c];
      if (v > best) best = v;
      if (two_cols) { const float u = x[top + p.w + c + 1u]; if (u > best) best = u; }
    }
    y[row * p.wo + ow] = best;
  }
}
