#version 450
// Nearest-neighbour upsampling by 2 (Keras UpSampling2D(2)), NCHW: y[n,c,r,s] = x[n,c,r/2,s/2].
// Threads: one per input row R = (n*C + c)*H + h, looping over its W values; input row R becomes output rows
// 2R and 2R+1 (2H rows per plane), so no index needs a division (llvmpipe divides lane by lane:
// dev/pool/README.md). 64 per workgroup, tail bounds-checked.
// Bindings: 0 y [N, C, 2H, 2W] write (overwritten); 1 x [N, C, H, W] read.
layout(local_size_x = 64, local_size_x_id = 0) in;  // rt::Workgroups::pool
layout(std430, binding = 0) writeonly buffer Y { float y[]; };
layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(push_constant) uniform Push { uint planes; uint h; uint w; uint accumulate; uint act; float alpha; uint pad0, pad1; } p;

void main() {
  const uint row = gl_GlobalInvocationID.x;
  if (row >= p.planes * p.h) return;
  const uint wo = 2u * p.w, out0 = 2u * row * wo;
  for (uint s = 0u; s < p.w; ++s) {
    const float v = x[row * p.w + s];
    y[out0 + 2u * s] = v;
    y[out0 + 2u * s + 1u] = v;
    y[out0 + wo + 2u * s] = v;
    y[out0 + wo + 2u * s + 1u] = v;
  }
}
