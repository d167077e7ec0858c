// Data ops of a training step, forward only (they prepare inputs; nothing flows back through them):
// gather a batch of uint8 images (or windows of them) through the epoch's permutation and scale to [0, 1];
// add clipped Gaussian noise from the counter-based RNG; and 2x2 average downscaling (super-resolution
// inputs). GPU recording and CPU references. Per-step values (batch index, epoch, step, seed, noise factor)
// come from the StepState buffer.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "nn/ops/common.hpp"
#include "nn/rng.hpp"
#include "runtime/commands.hpp"

namespace vkae::nn {

// ---- gather ----------------------------------------------------------------------------------------------

// Images stored larger than what the batch takes (--crop random's training split): y gets a window of each.
struct GatherCrop {
  uint32_t channels = 0, height = 0, width = 0;  // the window, y's image [C, H, W]: C * H * W = P
  uint32_t stored_height = 0, stored_width = 0;  // each image as stored, [C, Hs, Ws] bytes: Hs >= H, Ws >= W
  // record_gather: image entry e's window at a draw of philox4x32_10 for (e, state.epoch, RngStream::Crop)
  // under the state's seed (a new window each epoch, reproducible); record_gather_at, or random false: the
  // centre.
  bool random = false;

  uint64_t stored_bytes() const noexcept { return uint64_t{channels} * stored_height * stored_width; }
};

struct GatherShape {
  uint32_t n = 0;                                 // images per batch (N)
  uint32_t pixels = 0;                            // pixels per gathered image (P), any value (784 for 28x28)
  uint32_t image_count = 0;                       // image indices the permutation may name
  std::optional<GatherCrop> crop = std::nullopt;  // none: each image is its P stored bytes, taken whole

  uint64_t image_bytes() const noexcept { return crop ? crop->stored_bytes() : pixels; }  // stored, per image
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
  uint32_t image_bytes;                  // stored bytes per image (P without a margin)
  uint32_t height, width;                // the window (without a crop: 1 x P)
  uint32_t stored_height, stored_width;  // the stored image (without a crop: 1 x P)
  uint32_t random_stream;                // RngStream of the random windows; 0: the centre window
  uint32_t pad0, pad1;
};
static_assert(sizeof(GatherPush) == 64, "within the 128 push-constant bytes every Vulkan device has");

extern const rt::PipelineDesc kGatherForward;

// Dataset pixels as the gather shader reads them: 4 per uint32 word, little-endian (pixel k is byte k % 4 of
// word k / 4), the last word zero-padded.
std::vector<uint32_t> pack_pixels(std::span<const uint8_t> pixels);

// y [N, P] (overwritten) = images[perm[state.batch * S + state.image_offset + b]] / 255 (S:
// state.batch_stride, or N when 0) (its window with shape.crop). `images` as GatherImages says, `perm` uint32
// image indices, `state` a StepState (batch; epoch and seed for random windows). Out-of-range entries give
// NaN.
void record_gather(rt::Recorder& rec, rt::BufferView y, const GatherImages& images, rt::BufferView perm,
                   rt::BufferView state, const GatherShape& shape);
// The same from a fixed permutation entry: y[b] = images[perm[first + b]] / 255 (validation batches); a
// crop's window is always the centre.
void record_gather_at(rt::Recorder& rec, rt::BufferView y, const GatherImages& images, rt::BufferView perm,
                      rt::BufferView state, uint32_t first, const GatherShape& shape);
// One buffer holding all image_count images, packed.
void record_gather(rt::Recorder& rec, rt::BufferView y, rt::BufferView images, rt::BufferView perm,
                   rt::BufferView state, const GatherShape& shape);
void record_gather_at(rt::Recorder& rec, rt::BufferView y, rt::BufferView images, rt::BufferView perm,
                      rt::BufferView state, uint32_t first, const GatherShape& shape);

// Where entry `entry`'s window starts in its stored image: for a random crop with `draw` (record_gather's
// state: seed and epoch) the Philox draw the shader makes, else the centre. (0, 0) without a crop.
struct GatherDraw {
  uint64_t seed = 0;
  uint32_t epoch = 0;
};
struct WindowOffset {
  uint32_t y = 0, x = 0;
};
WindowOffset gather_window(const GatherShape& shape, uint32_t entry, std::optional<GatherDraw> draw);

// y [N, P] = pixels[perm[first + b] * image_bytes + window byte q] / 255, from the unpacked bytes. `draw`:
// record_gather's state (random windows); none: record_gather_at's (centre windows).
template <typename T>
void gather_ref(std::span<T> y, std::span<const uint8_t> pixels, std::span<const uint32_t> perm,
                uint32_t first, const GatherShape& shape, std::optional<GatherDraw> draw = std::nullopt);

// ---- noise -----------------------------------------------------------------------------------------------

struct NoisePush {
  uint32_t count;
  uint32_t stream;      // RngStream
  uint32_t from_state;  // 1: step = state.step; 0: step = `step`
  uint32_t step;
  uint32_t per_image;  // elements per image: the draw's element is i + state.image_offset * per_image
  uint32_t pad[3];
};
static_assert(sizeof(NoisePush) == 32);

extern const rt::PipelineDesc kNoiseForward;

// y [count] (overwritten) = clamp(x + state.noise * normal_at(seed, element, state.step, stream), 0, 1).
// `per_image` (elements per image) keys a data-parallel rank's draws by the image's place in the global
// batch (state.image_offset); 0 keys them by the flat index alone.
void record_noise(rt::Recorder& rec, rt::BufferView y, rt::BufferView x, rt::BufferView state, uint64_t count,
                  RngStream stream = RngStream::Noise, uint32_t per_image = 0);
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
