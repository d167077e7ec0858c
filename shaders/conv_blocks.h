// The register-block sizes of the conv2d / conv_transpose2d shaders, read both by the GLSL (conv.glsl and the
// kernels) and by the host code that sizes their dispatches (nn/ops/conv2d.cpp, conv_transpose2d.cpp), so the
// two cannot disagree. Plain #defines with a `u` suffix: the same text is valid GLSL and C++. What each block
// means is said where it is used (conv.glsl, conv_gather.glsl, conv_transposed_gather.glsl).
#ifndef VKAE_SHADERS_CONV_BLOCKS_H
#define VKAE_SHADERS_CONV_BLOCKS_H

#define VKAE_CONV_LOCAL 64u              // invocations per workgroup of every conv shader
#define VKAE_CONV_CHANNEL_BLOCK 8u       // kCB: channels per invocation (gather kernels)
#define VKAE_CONV_PIXEL_BLOCK 4u         // kPB: pixels per invocation (gather, rows and 1ch kernels)
#define VKAE_CONV_WEIGHT_BLOCK 4u        // kWB: output x input channels of one weight-gradient block
#define VKAE_CONV_ROW_BLOCK 8u           // kRB: output rows per invocation (conv2d_forward_rows.comp)
#define VKAE_CONV_WIDE_PIXELS 8u         // GATHER_PIXELS of conv2d_forward_wide.comp
#define VKAE_CONV_WIDE_ROWS 2u           // and its GATHER_ROWS
#define VKAE_CONV_TRANSPOSED_PIXELS 8u   // kTPB: columns per invocation (conv_transposed_gather.glsl)
#define VKAE_CONV_WGRAD3X3_V_BLOCK 8u    // kA: v-channels per workgroup (conv2d_backward_weight_3x3.comp)
#define VKAE_CONV_WGRAD3X3_U_BLOCK 1u    // kB: u-channels per workgroup (same shader)
// vec4s of the uniform block the *_uniform kernels read weights from: 64 KiB, the maxUniformBufferRange of
// lavapipe and NVIDIA; the host takes those kernels only for weights that fit both this and the device's
// limit (nn::uniform_block_fits).
#define VKAE_CONV_UNIFORM_VEC4S 4096u

#endif
