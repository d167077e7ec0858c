#version 450
// conv2d forward as conv2d_forward.comp, with 8 output pixels of 2 rows per invocation instead of 4 of one:
// the host takes it when the input has >= 8 channels (dev/conv/README.md: 8 pixels ~10 % faster at 32 -> 32,
// slower at 1 -> 32; 2 rows, fwd_12, 1.11x at 14 x 14, even at 7 x 7). Same sums, same bits.
// Bindings: 0 y [N, C_out, H_out, W_out] write (overwritten; p.accumulate is 0);
//           1 x [N, C_in, H, W] read; 3 b [C_out] read;
//           2 w packed [C_in, KH, KW, C_pad] read (conv2d_pack_weights.comp's copy of w [C_out, C_in, KH, KW]).
#define CONV_BIAS 1
#define GATHER_PACKED_WEIGHTS 1
#define GATHER_PIXELS VKAE_CONV_WIDE_PIXELS
#define GATHER_ROWS VKAE_CONV_WIDE_ROWS
#include "conv.glsl"
#include "conv_gather.glsl"
