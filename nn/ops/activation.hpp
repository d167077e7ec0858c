// Elementwise activations (identity, relu, leaky_relu, sigmoid, tanh): GPU forward/backward and the CPU
// reference. Backward reads both x and y so sigmoid/tanh take their derivative from the saved output.
#pragma once
#include <cstdint>
#include <span>

#include "nn/ops/common.hpp"
#include "runtime/commands.hpp"

namespace vkae::nn {

enum class Activation : uint32_t { Identity = 0, Relu = 1, LeakyRelu = 2, Sigmoid = 3, Tanh = 4 };

const char* activation_name(Activation a) noexcept;

// An activation applied by the op that produces its input (conv2d, conv_transpose2d, dense forward): the
// op writes y = f(op(x) + b) straight from its registers, so the pre-activation never goes to memory. Every
// derivative can be taken from y alone (relu and leaky_relu with alpha >= 0: y > 0 exactly when x > 0), which
// is why the backward pass needs no saved pre-activation.
struct FusedActivation {
  Activation kind = Activation::Identity;
  float alpha = 0.0f;  // leaky_relu slope
};

struct ActivationPush {
  uint32_t count;
  uint32_t kind;
  float alpha;          // leaky_relu slope for x < 0
  uint32_t accumulate;  // backward only: Grad
};
static_assert(sizeof(ActivationPush) == 16);

extern const rt::PipelineDesc kActivationForward;
extern const rt::PipelineDesc kActivationBackward;

// y[count] = f(x[count]) (overwritten).
void record_activation_forward(rt::Recorder& rec, rt::BufferView y, rt::BufferView x, uint64_t count,
                               Activation kind, float alpha = 0.3f);
// dx[count] (=|+=) dy * f'(x), with y = f(x) as saved by the forward pass.
void record_activation_backward(rt::Recorder& rec, rt::BufferView dx, rt::BufferView dy, rt::BufferView x,
                                rt::BufferView y, uint64_t count, Activation kind, float alpha = 0.3f,
                                Grad grad = Grad::Overwrite);

template <typename T>
void activation_forward_ref(std::span<T> y, std::span<const T> x, Activation kind, T alpha);
template <typename T>
void activation_backward_ref(std::span<T> dx, std::span<const T> dy, std::span<const T> x, Activation kind,
                             T alpha);

}  // namespace vkae::nn
