// Data ops of a training step, forward only (they prepare inputs; nothing flows back through them):
// gather a batch of uint8 images through the epoch's permutation and scale to [0, 1]; add clipped Gaussian
// noise from the counter-based RNG; and 2x2 average downscaling (super-resolution inputs). GPU recording and
// CPU references. Per-step values (batch index, step, seed, noise factor) come from the StepState buffer.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "nn/ops/common.hpp"
#include "nn/rng.hpp"
#include "runtime/commands.hpp"

namespace vkae::nn {

// ---- gather ----------------------------------------------------------------------------------------------

struct GatherShape {
  uint32_t n = 0;            // images per batch (N)
  uint32_t pixels = 0;       // pixels per image (P), any value (784 for 28x28)
  uint32_t image_count = 0;  // image indices the permutation may name
};

// The image bindings of the gather shader: a dataset split over more buffers streams (nn/train).
inline constexpr uint32_t kGatherBuffers = 8;

// Where the gather finds image i: image i % per_buffer of buffers[(i / per_buffer) % buffers.size()], each
// buffer packed from its own byte 0 (pack_pixels of its images). A resident split holds every image once
// (image_count <= per_buffer * buffers.size(), the last buffer possibly partly filled); a streaming ring of
// slots holds one shard of per_buffer images per slot (image_count larger: which shard a slot holds is the
// host's business).
struct GatherImages {
  std::span<const rt::BufferView> buffers;  // 1..kGatherBuffers
  uint32_t per_buffer = 0;
};

struct GatherPush {
  uint32_t n, pixels, image_count, perm_count;
  uint32_t from_state;  // 1: first = state.batch * n; 0: first = `first`
  uint32_t first;
  uint32_t per_buffer, buffers;
};
static_assert(sizeof(GatherPush) == 32);

extern const rt::PipelineDesc kGatherForward;

// Dataset pixels as the gather shader reads them: 4 per uint32 word, little-endian (pixel k is byte k % 4 of
// word k / 4), the last word zero-padded.
std::vector<uint32_t> pack_pixels(std::span<const uint8_t> pixels);

// y [N, P] (overwritten) = images[perm[state.batch * N + b]] / 255. `images` as GatherImages says, `perm`
// uint32 image indices, `state` a StepState. Out-of-range entries give NaN.
void record_gather(rt::Recorder& rec, rt::BufferView y, const GatherImages& images, rt::BufferView perm,
                   rt::BufferView state, const GatherShape& shape);
// The same from a fixed permutation entry: y[b] = images[perm[first + b]] / 255 (validation batches).
void record_gather_at(rt::Recorder& rec, rt::BufferView y, const GatherImages& images, rt::BufferView perm,
                      rt::BufferView state, uint32_t first, const GatherShape& shape);
// One buffer holding all image_count images, packed.
void record_gather(rt::Recorder& rec, rt::BufferView y, rt::BufferView images, rt::BufferView perm,
                   rt::BufferView state, const GatherShape& shape);
void record_gather_at(rt::Recorder& rec, rt::BufferView y, rt::BufferView images, rt::BufferView perm,
                      rt::BufferView state, uint32_t first, const GatherShape& shape);

// y [N, P] = pixels[perm[first + b] * P + q] / 255, from the unpacked bytes.
template <typename T>
void gather_ref(std::span<T> y, std::span<const uint8_t> pixels, std::span<const uint32_t> perm,
                uint32_t first, const GatherShape& shape);

// ---- noise -----------------------------------------------------------------------------------------------

struct NoisePush {
  uint32_t count;
  uint32_t stream;      // RngStream
  uint32_t from_state;  // 1: step = state.step; 0: step = `step`
  uint32_t step;
};
static_assert(sizeof(NoisePush) == 16);

extern const rt::PipelineDesc kNoiseForward;

// y [count] (overwritten) = clamp(x + state.noise * normal_at(seed, element, state.step, stream), 0, 1).
void record_noise(rt::Recorder& rec, rt::BufferView y, rt::BufferView x, rt::BufferView state, uint64_t count,
                  RngStream stream = RngStream::Noise);
// The same with a fixed step (validation: the same noise every epoch; pass the validation batch index).
void record_noise_at(rt::Recorder& rec, rt::BufferView y, rt::BufferView x, rt::BufferView state,
                     uint64_t count, uint32_t step, RngStream stream = RngStream::Validation);

// y = clamp(x + f * nn::normal_at(seed, i, step, stream), 0, 1) elementwise, i the flat index.
template <typename T>
void noise_ref(std::span<T> y, std::span<const T> x, uint64_t seed, uint32_t step, RngStream stream, T f);

// ---- downscale2x -----------------------------------------------------------------------------------------

struct Downscale2xShape {
  uint32_t n = 0, c = 0, h = 0, w = 0;  // the input x [N, C, H, W]; y is [N, C, H/2, W/2] ('valid')

  uint64_t in_count() const noexcept { return uint64_t{n} * c * h * w; }
  uint64_t out_count() const noexcept { return uint64_t{n} * c * (h / 2) * (w / 2); }
};

struct Downscale2xPush {
  uint32_t planes, h, w, pad0;
};
static_assert(sizeof(Downscale2xPush) == 16);

extern const rt::PipelineDesc kDownscale2xForward;

// y [N, C, H/2, W/2] (overwritten) = mean of each 2x2 block of x; an odd last row/column is dropped.
void record_downscale2x(rt::Recorder& rec, rt::BufferView y, rt::BufferView x, const Downscale2xShape& shape);

template <typename T>
void downscale2x_ref(std::span<T> y, std::span<const T> x, const Downscale2xShape& shape);

}  // namespace vkae::nn
