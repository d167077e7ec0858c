// The step-end op: loss into the metrics ring slot step % slots, then step and batch advance on the GPU and
// the next step's learning rate comes from the epoch's table. No backward (it is bookkeeping); its CPU
// reference is the few lines in step_end_ref.
#pragma once
#include <cstdint>
#include <span>

#include "nn/step_state.hpp"
#include "runtime/commands.hpp"

namespace vkae::nn {

struct StepEndPush {
  uint32_t slots;
  uint32_t lr_count;
};
static_assert(sizeof(StepEndPush) == 8);

extern const rt::PipelineDesc kStepEnd;

// ring [slots] floats, state: one StepState, loss: 1 float, lrs [lr_count] floats: the learning rate of
// each batch of the epoch (state.lr = lrs[batch] after the advance, while batch < lr_count).
void record_step_end(rt::Recorder& rec, rt::BufferView ring, rt::BufferView state, rt::BufferView loss,
                     rt::BufferView lrs, uint32_t slots, uint32_t lr_count);
void step_end_ref(std::span<float> ring, StepState& state, float loss, std::span<const float> lrs);

}  // namespace vkae::nn
