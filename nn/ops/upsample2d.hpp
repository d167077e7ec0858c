// Nearest-neighbour upsampling by 2 (Keras UpSampling2D(2), PyTorch NCHW layout): GPU forward/backward and
// the CPU reference. The backward sums each 2x2 block of dy.
#pragma once
#include <cstdint>
#include <span>

#include "nn/ops/activation.hpp"
#include "nn/ops/common.hpp"
#include "runtime/commands.hpp"

namespace vkae::nn {

struct Upsample2dShape {
  uint32_t n = 0, c = 0, h = 0, w = 0;  // the input x [N, C, H, W]; y is [N, C, 2H, 2W]

  uint64_t in_count() const noexcept { return uint64_t{n} * c * h * w; }
  uint64_t out_count() const noexcept { return 4 * in_count(); }
};

struct Upsample2dPush {
  uint32_t planes;  // N * C
  uint32_t h, w;
  uint32_t accumulate;  // backward only: Grad
  uint32_t act;         // backward only: the activation dx continues through (nn::Activation)
  float alpha;          // its leaky_relu slope
  uint32_t pad0, pad1;
};
static_assert(sizeof(Upsample2dPush) == 32);

extern const rt::PipelineDesc kUpsample2dForward;
extern const rt::PipelineDesc kUpsample2dBackward;

// y [N, C, 2H, 2W] (overwritten) = x [N, C, H, W] repeated over 2x2 blocks.
void record_upsample2d_forward(rt::Recorder& rec, rt::BufferView y, rt::BufferView x,
                               const Upsample2dShape& shape);
// dx [N, C, H, W] (=|+=) the sum of each 2x2 block of dy [N, C, 2H, 2W].
void record_upsample2d_backward(rt::Recorder& rec, rt::BufferView dx, rt::BufferView dy,
                                const Upsample2dShape& shape, Grad grad = Grad::Overwrite);
// The same, continuing through the activation `through` of the layer whose output x [N, C, H, W] is this
// op's input: dx is multiplied by f'(x), the gradient of that layer's pre-activation.
void record_upsample2d_backward(rt::Recorder& rec, rt::BufferView dx, rt::BufferView dy, rt::BufferView x,
                                const Upsample2dShape& shape, FusedActivation through,
                                Grad grad = Grad::Overwrite);

template <typename T>
void upsample2d_forward_ref(std::span<T> y, std::span<const T> x, const Upsample2dShape& shape);
// Overwrites dx.
template <typename T>
void upsample2d_backward_ref(std::span<T> dx, std::span<const T> dy, const Upsample2dShape& shape);

}  // namespace vkae::nn
