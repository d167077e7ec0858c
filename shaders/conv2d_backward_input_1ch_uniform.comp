#version 450
// conv2d_backward_input_1ch_uniform: see conv_backward_input_1ch.glsl. w read from a uniform buffer (taken
// where w fits the uniform block).
// Bindings: 0 dx [N, C_in, H, W] read-write (overwritten, or accumulated when p.accumulate != 0);
//           1 dy [N, 1, H_out, W_out] read; 2 w [1, C_in, 3, 3] uniform.
#define CONV_BIAS 0
#define ONE_CH_UNIFORM 1
#include "conv.glsl"
#include "conv_backward_input_1ch.glsl"
