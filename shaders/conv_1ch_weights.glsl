// The 1-channel kernels' reads of w (and, with CONV_BIAS, b): storage buffers, or with ONE_CH_UNIFORM 1
// uniform buffers, which llvmpipe reads with a branch-free gather instead of a loop over the SIMD lanes
// (dev/conv/README.md, fwd1ch_01: 1.57x); the host takes that twin where w fits the uniform block
// (nn::uniform_block_fits). Float i of a uniform block is component i % 4 of vec4 i / 4 (std140 packs vec4s).
#ifndef ONE_CH_UNIFORM
#define ONE_CH_UNIFORM 0
#endif
#if ONE_CH_UNIFORM
layout(std140, binding = 2) uniform Wt { vec4 w4[VKAE_CONV_UNIFORM_VEC4S]; };
float w_at(uint i) { return w4[i >> 2u][i & 3u]; }
#if CONV_BIAS
layout(std140, binding = 3) uniform Bias { vec4 b4[VKAE_CONV_UNIFORM_VEC4S]; };
float b_at(uint i) { return b4[i >> 2u][i & 3u]; }
#endif
#else
layout(std430, binding = 2) readonly buffer Wt { float w[]; };
float w_at(uint i) { return w[i]; }
#if CONV_BIAS
layout(std430, binding = 3) readonly buffer Bias { float b[]; };
float b_at(uint i) { return b[i]; }
#endif
#endif
