// VAE reparameterisation z = mu + exp(logvar / 2) * eps, eps ~ N(0, 1) from the counter RNG keyed by the
// StepState buffer's seed and step (shaders/rng.glsl; CPU twin nn::normal_at). The forward saves eps so the
// backward is exact. GPU forward/backward and the CPU reference.
#pragma once
#include <cstdint>
#include <span>

#include "nn/ops/common.hpp"
#include "nn/rng.hpp"
#include "runtime/commands.hpp"

namespace vkae::nn {

struct ReparameterizePush {
  uint32_t count;
  uint32_t stream_or_accumulate;  // forward: RngStream; backward: Grad
  uint32_t
      per_image;  // forward: elements per image; the draw's element is i + state.image_offset * per_image
  uint32_t pad1;
};
static_assert(sizeof(ReparameterizePush) == 16);

extern const rt::PipelineDesc kReparameterizeForward;
extern const rt::PipelineDesc kReparameterizeBackward;

// eps[i] = normal_at(seed, i, step, stream); z[i] = mu[i] + exp(logvar[i] / 2) eps[i] (both overwritten),
// i the flat index of [N, Z]; seed and step are read from `state` (an nn::StepState, 64 bytes) when it runs.
void record_reparameterize_forward(rt::Recorder& rec, rt::BufferView z, rt::BufferView eps, rt::BufferView mu,
                                   rt::BufferView logvar, rt::BufferView state, uint64_t count,
                                   RngStream stream = RngStream::Reparameterize, uint32_t per_image = 0);
// dmu (=|+=) dz; dlogvar (=|+=) dz * exp(logvar / 2) eps / 2, with the forward's eps.
void record_reparameterize_backward(rt::Recorder& rec, rt::BufferView dmu, rt::BufferView dlogvar,
                                    rt::BufferView dz, rt::BufferView logvar, rt::BufferView eps,
                                    uint64_t count, Grad grad = Grad::Overwrite);

// References with eps given (draw it with nn::normal_at for the GPU's values).
template <typename T>
void reparameterize_forward_ref(std::span<T> z, std::span<const T> mu, std::span<const T> logvar,
                                std::span<const T> eps);
template <typename T>
void reparameterize_backward_ref(std::span<T> dmu, std::span<T> dlogvar, std::span<const T> dz,
                                 std::span<const T> logvar, std::span<const T> eps);

}  // namespace vkae::nn
