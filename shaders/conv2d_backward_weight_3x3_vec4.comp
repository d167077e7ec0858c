#version 450
// conv2d weight gradient of a 3x3, stride-1 conv ('same' or 'valid'), v and u read as vec4s (a quarter of the
// loads; the same products in the same order as conv2d_backward_weight_3x3.comp, so the same bits): see
// conv_wgrad3x3.glsl. The host takes it when both are whole vec4s (sizes multiples of 16 bytes).
// Bindings: 0 dw [C_out, C_in, 3, 3] read-write (overwritten, or accumulated when p.accumulate != 0);
//           1 v [N, Cv, Hv, Wv] read; 2 u [N, Cu, Hu, Wu] read (the host binds dy and x in this order).
#define WGRAD_VEC4 1
#include "conv_wgrad3x3.glsl"
