#version 450
// conv2d_backward_input_1ch: see conv_backward_input_1ch.glsl. w read from a storage buffer (the host's
// choice where w is past the uniform block).
// Bindings: 0 dx [N, C_in, H, W] read-write (overwritten, or accumulated when p.accumulate != 0);
//           1 dy [N, 1, H_out, W_out] read; 2 w [1, C_in, 3, 3] read.
#define CONV_BIAS 0
#include "conv.glsl"
#include "conv_backward_input_1ch.glsl"
