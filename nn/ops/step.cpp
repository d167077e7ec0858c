// Step-end op wrapper and reference.
#include "nn/ops/step.hpp"

#include <algorithm>

#include "nn/ops/common.hpp"

namespace vkae::nn {

const rt::PipelineDesc kStepEnd{
    "step_end",
    {rt::Access::ReadWrite, rt::Access::ReadWrite, rt::Access::Read, rt::Access::Read},
    sizeof(StepEndPush),
    {1, 1, 1}};

void record_step_end(rt::Recorder& rec, rt::BufferView ring, rt::BufferView state, rt::BufferView loss,
                     rt::BufferView lrs, uint32_t slots, uint32_t lr_count) {
  check_floats("step_end", "ring", ring, slots, shape_string({slots}));
  check_floats("step_end", "loss", loss, 1, "[1]");
  check_floats("step_end", "lrs", lrs, std::max(lr_count, 1u), shape_string({lr_count}));
  if (state.size < sizeof(StepState))
    throw InputError("step_end: state holds " + std::to_string(state.size) + " bytes, a StepState needs " +
                     std::to_string(sizeof(StepState)));
  rec.dispatch(rec.pipeline(kStepEnd), {ring, state, loss, lrs}, StepEndPush{slots, lr_count}, {1});
}

void step_end_ref(std::span<float> ring, StepState& state, float loss, std::span<const float> lrs) {
  ring[state.step % ring.size()] = loss;
  state.step += 1;
  state.batch += 1;
  if (state.batch < lrs.size()) state.lr = lrs[state.batch];
}

}  // namespace vkae::nn
