// Losses: BCE with logits, MSE, KL(N(mu, sigma^2) || N(0,1)) and the L1 activity penalty. Each forward writes
// one scalar (a fixed reduction tree fused with the loss terms; scratch from reduce_scratch_floats(count)),
// or one value per row (per-image losses, anomaly scores); each backward writes the gradient w.r.t. its
// input. `scale` multiplies loss and gradient alike: 1/count = mean over all elements (Keras/PyTorch default
// for BCE and MSE), 1/N = sum per image, mean over the batch (the VAE's loss).
#pragma once
#include <cstdint>
#include <optional>
#include <span>

#include "nn/ops/common.hpp"
#include "nn/ops/reduce.hpp"
#include "runtime/commands.hpp"

namespace vkae::nn {

enum class Loss : uint32_t {
  Bce,
  Mse
};  // the reconstruction losses, z = prediction (BCE: logits), t = target

const char* loss_name(Loss loss) noexcept;

struct LossBackwardPush {
  uint32_t count;
  uint32_t accumulate;  // Grad
  float scale;
  uint32_t pad;
};
static_assert(sizeof(LossBackwardPush) == 16);

extern const rt::PipelineDesc kBceForward, kBceBackward, kMseForward, kMseBackward;
extern const rt::PipelineDesc kKlForward, kKlBackward, kL1Forward, kL1Backward;

// loss[0] = scale * Σ_i term(z_i, t_i) (overwritten); BCE term = max(z,0) - z t + log(1 + e^-|z|),
// MSE term = (z - t)^2. scale defaults to 1/count (the mean).
void record_loss_forward(rt::Recorder& rec, Loss kind, rt::BufferView loss, rt::BufferView scratch,
                         rt::BufferView z, rt::BufferView t, uint64_t count,
                         std::optional<float> scale = std::nullopt);
// loss[n] = scale * Σ_d term(z[n,d], t[n,d]) for z, t [rows, cols] (overwritten); scale defaults to 1/cols.
void record_loss_rows(rt::Recorder& rec, Loss kind, rt::BufferView loss, rt::BufferView z, rt::BufferView t,
                      uint64_t rows, uint64_t cols, std::optional<float> scale = std::nullopt);
// dz (=|+=) scale * dterm/dz: BCE sigmoid(z) - t, MSE 2 (z - t). scale defaults to 1/count.
void record_loss_backward(rt::Recorder& rec, Loss kind, rt::BufferView dz, rt::BufferView z, rt::BufferView t,
                          uint64_t count, std::optional<float> scale = std::nullopt,
                          Grad grad = Grad::Overwrite);

// loss[0] = scale * Σ_i -1/2 (1 + lv_i - mu_i^2 - exp(lv_i)), lv = log sigma^2 (overwritten).
void record_kl_forward(rt::Recorder& rec, rt::BufferView loss, rt::BufferView scratch, rt::BufferView mu,
                       rt::BufferView logvar, uint64_t count, float scale);
// Per row of mu, logvar [rows, cols]: loss[n] = scale * KL of row n (overwritten).
void record_kl_rows(rt::Recorder& rec, rt::BufferView loss, rt::BufferView mu, rt::BufferView logvar,
                    uint64_t rows, uint64_t cols, float scale = 1.0f);
// dmu (=|+=) scale * mu; dlogvar (=|+=) scale * 1/2 (exp(lv) - 1). Typically Grad::Accumulate after the
// reparameterisation's backward.
void record_kl_backward(rt::Recorder& rec, rt::BufferView dmu, rt::BufferView dlogvar, rt::BufferView mu,
                        rt::BufferView logvar, uint64_t count, float scale, Grad grad = Grad::Overwrite);

// L1 activity penalty: loss[0] = lambda * scale * Σ |a_i| (overwritten). Keras' activity_regularizer=l1(λ)
// divides by the batch size, so scale = 1/N reproduces Keras; scale = 1 is the plain λ Σ|a|.
void record_l1_forward(rt::Recorder& rec, rt::BufferView loss, rt::BufferView scratch, rt::BufferView a,
                       uint64_t count, float lambda, float scale);
// da (=|+=) lambda * scale * sign(a), 0 at a = 0. Typically Grad::Accumulate onto the activation's gradient.
void record_l1_backward(rt::Recorder& rec, rt::BufferView da, rt::BufferView a, uint64_t count, float lambda,
                        float scale, Grad grad = Grad::Overwrite);

// References: plain loops, double accumulation; forwards return the scalar.
template <typename T>
T loss_forward_ref(Loss kind, std::span<const T> z, std::span<const T> t, T scale);
template <typename T>
void loss_rows_ref(Loss kind, std::span<T> loss, std::span<const T> z, std::span<const T> t, uint64_t rows,
                   uint64_t cols, T scale);
template <typename T>
void loss_backward_ref(Loss kind, std::span<T> dz, std::span<const T> z, std::span<const T> t, T scale);
template <typename T>
T kl_forward_ref(std::span<const T> mu, std::span<const T> logvar, T scale);
template <typename T>
void kl_rows_ref(std::span<T> loss, std::span<const T> mu, std::span<const T> logvar, uint64_t rows,
                 uint64_t cols, T scale);
template <typename T>
void kl_backward_ref(std::span<T> dmu, std::span<T> dlogvar, std::span<const T> mu, std::span<const T> logvar,
                     T scale);
template <typename T>
T l1_forward_ref(std::span<const T> a, T lambda, T scale);
template <typename T>
void l1_backward_ref(std::span<T> da, std::span<const T> a, T lambda, T scale);

}  // namespace vkae::nn
