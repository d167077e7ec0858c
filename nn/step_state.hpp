// Host mirror of shaders/step_state.glsl: the small device buffer holding what changes from step to step.
#pragma once
#include <cstdint>

#include "nn/train/defaults.hpp"

namespace vkae::nn {

struct StepState {
  uint32_t step = 0;     // optimizer steps completed before this one (Adam's t is step + 1)
  uint32_t batch = 0;    // index of this batch in the epoch's permutation
  uint32_t seed_lo = 0;  // run seed (RNG key)
  uint32_t seed_hi = 0;
  float lr = kDefaultLr;
  float noise = kDefaultNoise;
  uint32_t epoch = 0;
  uint32_t halted = 0;  // set on the GPU by finite_check once a step went non-finite; optimizers skip
  // Data parallel (nn/parallel): this rank's batch is images [image_offset, image_offset + n) of the step's
  // global batch of batch_stride images (0: n, one rank). The gather and every random draw use the global
  // position, so a global batch gives the same inputs on 1 or N ranks.
  uint32_t image_offset = 0;
  uint32_t batch_stride = 0;
  uint32_t reserved[6] = {};

  uint64_t seed() const noexcept { return (uint64_t{seed_hi} << 32) | seed_lo; }
  void set_seed(uint64_t s) noexcept {
    seed_lo = static_cast<uint32_t>(s);
    seed_hi = static_cast<uint32_t>(s >> 32);
  }
};
static_assert(sizeof(StepState) == 64, "must match shaders/step_state.glsl");

}  // namespace vkae::nn
