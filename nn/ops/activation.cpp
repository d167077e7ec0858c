// Activation op: pipeline descriptions, recording with shape checks, and the CPU reference. The names are
// activation_name.cpp's (no device: the model spec parser uses them).
#include "nn/ops/activation.hpp"

#include <cmath>

namespace vkae::nn {

using rt::Access;

const rt::PipelineDesc kActivationForward{
    "activation_forward", {Access::Write, Access::Read}, sizeof(ActivationPush), {256, 1, 1}};
const rt::PipelineDesc kActivationBackward{"activation_backward",
                                           {Access::ReadWrite, Access::Read, Access::Read, Access::Read},
                                           sizeof(ActivationPush),
                                           {256, 1, 1}};

void record_activation_forward(rt::Recorder& rec, rt::BufferView y, rt::BufferView x, uint64_t count,
                               Activation kind, float alpha) {
  const std::string shape = shape_string({count});
  check_floats("activation_forward", "y", y, count, shape);
  check_floats("activation_forward", "x", x, count, shape);
  const ActivationPush push{static_cast<uint32_t>(count), static_cast<uint32_t>(kind), alpha, 0};
  rec.dispatch(rec.pipeline(kActivationForward), {y, x}, push,
               {rt::groups_for(count, kActivationForward.local.x)});
}

void record_activation_backward(rt::Recorder& rec, rt::BufferView dx, rt::BufferView dy, rt::BufferView x,
                                rt::BufferView y, uint64_t count, Activation kind, float alpha, Grad grad) {
  const std::string shape = shape_string({count});
  check_floats("activation_backward", "dx", dx, count, shape);
  check_floats("activation_backward", "dy", dy, count, shape);
  check_floats("activation_backward", "x", x, count, shape);
  check_floats("activation_backward", "y", y, count, shape);
  const ActivationPush push{static_cast<uint32_t>(count), static_cast<uint32_t>(kind), alpha,
                            static_cast<uint32_t>(grad)};
  rec.dispatch(rec.pipeline(kActivationBackward), {dx, dy, x, y}, push,
               {rt::groups_for(count, kActivationBackward.local.x)});
}

template <typename T>
static T activate_ref(T v, Activation kind, T alpha) {
  switch (kind) {
    case Activation::Relu:
      return v > 0 ? v : T(0);
    case Activation::LeakyRelu:
      return v > 0 ? v : alpha * v;
    case Activation::Sigmoid:
      return T(1) / (T(1) + std::exp(-v));
    case Activation::Tanh:
      return std::tanh(v);
    case Activation::Identity:
      break;
  }
  return v;
}

template <typename T>
void activation_forward_ref(std::span<T> y, std::span<const T> x, Activation kind, T alpha) {
  for (size_t i = 0; i < x.size(); ++i) y[i] = activate_ref(x[i], kind, alpha);
}

template <typename T>
void activation_backward_ref(std::span<T> dx, std::span<const T> dy, std::span<const T> x, Activation kind,
                             T alpha) {
  for (size_t i = 0; i < x.size(); ++i) {
    const T v = x[i];
    const T out = activate_ref(v, kind, alpha);
    T d = 1;
    switch (kind) {
      case Activation::Relu:
        d = v > 0 ? T(1) : T(0);
        break;
      case Activation::LeakyRelu:
        d = v > 0 ? T(1) : alpha;
        break;
      case Activation::Sigmoid:
        d = out * (T(1) - out);
        break;
      case Activation::Tanh:
        d = T(1) - out * out;
        break;
      case Activation::Identity:
        break;
    }
    dx[i] = dy[i] * d;
  }
}

template void activation_forward_ref<float>(std::span<float>, std::span<const float>, Activation, float);
template void activation_forward_ref<double>(std::span<double>, std::span<const double>, Activation, double);
template void activation_backward_ref<float>(std::span<float>, std::span<const float>, std::span<const float>,
                                             Activation, float);
template void activation_backward_ref<double>(std::span<double>, std::span<const double>,
                                              std::span<const double>, Activation, double);

}  // namespace vkae::nn
