// The list behind all_pipelines(). Add each new op's descriptions here.
#include "nn/ops/all_pipelines.hpp"

#include "nn/ops/activation.hpp"
#include "nn/ops/dense.hpp"
#include "nn/ops/loss.hpp"
#include "nn/ops/reduce.hpp"
#include "nn/ops/reparameterize.hpp"

namespace vkae::nn {

std::span<const rt::PipelineDesc* const> all_pipelines() {
  static const rt::PipelineDesc* const kAll[] = {
      &kActivationForward,
      &kActivationBackward,
      &kDenseForward,
      &kDenseBackwardInput,
      &kDenseBackwardParams,
      &kReduceSum,
      &kBceForward,
      &kBceBackward,
      &kMseForward,
      &kMseBackward,
      &kKlForward,
      &kKlBackward,
      &kL1Forward,
      &kL1Backward,
      &kReparameterizeForward,
      &kReparameterizeBackward,
  };
  return kAll;
}

}  // namespace vkae::nn
