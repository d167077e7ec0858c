// The activations' names as model specs and checkpoints spell them; apart from activation.cpp so that the
// spec parser (and its fuzz target) need no Vulkan pipeline code.
#include "nn/ops/activation.hpp"

namespace vkae::nn {

const char* activation_name(Activation a) noexcept {
  switch (a) {
    case Activation::Identity:
      return "identity";
    case Activation::Relu:
      return "relu";
    case Activation::LeakyRelu:
      return "leaky_relu";
    case Activation::Sigmoid:
      return "sigmoid";
    case Activation::Tanh:
      return "tanh";
  }
  return "?";
}

}  // namespace vkae::nn
