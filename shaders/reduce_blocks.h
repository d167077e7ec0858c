// The width of the tree sum (reduce.glsl): threads per workgroup and the shared array each tree halves, read
// both by the shaders that include reduce.glsl and by their pipeline descriptions (nn/ops/reduce.cpp,
// loss.cpp). Plain #defines with a `u` suffix (valid GLSL and C++).
#ifndef VKAE_SHADERS_REDUCE_BLOCKS_H
#define VKAE_SHADERS_REDUCE_BLOCKS_H

#define VKAE_REDUCE_LOCAL 256u  // a power of two: the tree halves it down to 1

#endif
