// Fixed-shape tree sum shared by reduce_sum and the fused loss forwards. The including shader declares
// local_size_x = VKAE_REDUCE_LOCAL (reduce_blocks.h, 256) as specialization constant 0, specialized to
// rt::Workgroups::reduce (a power of two L, 256 unless the device or VKAE_WORKGROUPS says otherwise), and
// defines `float reduce_element(uint i)` before including this file. Thread t of a workgroup adds elements
// first + t, first + t + L, ... in that order; then a shared-memory tree halves L -> L/2 -> ... -> 1. The order depends only on (first, len), never on
// timing or the subgroup size, so the same inputs on the same device give the same bits. No atomics, no
// subgroup ops.
#include "reduce_blocks.h"
const uint kReduceLocal = gl_WorkGroupSize.x;  // a power of two (rt::Workgroups::reduce)
shared float reduce_shared[kReduceLocal];

// Σ reduce_element(i) for i in [first, first + len). Every invocation of the workgroup must call it
// (it contains barriers); the result is returned to all of them.
float reduce_range(uint first, uint len) {
  const uint t = gl_LocalInvocationID.x;
  float s = 0.0;
  for (uint j = t; j < len; j += kReduceLocal) s += reduce_element(first + j);
  reduce_shared[t] = s;
  memoryBarrierShared();
  barrier();
  for (uint stride = kReduceLocal / 2u; stride > 0u; stride >>= 1) {
    if (t < stride) reduce_shared[t] += reduce_shared[t + stride];
    memoryBarrierShared();
    barrier();
  }
  return reduce_shared[0];
}

// Workgroup g sums the span [g * span, min((g + 1) * span, count)) and its thread 0 writes scale * sum to
// out[g]. span = the chunk size for the levels of a whole-tensor sum, or D for one sum per row of [N, D].
#define REDUCE_MAIN(out_array, p)                                         \
  void main() {                                                           \
    const uint g = gl_WorkGroupID.x;                                      \
    const uint first = g * p.span;                                        \
    const uint len = first < p.count ? min(p.span, p.count - first) : 0u; \
    const float s = reduce_range(first, len);                             \
    if (gl_LocalInvocationID.x == 0u) out_array[g] = s * p.scale;         \
  }
