// The finite check of a training step: loss and gradient arena tested for NaN and infinity on the GPU, the
// first bad step and its lowest bad gradient index recorded in a small health buffer the host reads with the
// loss ring, and the step state halted so the optimizers skip (see shaders/finite_check.comp). No backward.
#pragma once
#include <cstdint>
#include <optional>
#include <span>

#include "runtime/commands.hpp"

namespace vkae::nn {

struct FiniteCheckPush {
  uint32_t count;
};
static_assert(sizeof(FiniteCheckPush) == 4);

inline constexpr uint32_t kHealthWords = 4;
inline constexpr uint32_t kHealthNone = 0xFFFFFFFFu;  // health[0] and [1] before any bad step

extern const rt::PipelineDesc kFiniteCheck;

// grads [count] floats, loss [1], state one StepState, health [kHealthWords] uint32 (start: kHealthNone).
void record_finite_check(rt::Recorder& rec, rt::BufferView grads, rt::BufferView loss, rt::BufferView state,
                         rt::BufferView health, uint64_t count);

// What a health record says: the first step (0-based) whose loss or gradients were not finite, and the
// lowest gradient index then (nullopt: only the loss was).
struct BadStep {
  uint32_t step = 0;
  std::optional<uint32_t> index;
};
std::optional<BadStep> read_health(std::span<const uint32_t> health, uint64_t count);

// The reference: the health record and halted flag one step leaves (state_step is StepState::step).
void finite_check_ref(std::span<uint32_t> health, uint32_t& halted, std::span<const float> grads, float loss,
                      uint32_t state_step);

}  // namespace vkae::nn
