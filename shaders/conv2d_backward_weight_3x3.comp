#version 450
// conv2d weight gradient of a 3x3, stride-1 conv ('same' or 'valid'), v and u read as floats: what it computes
// and the thread mapping are in conv_wgrad3x3.glsl. The host takes it when v or u is not whole vec4s.
// Bindings: 0 dw [C_out, C_in, 3, 3] read-write (overwritten, or accumulated when p.accumulate != 0);
//           1 v [N, Cv, Hv, Wv] read; 2 u [N, Cu, Hu, Wu] read (the host binds dy and x in this order).
#define WGRAD_VEC4 0
#include "conv_wgrad3x3.glsl"
