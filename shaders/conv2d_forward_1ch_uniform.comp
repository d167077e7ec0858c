#version 450
// conv2d_forward_1ch_uniform: see conv_forward_1ch.glsl. w and b read from uniform buffers
// (taken where w fits the uniform block).
// Bindings: 0 y [N, C_out, H_out, W_out] write (overwritten); 1 x [N, 1, H, W] read;
//           2 w [C_out, 1, 3, 3] uniform; 3 b [C_out] uniform.
#define CONV_BIAS 1
#define ONE_CH_UNIFORM 1
#include "conv.glsl"
#include "conv_forward_1ch.glsl"
