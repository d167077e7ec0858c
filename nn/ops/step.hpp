// The step-end op: loss into the metrics ring slot step % slots, then step and batch advance on the GPU.
// No backward (it is bookkeeping); its CPU reference is the three lines in step_end_ref.
#pragma once
#include <cstdint>
#include <span>

#include "nn/step_state.hpp"
#include "runtime/commands.hpp"

namespace vkae::nn {

struct StepEndPush {
  uint32_t slots;
};
static_assert(sizeof(StepEndPush) == 4);

extern const rt::PipelineDesc kStepEnd;

// ring [slots] floats, state: one StepState, loss: 1 float.
void record_step_end(rt::Recorder& rec, rt::BufferView ring, rt::BufferView state, rt::BufferView loss,
                     uint32_t slots);
void step_end_ref(std::span<float> ring, StepState& state, float loss);

}  // namespace vkae::nn
