// Optimizers: pipeline descriptions, recording with shape checks, and the CPU references.
#include "nn/ops/optimizer.hpp"

#include <cmath>
#include <limits>

#include "nn/step_state.hpp"

namespace vkae::nn {

using rt::Access;

const rt::PipelineDesc kAdamStep{
    "adam_step",
    {Access::ReadWrite, Access::Read, Access::ReadWrite, Access::ReadWrite, Access::Read},
    sizeof(AdamPush),
    {256, 1, 1}};
const rt::PipelineDesc kSgdStep{
    "sgd_step", {Access::ReadWrite, Access::Read, Access::Read}, sizeof(SgdPush), {256, 1, 1}};
const rt::PipelineDesc kSgdMomentumStep{"sgd_momentum_step",
                                        {Access::ReadWrite, Access::Read, Access::ReadWrite, Access::Read},
                                        sizeof(SgdPush),
                                        {256, 1, 1}};

namespace {

// Checks the count, each arena view and the state; returns the count as the shader's uint.
uint32_t check_arena(const char* op, uint64_t count,
                     std::initializer_list<std::pair<const char*, rt::BufferView>> views,
                     const rt::BufferView& state) {
  const std::string shape = shape_string({count});
  if (count > std::numeric_limits<uint32_t>::max())
    throw InputError(std::string(op) + ": shape " + shape + " has more than 2^32 parameters");
  for (const auto& [name, view] : views) check_floats(op, name, view, count, shape);
  if (state.size < sizeof(StepState))
    throw InputError(std::string(op) + ": state holds " + std::to_string(state.size) +
                     " bytes, StepState needs " + std::to_string(sizeof(StepState)));
  return static_cast<uint32_t>(count);
}

}  // namespace

void record_adam(rt::Recorder& rec, rt::BufferView params, rt::BufferView grads, rt::BufferView m,
                 rt::BufferView v, rt::BufferView state, uint64_t count, const AdamConfig& config) {
  const uint32_t n =
      check_arena("adam", count, {{"params", params}, {"grads", grads}, {"m", m}, {"v", v}}, state);
  const AdamPush push{n,          config.beta1,        config.beta2,
                      config.eps, config.weight_decay, config.decoupled ? 1u : 0u};
  rec.dispatch(rec.pipeline(kAdamStep), {params, grads, m, v, state}, push,
               {rt::groups_for(n, kAdamStep.local.x)});
}

void record_sgd(rt::Recorder& rec, rt::BufferView params, rt::BufferView grads, rt::BufferView state,
                uint64_t count, const SgdConfig& config) {
  const uint32_t n = check_arena("sgd", count, {{"params", params}, {"grads", grads}}, state);
  const SgdPush push{n, 0.0f, config.weight_decay, 0};
  rec.dispatch(rec.pipeline(kSgdStep), {params, grads, state}, push, {rt::groups_for(n, kSgdStep.local.x)});
}

void record_sgd_momentum(rt::Recorder& rec, rt::BufferView params, rt::BufferView grads,
                         rt::BufferView velocity, rt::BufferView state, uint64_t count,
                         const SgdConfig& config) {
  const uint32_t n = check_arena("sgd_momentum", count,
                                 {{"params", params}, {"grads", grads}, {"velocity", velocity}}, state);
  const SgdPush push{n, config.momentum, config.weight_decay, 0};
  rec.dispatch(rec.pipeline(kSgdMomentumStep), {params, grads, velocity, state}, push,
               {rt::groups_for(n, kSgdMomentumStep.local.x)});
}

template <typename T>
void adam_ref(std::span<T> params, std::span<const T> grads, std::span<T> m, std::span<T> v, uint32_t step,
              float lr, const AdamConfig& config) {
  const double b1 = config.beta1, b2 = config.beta2, eps = config.eps, t = double(step) + 1.0;
  const double c1 = 1.0 - std::pow(b1, t), c2 = 1.0 - std::pow(b2, t);
  for (size_t i = 0; i < params.size(); ++i) {
    double g = grads[i], p = params[i];
    if (config.weight_decay != 0) {
      if (config.decoupled)
        p *= 1.0 - double(lr) * double(config.weight_decay);
      else
        g += double(config.weight_decay) * p;
    }
    const double mi = b1 * double(m[i]) + (1.0 - b1) * g;
    const double vi = b2 * double(v[i]) + (1.0 - b2) * g * g;
    m[i] = T(mi);
    v[i] = T(vi);
    params[i] = T(p - double(lr) * (mi / c1) / (std::sqrt(vi / c2) + eps));
  }
}

template <typename T>
void sgd_ref(std::span<T> params, std::span<const T> grads, float lr, const SgdConfig& config) {
  for (size_t i = 0; i < params.size(); ++i) {
    const double g = double(grads[i]) + double(config.weight_decay) * double(params[i]);
    params[i] = T(double(params[i]) - double(lr) * g);
  }
}

template <typename T>
void sgd_momentum_ref(std::span<T> params, std::span<const T> grads, std::span<T> velocity, float lr,
                      const SgdConfig& config) {
  for (size_t i = 0; i < params.size(); ++i) {
    const double g = double(grads[i]) + double(config.weight_decay) * double(params[i]);
    const double b = double(config.momentum) * double(velocity[i]) + g;
    velocity[i] = T(b);
    params[i] = T(double(params[i]) - double(lr) * b);
  }
}

template void adam_ref<float>(std::span<float>, std::span<const float>, std::span<float>, std::span<float>,
                              uint32_t, float, const AdamConfig&);
template void adam_ref<double>(std::span<double>, std::span<const double>, std::span<double>,
                               std::span<double>, uint32_t, float, const AdamConfig&);
template void sgd_ref<float>(std::span<float>, std::span<const float>, float, const SgdConfig&);
template void sgd_ref<double>(std::span<double>, std::span<const double>, float, const SgdConfig&);
template void sgd_momentum_ref<float>(std::span<float>, std::span<const float>, std::span<float>, float,
                                      const SgdConfig&);
template void sgd_momentum_ref<double>(std::span<double>, std::span<const double>, std::span<double>, float,
                                       const SgdConfig&);

}  // namespace vkae::nn
