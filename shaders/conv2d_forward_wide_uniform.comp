#version 450
// As conv2d_forward_wide.comp, with the packed weights in a uniform buffer (taken where they fit one).
// conv2d forward as conv2d_forward.comp, with 8 output pixels per invocation instead of 4: the host takes it
// when the input has >= 8 channels (dev/conv/README.md: ~10 % faster at 32 -> 32, slower at 1 -> 32). Same
// sums, same bits.
// Bindings: 0 y [N, C_out, H_out, W_out] write (overwritten; p.accumulate is 0);
//           1 x [N, C_in, H, W] read; 3 b [C_out] read;
//           2 w packed [C_in, KH, KW, C_pad] uniform buffer
//             (conv2d_pack_weights.comp's copy of w [C_out, C_in, KH, KW]).
#define CONV_BIAS 1
#define GATHER_PACKED_WEIGHTS 2
#define GATHER_PIXELS VKAE_CONV_WIDE_PIXELS
#define GATHER_ROWS VKAE_CONV_WIDE_ROWS
#include "conv.glsl"
#include "conv_gather.glsl"
