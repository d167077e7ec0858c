// Optimizers as one dispatch over the whole parameter arena (params, grads and moments are views of the same
// float count and layout): Adam (PyTorch/Keras formula) and SGD (plain or with momentum). The learning rate
// and Adam's step t = state.step + 1 come from the StepState buffer, so the recorded step never changes.
// No backward: these consume gradients. CPU references store T and compute in double.
#pragma once
#include <cstdint>
#include <span>

#include "nn/ops/common.hpp"
#include "runtime/commands.hpp"

namespace vkae::nn {

struct AdamConfig {
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float eps = 1e-7f;       // Keras' default; added to sqrt(v_hat) after bias correction (PyTorch's placement)
  float weight_decay = 0;  // L2: g += wd p (PyTorch's Adam); decoupled: p *= 1 - lr wd first (AdamW)
  bool decoupled = false;
};

struct SgdConfig {
  float momentum = 0.9f;   // mu in buf = mu buf + g (record_sgd_momentum only)
  float weight_decay = 0;  // g += wd p before the update (PyTorch's SGD)
};

struct AdamPush {
  uint32_t count;
  float beta1, beta2, eps, weight_decay;
  uint32_t decoupled;
};
static_assert(sizeof(AdamPush) == 24);

struct SgdPush {
  uint32_t count;
  float momentum;  // unused by plain SGD
  float weight_decay;
  uint32_t pad0;
};
static_assert(sizeof(SgdPush) == 16);

extern const rt::PipelineDesc kAdamStep;
extern const rt::PipelineDesc kSgdStep;
extern const rt::PipelineDesc kSgdMomentumStep;

// One Adam step: m, v and params [count] updated in place from grads [count]; lr and t from state.
void record_adam(rt::Recorder& rec, rt::BufferView params, rt::BufferView grads, rt::BufferView m,
                 rt::BufferView v, rt::BufferView state, uint64_t count, const AdamConfig& config = {});
// params [count] -= state.lr * (grads + wd params).
void record_sgd(rt::Recorder& rec, rt::BufferView params, rt::BufferView grads, rt::BufferView state,
                uint64_t count, const SgdConfig& config = {});
// velocity = momentum * velocity + grads (+ wd params); params -= state.lr * velocity (both [count]).
void record_sgd_momentum(rt::Recorder& rec, rt::BufferView params, rt::BufferView grads,
                         rt::BufferView velocity, rt::BufferView state, uint64_t count,
                         const SgdConfig& config = {});

// `step` is state.step (steps completed before this one); the hyperparameters are the config's floats.
template <typename T>
void adam_ref(std::span<T> params, std::span<const T> grads, std::span<T> m, std::span<T> v, uint32_t step,
              float lr, const AdamConfig& config);
template <typename T>
void sgd_ref(std::span<T> params, std::span<const T> grads, float lr, const SgdConfig& config = {});
template <typename T>
void sgd_momentum_ref(std::span<T> params, std::span<const T> grads, std::span<T> velocity, float lr,
                      const SgdConfig& config);

}  // namespace vkae::nn
