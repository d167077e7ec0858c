// Shared by every conv2d / conv_transpose2d shader: the push constants (nn::ConvPush) and the block sizes the
// host wrappers dispatch for (defined once in conv_blocks.h, which nn/ops/conv2d.cpp includes too). Shapes
// are those of the conv2d whose forward, input gradient or weight gradient the shader computes:
// x [N, C_in, H, W], w [C_out, C_in, KH, KW], y [N, C_out, H_out, W_out]; TF padding already resolved into
// pad_top/pad_left.
#extension GL_EXT_control_flow_attributes : require  // [[unroll]] on the register-block loops
#include "activation.glsl"  // the forward shaders end in y = f(conv + b)
#include "conv_blocks.h"

layout(push_constant) uniform Push {
  uint N, C_in, H, W;
  uint C_out, KH, KW, stride;
  uint H_out, W_out, pad_top, pad_left;
  uint accumulate;  // 1: add into the output (Grad::Accumulate)
  uint variant;  // shader-specific switch, 0 unless a shader says otherwise
  uint n_first;  // first image of this dispatch's slice of the batch (shaders that split N), else 0
  uint act;  // forward shaders: the activation applied to conv + bias (activation.glsl kinds), else 0
  float alpha;  // its leaky_relu slope
  uint pad2;
} p;

// No kLocal here: a kernel that needs its width reads gl_WorkGroupSize.x *after* its local_size layout (before
// it, glslang folds gl_WorkGroupSize to 1 without a word), which the kernels including this file declare later.
const uint kCB = VKAE_CONV_CHANNEL_BLOCK;  // channels per invocation (gather kernels)
const uint kPB = VKAE_CONV_PIXEL_BLOCK;  // pixels per invocation (gather kernels); the accumulators are vec4s
const uint kWB = VKAE_CONV_WEIGHT_BLOCK;  // output x input channels of one weight-gradient block
