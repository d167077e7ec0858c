#version 450
// conv_transpose2d forward (Keras Conv2DTranspose): y = f(b + the input-gradient of the conv2d whose input is
// y's shape [N, C_out, H*s, W*s] (TF padding) and whose output is x's [N, C_in, H, W]), f the fused
// activation (push act, alpha); the weight [C_in, C_out, KH, KW] is that conv2d's [C_out', C_in', KH, KW]. The push constants describe that conv2d,
// so in conv_transposed_gather.glsl's names: dx = y, dy = x, C_in = our C_out, C_out = our C_in.
// Threads: see conv_transposed_gather.glsl (8 output channels x 8 same-residue output columns of one row per
// invocation; x = (n, row, column block), y = channel blocks); 64 per workgroup; tail bounds-checked.
// Bindings: 0 y [N, C_out, H_out, W_out] write (overwritten; p.accumulate is 0);
//           1 x [N, C_in, H, W] read; 2 w [C_in, C_out, KH, KW] read; 3 b [C_out] read.
#define CONV_BIAS 1
#include "conv.glsl"
#include "conv_transposed_gather.glsl"
