#version 450
// As conv2d_backward_input.comp, with the packed weights in a uniform buffer (taken where they fit one).
// conv2d input gradient: dx[n,ci,ih,iw] = sum over co, kh, kw of w[co,ci,kh,kw] * dy[n,co,oh,ow] with
// oh*stride - pad_top + kh = ih (and likewise for columns); zero padding contributes nothing.
// Threads: see conv_transposed_gather.glsl (kCB = 8 input channels x kTPB = 8 same-residue columns of a row
// per invocation; x = (n, row, column block), y = channel blocks); 64 per workgroup; tail bounds-checked.
// Bindings: 0 dx [N, C_in, H, W] read-write (overwritten, or accumulated when p.accumulate != 0);
//           1 dy [N, C_out, H_out, W_out] read;
//           2 w packed [C_out, KH, KW, C_in padded] uniform buffer
//             (conv2d_pack_weights.comp, variant 1).
#define CONV_BIAS 0
#define GATHER_PACKED_WEIGHTS 2
#include "conv.glsl"
#include "conv_transposed_gather.glsl"
