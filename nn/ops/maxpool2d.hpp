// 2x2 max pooling with stride 2 (Keras MaxPooling2D(2) semantics, PyTorch NCHW layout): GPU forward/backward
// and the CPU reference. The backward recomputes each window's arg-max from x; on ties the first maximum in
// row-major window order wins (forward and backward agree), so dy goes to exactly one cell per window.
#pragma once
#include <cstdint>
#include <span>

#include "nn/ops/activation.hpp"
#include "nn/ops/common.hpp"
#include "runtime/commands.hpp"

namespace vkae::nn {

// TF/Keras pooling padding: Same gives ceil(H/2) with the extra cell padded at the end (it never wins),
// Valid gives floor(H/2) and drops an odd last row/column.
enum class PoolPadding : uint32_t { Valid = 0, Same = 1 };

struct Maxpool2dShape {
  uint32_t n = 0, c = 0, h = 0, w = 0;  // the input x [N, C, H, W]
  PoolPadding padding = PoolPadding::Same;

  uint32_t out_h() const noexcept { return padding == PoolPadding::Same ? (h + 1) / 2 : h / 2; }
  uint32_t out_w() const noexcept { return padding == PoolPadding::Same ? (w + 1) / 2 : w / 2; }
  uint64_t in_count() const noexcept { return uint64_t{n} * c * h * w; }
  uint64_t out_count() const noexcept { return uint64_t{n} * c * out_h() * out_w(); }
};

struct Maxpool2dPush {
  uint32_t planes;  // N * C
  uint32_t h, w, ho, wo;
  uint32_t accumulate;  // backward only: Grad
  uint32_t act;         // backward only: the activation dx continues through (nn::Activation)
  float alpha;          // its leaky_relu slope
};
static_assert(sizeof(Maxpool2dPush) == 32);

extern const rt::PipelineDesc kMaxpool2dForward;
extern const rt::PipelineDesc kMaxpool2dBackward;

// y [N, C, Ho, Wo] (overwritten) = max over each 2x2 window of x [N, C, H, W].
void record_maxpool2d_forward(rt::Recorder& rec, rt::BufferView y, rt::BufferView x,
                              const Maxpool2dShape& shape);
// dx [N, C, H, W] (=|+=) dy routed to each window's arg-max of x; 0 elsewhere. With `through` set, x is the
// output of a layer with that activation and dx is multiplied by its derivative f'(x): the gradient of that
// layer's pre-activation, which saves it a separate activation-backward pass.
void record_maxpool2d_backward(rt::Recorder& rec, rt::BufferView dx, rt::BufferView dy, rt::BufferView x,
                               const Maxpool2dShape& shape, Grad grad = Grad::Overwrite,
                               FusedActivation through = {});

template <typename T>
void maxpool2d_forward_ref(std::span<T> y, std::span<const T> x, const Maxpool2dShape& shape);
// Overwrites dx.
template <typename T>
void maxpool2d_backward_ref(std::span<T> dx, std::span<const T> dy, std::span<const T> x,
                            const Maxpool2dShape& shape);

}  // namespace vkae::nn
