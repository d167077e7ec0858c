#version 450
// As conv2d_forward.comp, with the packed weights in a uniform buffer (taken where they fit one).
// conv2d forward: y = f(conv(x, w) + b), f the fused activation (push act, alpha); TF 'same'/'valid'
// padding resolved by the host (ConvPush).
// Threads: see conv_gather.glsl (kCB = 8 output channels x kPB = 4 output pixels of one row per invocation;
// x = (n, row, pixel block), y = channel blocks); 64 per workgroup; tail rows/channels computed on clamped
// indices and not stored.
// Bindings: 0 y [N, C_out, H_out, W_out] write (overwritten; p.accumulate is 0);
//           1 x [N, C_in, H, W] read; 3 b [C_out] read;
//           2 w packed [C_in, KH, KW, C_pad] uniform buffer
//             (conv2d_pack_weights.comp's copy of w [C_out, C_in, KH, KW]).
#define CONV_BIAS 1
#define GATHER_PACKED_WEIGHTS 2
#include "conv.glsl"
#include "conv_gather.glsl"
