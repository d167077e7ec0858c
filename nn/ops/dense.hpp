// Dense (fully connected) layer: y [N, D_out] = x [N, D_in] · Wᵀ + b with W in PyTorch layout [D_out, D_in].
// GPU forward and backward (register-blocked: each invocation owns a 8x8 block of outputs) and the CPU
// reference. The backward is split in two so the first layer can skip dx and each output has its own Grad.
#pragma once
#include <cstdint>
#include <span>

#include "nn/ops/activation.hpp"
#include "nn/ops/common.hpp"
#include "runtime/commands.hpp"

namespace vkae::nn {

struct DenseShape {
  uint64_t n = 0;      // batch
  uint64_t d_in = 0;   // input features
  uint64_t d_out = 0;  // output features
};

struct DensePush {
  uint32_t n;
  uint32_t d_in;
  uint32_t d_out;
  uint32_t accumulate;  // backward only: Grad
  uint32_t act;         // forward only: the fused activation (nn::Activation)
  float alpha;          // its leaky_relu slope
  uint32_t pad0, pad1;
};
static_assert(sizeof(DensePush) == 32);

extern const rt::PipelineDesc kDenseForward;
extern const rt::PipelineDesc kDenseBackwardInput;
extern const rt::PipelineDesc kDenseBackwardParams;

// y[N, D_out] = f(x[N, D_in] · W[D_out, D_in]ᵀ + b[D_out]) (overwritten), f the fused activation.
void record_dense_forward(rt::Recorder& rec, rt::BufferView y, rt::BufferView x, rt::BufferView w,
                          rt::BufferView b, const DenseShape& s, FusedActivation f = {});
// dx[N, D_in] (=|+=) dy[N, D_out] · W[D_out, D_in].
void record_dense_backward_input(rt::Recorder& rec, rt::BufferView dx, rt::BufferView dy, rt::BufferView w,
                                 const DenseShape& s, Grad grad = Grad::Overwrite);
// dW[D_out, D_in] (=|+=) dyᵀ · x and db[D_out] (=|+=) Σ_n dy[n, :], summed over n in order.
void record_dense_backward_params(rt::Recorder& rec, rt::BufferView dw, rt::BufferView db, rt::BufferView dy,
                                  rt::BufferView x, const DenseShape& s, Grad grad = Grad::Overwrite);
// Both of the above; dx may be an empty view (the first layer needs no input gradient).
void record_dense_backward(rt::Recorder& rec, rt::BufferView dx, rt::BufferView dw, rt::BufferView db,
                           rt::BufferView dy, rt::BufferView x, rt::BufferView w, const DenseShape& s,
                           Grad dx_grad = Grad::Overwrite, Grad param_grad = Grad::Overwrite);

// References: plain loops, double accumulation. The backward overwrites dx (unless empty), dw and db.
template <typename T>
void dense_forward_ref(std::span<T> y, std::span<const T> x, std::span<const T> w, std::span<const T> b,
                       const DenseShape& s);
template <typename T>
void dense_backward_ref(std::span<T> dx, std::span<T> dw, std::span<T> db, std::span<const T> dy,
                        std::span<const T> x, std::span<const T> w, const DenseShape& s);

}  // namespace vkae::nn
