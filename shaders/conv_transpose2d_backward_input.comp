#version 450
// conv_transpose2d input gradient: dx = conv2d(dy, w) without bias, the forward pass of the conv2d that
// conv_transpose2d is the adjoint of (push constants describe that conv2d: its x is our dy
// [N, C_out, H_out, W_out], its y is our dx [N, C_in, H, W], its weight [C_out', C_in', KH, KW] is ours
// [C_in, C_out, KH, KW]). The weight and bias gradients reuse conv2d_backward_weight / _bias.
// Threads: see conv_gather.glsl (8 channels x 4 consecutive pixels of one row of dx per invocation;
// x = (n, row, pixel block), y = channel blocks); 64 per workgroup; tail rows/channels not stored.
// Bindings: 0 dx [N, C_in, H, W] read-write (overwritten, or accumulated when p.accumulate != 0);
//           1 dy [N, C_out, H_out, W_out] read; 2 w [C_in, C_out, KH, KW] read.
#define CONV_BIAS 0
#include "conv.glsl"
#include "conv_gather.glsl"
