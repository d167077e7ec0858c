// The register blocking of the dense shaders (dense.glsl) and their workgroup size, read both by the GLSL and
// by nn/ops/dense.cpp, which sizes the dispatches: one definition, so the two cannot disagree. Plain #defines
// with a `u` suffix (valid GLSL and C++).
#ifndef VKAE_SHADERS_DENSE_BLOCKS_H
#define VKAE_SHADERS_DENSE_BLOCKS_H

#define VKAE_DENSE_LOCAL 64u      // invocations per workgroup
#define VKAE_DENSE_ROW_BLOCK 8u   // kBM: rows of the product per invocation
#define VKAE_DENSE_COL_BLOCK 8u   // kBN: columns of the product per invocation

#endif
