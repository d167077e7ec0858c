// Binding 2 of the gather kernels (conv_gather.glsl, conv_transposed_gather.glsl), the weights, as the
// includer's GATHER_PACKED_WEIGHTS says: 0 the plain floats w[]; 1 conv2d_pack_weights.comp's copy as
// vec4s in a storage buffer; 2 the same copy in a uniform buffer (bound so only where it fits the block).
#if GATHER_PACKED_WEIGHTS == 2
// The same copy as a uniform buffer: llvmpipe reads it with a branch-free gather, where every storage-buffer
// load is a loop over the SIMD lanes with a bounds test each (dev/conv/README.md, fwd_08: 1.2x); a GPU
// reads weights that all lanes share through its constant cache.
layout(std140, binding = 2) uniform Wt { vec4 w4[VKAE_CONV_UNIFORM_VEC4S]; };
#elif GATHER_PACKED_WEIGHTS
layout(std430, binding = 2) readonly buffer Wt { vec4 w4[]; };
#else
layout(std430, binding = 2) readonly buffer Wt { float w[]; };
#endif
