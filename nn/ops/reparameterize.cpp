// Reparameterisation op: pipeline descriptions, recording with shape checks, and the CPU reference.
#include "nn/ops/reparameterize.hpp"

#include <cmath>

#include "nn/step_state.hpp"

namespace vkae::nn {

using rt::Access;

const rt::PipelineDesc kReparameterizeForward{
    "reparameterize_forward",
    {Access::Write, Access::Write, Access::Read, Access::Read, Access::Read},
    sizeof(ReparameterizePush),
    {256, 1, 1}};
const rt::PipelineDesc kReparameterizeBackward{
    "reparameterize_backward",
    {Access::ReadWrite, Access::ReadWrite, Access::Read, Access::Read, Access::Read},
    sizeof(ReparameterizePush),
    {256, 1, 1}};

namespace {
void check_count(const char* op, uint64_t count) {
  if (count > UINT32_MAX) throw InputError(std::string(op) + ": " + std::to_string(count) + " elements");
}
}  // namespace

void record_reparameterize_forward(rt::Recorder& rec, rt::BufferView z, rt::BufferView eps, rt::BufferView mu,
                                   rt::BufferView logvar, rt::BufferView state, uint64_t count,
                                   RngStream stream, uint32_t per_image) {
  const std::string shape = shape_string({count});
  check_count("reparameterize_forward", count);
  check_floats("reparameterize_forward", "z", z, count, shape);
  check_floats("reparameterize_forward", "eps", eps, count, shape);
  check_floats("reparameterize_forward", "mu", mu, count, shape);
  check_floats("reparameterize_forward", "logvar", logvar, count, shape);
  check_floats("reparameterize_forward", "state", state, sizeof(StepState) / sizeof(float), "StepState");
  const ReparameterizePush push{static_cast<uint32_t>(count), static_cast<uint32_t>(stream), per_image, 0};
  rec.dispatch(rec.pipeline(kReparameterizeForward), {z, eps, mu, logvar, state.sub(0, sizeof(StepState))},
               push, {rt::groups_for(count, kReparameterizeForward.local.x)});
}

void record_reparameterize_backward(rt::Recorder& rec, rt::BufferView dmu, rt::BufferView dlogvar,
                                    rt::BufferView dz, rt::BufferView logvar, rt::BufferView eps,
                                    uint64_t count, Grad grad) {
  const std::string shape = shape_string({count});
  check_count("reparameterize_backward", count);
  check_floats("reparameterize_backward", "dmu", dmu, count, shape);
  check_floats("reparameterize_backward", "dlogvar", dlogvar, count, shape);
  check_floats("reparameterize_backward", "dz", dz, count, shape);
  check_floats("reparameterize_backward", "logvar", logvar, count, shape);
  check_floats("reparameterize_backward", "eps", eps, count, shape);
  const ReparameterizePush push{static_cast<uint32_t>(count), static_cast<uint32_t>(grad), 0, 0};
  rec.dispatch(rec.pipeline(kReparameterizeBackward), {dmu, dlogvar, dz, logvar, eps}, push,
               {rt::groups_for(count, kReparameterizeBackward.local.x)});
}

template <typename T>
void reparameterize_forward_ref(std::span<T> z, std::span<const T> mu, std::span<const T> logvar,
                                std::span<const T> eps) {
  for (size_t i = 0; i < z.size(); ++i)
    z[i] = static_cast<T>(double(mu[i]) + std::exp(0.5 * double(logvar[i])) * double(eps[i]));
}

template <typename T>
void reparameterize_backward_ref(std::span<T> dmu, std::span<T> dlogvar, std::span<const T> dz,
                                 std::span<const T> logvar, std::span<const T> eps) {
  for (size_t i = 0; i < dz.size(); ++i) {
    dmu[i] = dz[i];
    dlogvar[i] = static_cast<T>(double(dz[i]) * 0.5 * std::exp(0.5 * double(logvar[i])) * double(eps[i]));
  }
}

template void reparameterize_forward_ref<float>(std::span<float>, std::span<const float>,
                                                std::span<const float>, std::span<const float>);
template void reparameterize_forward_ref<double>(std::span<double>, std::span<const double>,
                                                 std::span<const double>, std::span<const double>);
template void reparameterize_backward_ref<float>(std::span<float>, std::span<float>, std::span<const float>,
                                                 std::span<const float>, std::span<const float>);
template void reparameterize_backward_ref<double>(std::span<double>, std::span<double>,
                                                  std::span<const double>, std::span<const double>,
                                                  std::span<const double>);

}  // namespace vkae::nn
