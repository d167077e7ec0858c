// The conv2d gather kernels' copies of the weights (shaders/conv2d_pack_weights.comp): w [C_out, C_in, KH,
// KW] rearranged so that the kCB (8) channels a gather invocation needs at one tap are consecutive and
// 16-byte aligned, read as two vec4 loads instead of eight float loads (on lavapipe a load costs the same
// whatever its width: dev/conv/README.md, fwd_07). A pure copy: the kernels' sums do not change a bit.
#pragma once
#include <cstdint>
#include <span>

#include "nn/ops/conv2d.hpp"

namespace vkae::nn {

enum class WeightPacking : uint32_t {
  Forward = 0,    // [C_in, KH, KW, C_out padded]: conv_gather.glsl, the forward
  InputGrad = 1,  // [C_out, KH, KW, C_in padded]: conv_transposed_gather.glsl, the input gradient
};

extern const rt::PipelineDesc kConv2dPackWeights;  // packed, w

// Floats of the packed copy: the channels that vary fastest are rounded up to the channel block (zeros).
uint64_t conv2d_packed_floats(const Conv2dShape& s, WeightPacking k) noexcept;

// Whether the gather kernels read this packed copy from a uniform buffer (their *_uniform pipelines): it fits
// the shaders' uniform block (VKAE_CONV_UNIFORM_VEC4S) and the device's maxUniformBufferRange; else from a
// storage buffer. The same products in the same order either way.
bool conv2d_uniform_weights(const Conv2dShape& s, WeightPacking k,
                            const VkPhysicalDeviceLimits& limits) noexcept;

// packed (its first conv2d_packed_floats floats, overwritten) = w rearranged as k says. Returns that view.
rt::BufferView record_conv2d_pack_weights(rt::Recorder& rec, std::string_view op, rt::BufferView packed,
                                          rt::BufferView w, const Conv2dShape& s, WeightPacking k);

template <typename T>
void conv2d_pack_weights_ref(std::span<T> packed, std::span<const T> w, const Conv2dShape& s,
                             WeightPacking k);

}  // namespace vkae::nn
