#version 450
// conv2d_forward_1ch: see conv_forward_1ch.glsl. w and b read from storage buffers (the host's choice where
// w is past the uniform block).
// Bindings: 0 y [N, C_out, H_out, W_out] write (overwritten); 1 x [N, 1, H, W] read;
//           2 w [C_out, 1, 3, 3] read; 3 b [C_out] read.
#define CONV_BIAS 1
#include "conv.glsl"
#include "conv_forward_1ch.glsl"
