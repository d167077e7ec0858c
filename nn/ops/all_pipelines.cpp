// The list behind all_pipelines(). Add each new op's descriptions here.
#include "nn/ops/all_pipelines.hpp"

#include "nn/ops/activation.hpp"
#include "nn/ops/conv2d.hpp"
#include "nn/ops/conv2d_pack.hpp"
#include "nn/ops/conv_transpose2d.hpp"
#include "nn/ops/data.hpp"
#include "nn/ops/dense.hpp"
#include "nn/ops/finite_check.hpp"
#include "nn/ops/loss.hpp"
#include "nn/ops/maxpool2d.hpp"
#include "nn/ops/optimizer.hpp"
#include "nn/ops/reduce.hpp"
#include "nn/ops/reparameterize.hpp"
#include "nn/ops/step.hpp"
#include "nn/ops/upsample2d.hpp"

namespace vkae::nn {

std::span<const rt::PipelineDesc* const> all_pipelines() {
  static const rt::PipelineDesc* const kAll[] = {
      &kActivationForward,
      &kActivationBackward,
      &kStepEnd,
      &kFiniteCheck,
      &kMaxpool2dForward,
      &kMaxpool2dBackward,
      &kUpsample2dForward,
      &kUpsample2dBackward,
      &kGatherForward,
      &kNoiseForward,
      &kDownscale2xForward,
      &kAdamStep,
      &kSgdStep,
      &kSgdMomentumStep,
      &kConv2dForward,
      &kConv2dForwardRows,
      &kConv2dForward1ch,
      &kConv2dForward1chUniform,
      &kConv2dForwardWide,
      &kConv2dForwardWideUniform,
      &kConv2dForwardUniform,
      &kConv2dPackWeights,
      &kConv2dBackwardInput,
      &kConv2dBackwardInputUniform,
      &kConv2dBackwardInput1ch,
      &kConv2dBackwardInput1chUniform,
      &kConv2dBackwardWeight,
      &kConv2dBackwardWeight3x3,
      &kConv2dBackwardWeight3x3Vec4,
      &kConv2dBackwardBias,
      &kConvTranspose2dForward,
      &kConvTranspose2dBackwardInput,
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
