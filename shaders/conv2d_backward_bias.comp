#version 450
// Per-channel sum, the bias gradient of conv2d (db = sum of dy over n and pixels) and of conv_transpose2d.
// Threads: one workgroup of 64 per channel c (gl_WorkGroupID.x); invocation t adds elements t, t+64, ... of
// each image's plane in order, then a fixed shared-memory tree adds the 64 partial sums (deterministic).
// Bindings: 0 sum [C] read-write (overwritten, or accumulated when p.accumulate != 0);
//           1 data [N, C, HW] read.
#include "conv_blocks.h"
layout(local_size_x = VKAE_CONV_LOCAL, local_size_x_id = 0) in;  // rt::Workgroups::conv
layout(std430, binding = 0) buffer Sum { float sum[]; };
layout(std430, binding = 1) readonly buffer Data { float data[]; };
layout(push_constant) uniform Push { uint N, C, HW, accumulate; } p;

const uint kLocal = gl_WorkGroupSize.x;  // a power of two (rt::Workgroups): the tree halves it
shared float partial[kLocal];

void main() {
  const uint t = gl_LocalInvocationID.x, c = gl_WorkGroupID.x;
  float acc = 0.0;
  for (uint n = 0u; n < p.N; ++n) {
    const uint plane = (n * p.C + c) * p.HW;
    for (uint i = t; i < p.HW; i += kLocal) acc += data[plane + i];
  }
  partial[t] = acc;
  barrier();
  for (uint half_ = kLocal / 2u; half_ > 0u; half_ /= 2u) {
    if (t < half_) partial[t] += partial[t + half_];
    barrier();
  }
  if (t == 0u) sum[c] = p.accumulate != 0u ? sum[c] + partial[0] : partial[0];
}
