// The list behind all_pipelines(). Add each new op's descriptions here.
#include "nn/ops/all_pipelines.hpp"

#include "nn/ops/activation.hpp"
#include "nn/ops/step.hpp"

namespace vkae::nn {

std::span<const rt::PipelineDesc* const> all_pipelines() {
  static const rt::PipelineDesc* const kAll[] = {
      &kActivationForward,
      &kActivationBackward,
      &kStepEnd,
  };
  return kAll;
}

}  // namespace vkae::nn
