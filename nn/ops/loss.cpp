// Losses: pipeline descriptions, recording with shape checks, and the CPU references. The forwards are the
// reduction tree of reduce.cpp with a first level that computes the loss terms (no per-element buffer).
#include "nn/ops/loss.hpp"

#include <cmath>

#include "shaders/reduce_blocks.h"

namespace vkae::nn {

using rt::Access;

namespace {
rt::PipelineDesc reduction_desc(const char* shader, size_t inputs) {
  rt::PipelineDesc d{
      shader, {Access::Write}, sizeof(ReducePush), {VKAE_REDUCE_LOCAL, 1, 1}, rt::Family::Reduce};
  d.bindings.insert(d.bindings.end(), inputs, Access::Read);
  return d;
}
}  // namespace

const rt::PipelineDesc kBceForward = reduction_desc("bce_forward", 2);
const rt::PipelineDesc kMseForward = reduction_desc("mse_forward", 2);
const rt::PipelineDesc kKlForward = reduction_desc("kl_forward", 2);
const rt::PipelineDesc kL1Forward = reduction_desc("l1_forward", 1);
const rt::PipelineDesc kBceBackward{
    "bce_backward", {Access::ReadWrite, Access::Read, Access::Read}, sizeof(LossBackwardPush), {256, 1, 1}};
const rt::PipelineDesc kMseBackward{
    "mse_backward", {Access::ReadWrite, Access::Read, Access::Read}, sizeof(LossBackwardPush), {256, 1, 1}};
const rt::PipelineDesc kKlBackward{"kl_backward",
                                   {Access::ReadWrite, Access::ReadWrite, Access::Read, Access::Read},
                                   sizeof(LossBackwardPush),
                                   {256, 1, 1}};
const rt::PipelineDesc kL1Backward{
    "l1_backward", {Access::ReadWrite, Access::Read}, sizeof(LossBackwardPush), {256, 1, 1}};

const char* loss_name(Loss loss) noexcept {
  return loss == Loss::Bce ? "bce" : "mse";
}

namespace {

const rt::PipelineDesc& forward_desc(Loss kind) {
  return kind == Loss::Bce ? kBceForward : kMseForward;
}
const rt::PipelineDesc& backward_desc(Loss kind) {
  return kind == Loss::Bce ? kBceBackward : kMseBackward;
}
std::string op_name(const char* prefix, const char* pass) {
  return std::string(prefix) + "_" + pass;
}

void check_rows(const std::string& op, rt::BufferView loss, uint64_t rows, uint64_t cols) {
  if (cols == 0 || rows * cols > UINT32_MAX)
    throw InputError(op + ": cannot reduce shape " + shape_string({rows, cols}));
  check_floats(op, "loss", loss, rows, shape_string({rows, cols}));
}

void dispatch_elementwise(rt::Recorder& rec, const rt::PipelineDesc& desc,
                          std::initializer_list<rt::BufferView> b, uint64_t count, float scale, Grad grad) {
  if (count > UINT32_MAX)
    throw InputError(std::string(desc.shader) + ": " + std::to_string(count) + " elements");
  const LossBackwardPush push{static_cast<uint32_t>(count), static_cast<uint32_t>(grad), scale, 0};
  rec.dispatch(rec.pipeline(desc), b, push, {rt::groups_for(count, desc.local.x)});
}

}  // namespace

void record_loss_forward(rt::Recorder& rec, Loss kind, rt::BufferView loss, rt::BufferView scratch,
                         rt::BufferView z, rt::BufferView t, uint64_t count, std::optional<float> scale) {
  const std::string op = op_name(loss_name(kind), "forward"), shape = shape_string({count});
  check_floats(op, "z", z, count, shape);
  check_floats(op, "t", t, count, shape);
  const rt::BufferView inputs[] = {z, t};
  record_tree_sum(rec, op.c_str(), loss, scratch, count, scale.value_or(1.0f / static_cast<float>(count)),
                  forward_desc(kind), inputs);
}

void record_loss_rows(rt::Recorder& rec, Loss kind, rt::BufferView loss, rt::BufferView z, rt::BufferView t,
                      uint64_t rows, uint64_t cols, std::optional<float> scale) {
  const std::string op = op_name(loss_name(kind), "rows"), shape = shape_string({rows, cols});
  check_rows(op, loss, rows, cols);
  check_floats(op, "z", z, rows * cols, shape);
  check_floats(op, "t", t, rows * cols, shape);
  const ReducePush push{static_cast<uint32_t>(rows * cols), static_cast<uint32_t>(cols),
                        scale.value_or(1.0f / static_cast<float>(cols)), 0};
  rec.dispatch(rec.pipeline(forward_desc(kind)), {loss, z, t}, push, {static_cast<uint32_t>(rows)});
}

void record_loss_backward(rt::Recorder& rec, Loss kind, rt::BufferView dz, rt::BufferView z, rt::BufferView t,
                          uint64_t count, std::optional<float> scale, Grad grad) {
  const std::string op = op_name(loss_name(kind), "backward"), shape = shape_string({count});
  check_floats(op, "dz", dz, count, shape);
  check_floats(op, "z", z, count, shape);
  check_floats(op, "t", t, count, shape);
  dispatch_elementwise(rec, backward_desc(kind), {dz, z, t}, count,
                       scale.value_or(1.0f / static_cast<float>(count)), grad);
}

void record_kl_forward(rt::Recorder& rec, rt::BufferView loss, rt::BufferView scratch, rt::BufferView mu,
                       rt::BufferView logvar, uint64_t count, float scale) {
  const std::string shape = shape_string({count});
  check_floats("kl_forward", "mu", mu, count, shape);
  check_floats("kl_forward", "logvar", logvar, count, shape);
  const rt::BufferView inputs[] = {mu, logvar};
  record_tree_sum(rec, "kl_forward", loss, scratch, count, scale, kKlForward, inputs);
}

void record_kl_rows(rt::Recorder& rec, rt::BufferView loss, rt::BufferView mu, rt::BufferView logvar,
                    uint64_t rows, uint64_t cols, float scale) {
  const std::string shape = shape_string({rows, cols});
  check_rows("kl_rows", loss, rows, cols);
  check_floats("kl_rows", "mu", mu, rows * cols, shape);
  check_floats("kl_rows", "logvar", logvar, rows * cols, shape);
  const ReducePush push{static_cast<uint32_t>(rows * cols), static_cast<uint32_t>(cols), scale, 0};
  rec.dispatch(rec.pipeline(kKlForward), {loss, mu, logvar}, push, {static_cast<uint32_t>(rows)});
}

void record_kl_backward(rt::Recorder& rec, rt::BufferView dmu, rt::BufferView dlogvar, rt::BufferView mu,
                        rt::BufferView logvar, uint64_t count, float scale, Grad grad) {
  const std::string shape = shape_string({count});
  check_floats("kl_backward", "dmu", dmu, count, shape);
  check_floats("kl_backward", "dlogvar", dlogvar, count, shape);
  check_floats("kl_backward", "mu", mu, count, shape);
  check_floats("kl_backward", "logvar", logvar, count, shape);
  dispatch_elementwise(rec, kKlBackward, {dmu, dlogvar, mu, logvar}, count, scale, grad);
}

void record_l1_forward(rt::Recorder& rec, rt::BufferView loss, rt::BufferView scratch, rt::BufferView a,
                       uint64_t count, float lambda, float scale) {
  check_floats("l1_forward", "a", a, count, shape_string({count}));
  const rt::BufferView inputs[] = {a};
  record_tree_sum(rec, "l1_forward", loss, scratch, count, lambda * scale, kL1Forward, inputs);
}

void record_l1_backward(rt::Recorder& rec, rt::BufferView da, rt::BufferView a, uint64_t count, float lambda,
                        float scale, Grad grad) {
  const std::string shape = shape_string({count});
  check_floats("l1_backward", "da", da, count, shape);
  check_floats("l1_backward", "a", a, count, shape);
  dispatch_elementwise(rec, kL1Backward, {da, a}, count, lambda * scale, grad);
}

// ---- references -------------------------------------------------------------------------------------------

template <typename T>
static double term_ref(Loss kind, T z, T t) {
  const double zd = z, td = t;
  if (kind == Loss::Mse) return (zd - td) * (zd - td);
  return std::max(zd, 0.0) - zd * td + std::log1p(std::exp(-std::abs(zd)));
}

template <typename T>
T loss_forward_ref(Loss kind, std::span<const T> z, std::span<const T> t, T scale) {
  double s = 0;
  for (size_t i = 0; i < z.size(); ++i) s += term_ref(kind, z[i], t[i]);
  return static_cast<T>(s * scale);
}

template <typename T>
void loss_rows_ref(Loss kind, std::span<T> loss, std::span<const T> z, std::span<const T> t, uint64_t rows,
                   uint64_t cols, T scale) {
  for (uint64_t n = 0; n < rows; ++n) {
    double s = 0;
    for (uint64_t d = 0; d < cols; ++d) s += term_ref(kind, z[n * cols + d], t[n * cols + d]);
    loss[n] = static_cast<T>(s * scale);
  }
}

template <typename T>
void loss_backward_ref(Loss kind, std::span<T> dz, std::span<const T> z, std::span<const T> t, T scale) {
  for (size_t i = 0; i < z.size(); ++i) {
    const double zd = z[i], td = t[i];
    const double g = kind == Loss::Mse ? 2 * (zd - td) : 1 / (1 + std::exp(-zd)) - td;
    dz[i] = static_cast<T>(g * scale);
  }
}

template <typename T>
static double kl_term_ref(T mu, T lv) {
  const double m = mu, l = lv;
  return -0.5 * (1 + l - m * m - std::exp(l));
}

template <typename T>
T kl_forward_ref(std::span<const T> mu, std::span<const T> logvar, T scale) {
  double s = 0;
  for (size_t i = 0; i < mu.size(); ++i) s += kl_term_ref(mu[i], logvar[i]);
  return static_cast<T>(s * scale);
}

template <typename T>
void kl_rows_ref(std::span<T> loss, std::span<const T> mu, std::span<const T> logvar, uint64_t rows,
                 uint64_t cols, T scale) {
  for (uint64_t n = 0; n < rows; ++n) {
    double s = 0;
    for (uint64_t d = 0; d < cols; ++d) s += kl_term_ref(mu[n * cols + d], logvar[n * cols + d]);
    loss[n] = static_cast<T>(s * scale);
  }
}

template <typename T>
void kl_backward_ref(std::span<T> dmu, std::span<T> dlogvar, std::span<const T> mu, std::span<const T> logvar,
                     T scale) {
  for (size_t i = 0; i < mu.size(); ++i) {
    dmu[i] = static_cast<T>(double(scale) * mu[i]);
    dlogvar[i] = static_cast<T>(double(scale) * 0.5 * (std::exp(double(logvar[i])) - 1));
  }
}

template <typename T>
T l1_forward_ref(std::span<const T> a, T lambda, T scale) {
  double s = 0;
  for (T v : a) s += std::abs(double(v));
  return static_cast<T>(double(lambda) * double(scale) * s);
}

template <typename T>
void l1_backward_ref(std::span<T> da, std::span<const T> a, T lambda, T scale) {
  for (size_t i = 0; i < a.size(); ++i) {
    const double sign = a[i] > 0 ? 1.0 : a[i] < 0 ? -1.0 : 0.0;
    da[i] = static_cast<T>(double(lambda) * double(scale) * sign);
  }
}

#define VKAE_LOSS_INSTANTIATE(T)                                                                             \
  template T loss_forward_ref<T>(Loss, std::span<const T>, std::span<const T>, T);                           \
  template void loss_rows_ref<T>(Loss, std::span<T>, std::span<const T>, std::span<const T>, uint64_t,       \
                                 uint64_t, T);                                                               \
  template void loss_backward_ref<T>(Loss, std::span<T>, std::span<const T>, std::span<const T>, T);         \
  template T kl_forward_ref<T>(std::span<const T>, std::span<const T>, T);                                   \
  template void kl_rows_ref<T>(std::span<T>, std::span<const T>, std::span<const T>, uint64_t, uint64_t, T); \
  template void kl_backward_ref<T>(std::span<T>, std::span<T>, std::span<const T>, std::span<const T>, T);   \
  template T l1_forward_ref<T>(std::span<const T>, T, T);                                                    \
  template void l1_backward_ref<T>(std::span<T>, std::span<const T>, T, T);
VKAE_LOSS_INSTANTIATE(float)
VKAE_LOSS_INSTANTIATE(double)
#undef VKAE_LOSS_INSTANTIATE

}  // namespace vkae::nn
