// Finite-check op wrapper, the health record's reading and the reference.
#include "nn/ops/finite_check.hpp"

#include <algorithm>
#include <cmath>

#include "nn/ops/common.hpp"
#include "nn/step_state.hpp"

namespace vkae::nn {

const rt::PipelineDesc kFiniteCheck{
    "finite_check",
    {rt::Access::Read, rt::Access::Read, rt::Access::ReadWrite, rt::Access::ReadWrite},
    sizeof(FiniteCheckPush),
    {256, 1, 1}};

void record_finite_check(rt::Recorder& rec, rt::BufferView grads, rt::BufferView loss, rt::BufferView state,
                         rt::BufferView health, uint64_t count) {
  if (count == 0 || count >= kHealthNone)
    throw InputError("finite_check: " + std::to_string(count) + " gradients, expected 1 to 2^32 - 2");
  check_floats("finite_check", "grads", grads, count, shape_string({count}));
  check_floats("finite_check", "loss", loss, 1, "[1]");
  check_floats("finite_check", "health", health, kHealthWords, shape_string({kHealthWords}));
  if (state.size < sizeof(StepState))
    throw InputError("finite_check: state holds " + std::to_string(state.size) +
                     " bytes, a StepState needs " + std::to_string(sizeof(StepState)));
  const auto n = static_cast<uint32_t>(count);
  rec.dispatch(rec.pipeline(kFiniteCheck), {grads, loss, state, health}, FiniteCheckPush{n},
               {rt::groups_for(n, kFiniteCheck.local.x)});
}

std::optional<BadStep> read_health(std::span<const uint32_t> health, uint64_t count) {
  if (health[0] == kHealthNone) return std::nullopt;
  BadStep bad{health[0], std::nullopt};
  if (health[1] < count) bad.index = health[1];
  return bad;
}

void finite_check_ref(std::span<uint32_t> health, uint32_t& halted, std::span<const float> grads, float loss,
                      uint32_t state_step) {
  if (health[0] < state_step) return;
  auto flag = [&](uint32_t index) {
    health[0] = std::min(health[0], state_step);
    health[1] = std::min(health[1], index);
    halted = 1;
  };
  for (size_t i = 0; i < grads.size(); ++i)
    if (!std::isfinite(grads[i])) flag(static_cast<uint32_t>(i));
  if (!std::isfinite(loss)) flag(static_cast<uint32_t>(grads.size()));
}

}  // namespace vkae::nn
