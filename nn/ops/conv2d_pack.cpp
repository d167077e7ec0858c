// The gather kernels' weight copies: pipeline, recording with its checks, and the CPU reference.
#include "nn/ops/conv2d_pack.hpp"

#include <string>

#include "shaders/conv_blocks.h"

namespace vkae::nn {

const rt::PipelineDesc kConv2dPackWeights{
    "conv2d_pack_weights", {rt::Access::Write, rt::Access::Read}, sizeof(ConvPush), {256, 1, 1}};

namespace {

constexpr uint32_t kChannelBlock = VKAE_CONV_CHANNEL_BLOCK;

// The outer (slowest) and inner (fastest, padded) channel counts of layout k.
uint32_t outer_channels(const Conv2dShape& s, WeightPacking k) {
  return k == WeightPacking::Forward ? s.C_in : s.C_out;
}
uint32_t inner_channels(const Conv2dShape& s, WeightPacking k) {
  return k == WeightPacking::Forward ? s.C_out : s.C_in;
}
uint32_t padded(uint32_t c) {
  return (c + kChannelBlock - 1) / kChannelBlock * kChannelBlock;
}

}  // namespace

uint64_t conv2d_packed_floats(const Conv2dShape& s, WeightPacking k) noexcept {
  return uint64_t{outer_channels(s, k)} * s.KH * s.KW * padded(inner_channels(s, k));
}

bool conv2d_uniform_weights(const Conv2dShape& s, WeightPacking k,
                            const VkPhysicalDeviceLimits& limits) noexcept {
  return uniform_block_fits(conv2d_packed_floats(s, k) * sizeof(float), limits);
}

rt::BufferView record_conv2d_pack_weights(rt::Recorder& rec, std::string_view op, rt::BufferView packed,
                                          rt::BufferView w, const Conv2dShape& s, WeightPacking k) {
  const uint64_t floats = conv2d_packed_floats(s, k);
  check_floats(op, "scratch", packed, floats, s.str());
  check_floats(op, "w", w, s.w_count(), s.str());
  const rt::BufferView out = packed.sub(0, floats * sizeof(float));
  ConvPush push = make_conv_push(s, Grad::Overwrite);
  push.variant = static_cast<uint32_t>(k);
  const rt::Pipeline& pack = rec.pipeline(kConv2dPackWeights);
  rec.dispatch(pack, {out, w}, push, {rt::groups_for(floats, pack.local().x)});
  return out;
}

template <typename T>
void conv2d_pack_weights_ref(std::span<T> packed, std::span<const T> w, const Conv2dShape& s,
                             WeightPacking k) {
  const uint32_t taps = s.KH * s.KW, pad = padded(inner_channels(s, k));
  for (uint32_t b = 0; b < outer_channels(s, k); ++b)
    for (uint32_t t = 0; t < taps; ++t)
      for (uint32_t a = 0; a < pad; ++a) {
        const uint32_t co = k == WeightPacking::Forward ? a : b, ci = k == WeightPacking::Forward ? b : a;
        const bool real = a < inner_channels(s, k);
        packed[(uint64_t{b} * taps + t) * pad + a] = real ? w[(uint64_t{co} * s.C_in + ci) * taps + t] : T(0);
      }
}

template void conv2d_pack_weights_ref<float>(std::span<float>, std::span<const float>, const Conv2dShape&,
                                             WeightPacking);
template void conv2d_pack_weights_ref<double>(std::span<double>, std::span<const double>, const Conv2dShape&,
                                              WeightPacking);

}  // namespace vkae::nn
