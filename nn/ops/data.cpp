// Data ops (gather, noise, downscale2x): pipeline descriptions, recording with shape checks, CPU references.
#include "nn/ops/data.hpp"

#include <algorithm>
#include <array>
#include <limits>

#include "nn/step_state.hpp"

namespace vkae::nn {

using rt::Access;

const rt::PipelineDesc kGatherForward{
    "gather_forward",
    {Access::Write, Access::Read, Access::Read, Access::Read, Access::Read, Access::Read, Access::Read,
     Access::Read, Access::Read, Access::Read, Access::Read},
    sizeof(GatherPush),
    {256, 1, 1}};
static_assert(kGatherBuffers == 8, "gather_forward.comp declares 8 image bindings after y, perm and state");
const rt::PipelineDesc kNoiseForward{
    "noise_forward", {Access::Write, Access::Read, Access::Read}, sizeof(NoisePush), {256, 1, 1}};
const rt::PipelineDesc kDownscale2xForward{
    "downscale2x_forward", {Access::Write, Access::Read}, sizeof(Downscale2xPush), {256, 1, 1}};

namespace {

constexpr uint64_t kMaxIndex = std::numeric_limits<uint32_t>::max();

void check_bytes(std::string_view op, std::string_view what, const rt::BufferView& view, uint64_t needed,
                 std::string_view expected) {
  if (view.size < needed)
    throw InputError(std::string(op) + ": " + std::string(what) + " holds " + std::to_string(view.size) +
                     " bytes, " + std::string(expected) + " needs " + std::to_string(needed));
}

void check_state(std::string_view op, const rt::BufferView& state) {
  check_bytes(op, "state", state, sizeof(StepState), "StepState");
}

std::string describe(const GatherShape& s) {
  if (!s.crop)
    return "y " + shape_string({s.n, s.pixels}) + " from " + std::to_string(s.image_count) + " images of " +
           std::to_string(s.pixels) + " pixels";
  const GatherCrop& c = *s.crop;
  return "y " + shape_string({s.n, c.channels, c.height, c.width}) + " windows from " +
         std::to_string(s.image_count) + " images of " +
         shape_string({c.channels, c.stored_height, c.stored_width});
}

// A crop's window lies within its image and is what y holds per image.
void check_crop(const char* op, const GatherShape& s) {
  if (!s.crop) return;
  const GatherCrop& c = *s.crop;
  if (c.height == 0 || c.width == 0 || uint64_t{c.channels} * c.height * c.width != s.pixels ||
      c.stored_height < c.height || c.stored_width < c.width || c.stored_bytes() > kMaxIndex)
    throw InputError(std::string(op) + ": cannot gather " + describe(s) + " (each window " +
                     std::to_string(s.pixels) + " pixels, within an image under 2^32 bytes)");
}

// Each image buffer holds the images GatherImages puts there (every one but a resident split's last holds
// per_buffer of them), packed from its own byte 0.
void check_image_buffers(const char* op, const GatherImages& images, const GatherShape& s) {
  const size_t buffers = images.buffers.size();
  if (buffers == 0 || buffers > kGatherBuffers || images.per_buffer == 0 ||
      uint64_t{images.per_buffer} * s.image_bytes() > kMaxIndex)
    throw InputError(std::string(op) + ": cannot read images from " + std::to_string(buffers) +
                     " buffers of " + std::to_string(images.per_buffer) + " images of " +
                     std::to_string(s.image_bytes()) + " pixels (1 to " + std::to_string(kGatherBuffers) +
                     " buffers, each under 2^32 bytes)");
  for (size_t i = 0; i < buffers; ++i) {
    const uint64_t before = uint64_t{images.per_buffer} * i;
    if (s.image_count <= before)
      throw InputError(std::string(op) + ": images buffer " + std::to_string(i) + " holds none of the " +
                       std::to_string(s.image_count) + " images (" + std::to_string(images.per_buffer) +
                       " per buffer)");
    const uint64_t held = std::min<uint64_t>(images.per_buffer, s.image_count - before);
    check_bytes(op, buffers == 1 ? std::string("images") : "images buffer " + std::to_string(i),
                images.buffers[i], (held * s.image_bytes() + 3) / 4 * 4,
                std::to_string(held) + " packed images of " + std::to_string(s.image_bytes()) + " pixels");
  }
}

void record_gather_impl(rt::Recorder& rec, rt::BufferView y, const GatherImages& images, rt::BufferView perm,
                        rt::BufferView state, bool from_state, uint32_t first, const GatherShape& s) {
  const char* op = "gather";
  const std::string text = describe(s);
  const uint64_t count = uint64_t{s.n} * s.pixels;
  if (count == 0 || s.image_count == 0 || count > kMaxIndex)
    throw InputError(std::string(op) + ": cannot gather " + text +
                     " (every size must be at least 1 and the batch under 2^32 pixels)");
  check_floats(op, "y", y, count, text);
  check_crop(op, s);
  check_image_buffers(op, images, s);
  const uint64_t perm_count = perm.size / sizeof(uint32_t);
  const uint64_t last = (from_state ? 0 : uint64_t{first}) + s.n;
  if (perm_count < last)
    throw InputError(std::string(op) + ": perm holds " + std::to_string(perm_count) +
                     " entries, a batch of " + std::to_string(s.n) + " from entry " +
                     std::to_string(from_state ? 0 : first) + " needs " + std::to_string(last));
  check_state(op, state);
  const auto buffers = static_cast<uint32_t>(images.buffers.size());
  const GatherCrop crop = s.crop.value_or(GatherCrop{1, 1, s.pixels, 1, s.pixels, false});
  const bool random = from_state && crop.random;
  const GatherPush push{s.n,
                        s.pixels,
                        s.image_count,
                        static_cast<uint32_t>(std::min(perm_count, kMaxIndex)),
                        from_state ? 1u : 0u,
                        first,
                        images.per_buffer,
                        buffers,
                        static_cast<uint32_t>(s.image_bytes()),
                        crop.height,
                        crop.width,
                        crop.stored_height,
                        crop.stored_width,
                        random ? static_cast<uint32_t>(RngStream::Crop) : 0u,
                        0,
                        0};
  // Unused image bindings see buffer 0 again (never read: the shader indexes below `buffers`).
  std::array<rt::BufferView, 3 + kGatherBuffers> bindings;
  bindings[0] = y;
  bindings[1] = perm;
  bindings[2] = state;
  for (uint32_t i = 0; i < kGatherBuffers; ++i) bindings[3 + i] = images.buffers[i < buffers ? i : 0];
  rec.dispatch(rec.pipeline(kGatherForward), bindings, &push, sizeof push,
               {rt::groups_for(count, kGatherForward.local.x)});
}

void record_noise_impl(rt::Recorder& rec, rt::BufferView y, rt::BufferView x, rt::BufferView state,
                       uint64_t count, bool from_state, uint32_t step, RngStream stream, uint32_t per_image) {
  const std::string shape = shape_string({count});
  if (count > kMaxIndex) throw InputError("noise: shape " + shape + " has more than 2^32 elements");
  check_floats("noise", "y", y, count, shape);
  check_floats("noise", "x", x, count, shape);
  check_state("noise", state);
  const NoisePush push{
      static_cast<uint32_t>(count), static_cast<uint32_t>(stream), from_state ? 1u : 0u, step, per_image, {}};
  rec.dispatch(rec.pipeline(kNoiseForward), {y, x, state}, push,
               {rt::groups_for(count, kNoiseForward.local.x)});
}

}  // namespace

std::vector<uint32_t> pack_pixels(std::span<const uint8_t> pixels) {
  std::vector<uint32_t> words((pixels.size() + 3) / 4, 0u);
  for (size_t k = 0; k < pixels.size(); ++k) words[k / 4] |= uint32_t{pixels[k]} << (8 * (k % 4));
  return words;
}

void record_gather(rt::Recorder& rec, rt::BufferView y, const GatherImages& images, rt::BufferView perm,
                   rt::BufferView state, const GatherShape& shape) {
  record_gather_impl(rec, y, images, perm, state, true, 0, shape);
}

void record_gather_at(rt::Recorder& rec, rt::BufferView y, const GatherImages& images, rt::BufferView perm,
                      rt::BufferView state, uint32_t first, const GatherShape& shape) {
  record_gather_impl(rec, y, images, perm, state, false, first, shape);
}

void record_gather(rt::Recorder& rec, rt::BufferView y, rt::BufferView images, rt::BufferView perm,
                   rt::BufferView state, const GatherShape& shape) {
  record_gather_impl(rec, y, {{&images, 1}, shape.image_count}, perm, state, true, 0, shape);
}

void record_gather_at(rt::Recorder& rec, rt::BufferView y, rt::BufferView images, rt::BufferView perm,
                      rt::BufferView state, uint32_t first, const GatherShape& shape) {
  record_gather_impl(rec, y, {{&images, 1}, shape.image_count}, perm, state, false, first, shape);
}

void record_noise(rt::Recorder& rec, rt::BufferView y, rt::BufferView x, rt::BufferView state, uint64_t count,
                  RngStream stream, uint32_t per_image) {
  record_noise_impl(rec, y, x, state, count, true, 0, stream, per_image);
}

void record_noise_at(rt::Recorder& rec, rt::BufferView y, rt::BufferView x, rt::BufferView state,
                     uint64_t count, uint32_t step, RngStream stream) {
  record_noise_impl(rec, y, x, state, count, false, step, stream, 0);
}

void record_downscale2x(rt::Recorder& rec, rt::BufferView y, rt::BufferView x, const Downscale2xShape& s) {
  const std::string text =
      "x " + shape_string({s.n, s.c, s.h, s.w}) + " -> y " + shape_string({s.n, s.c, s.h / 2, s.w / 2});
  if (s.out_count() == 0 || s.in_count() > kMaxIndex)
    throw InputError("downscale2x: cannot downscale " + text +
                     " (every output dimension must be at least 1 and the input under 2^32 elements)");
  check_floats("downscale2x", "y", y, s.out_count(), text);
  check_floats("downscale2x", "x", x, s.in_count(), text);
  const Downscale2xPush push{s.n * s.c, s.h, s.w, 0};
  rec.dispatch(rec.pipeline(kDownscale2xForward), {y, x}, push,
               {rt::groups_for(s.out_count(), kDownscale2xForward.local.x)});
}

WindowOffset gather_window(const GatherShape& shape, uint32_t entry, std::optional<GatherDraw> draw) {
  if (!shape.crop) return {};
  const GatherCrop& c = *shape.crop;
  const uint32_t spare_y = c.stored_height - c.height, spare_x = c.stored_width - c.width;
  if (!c.random || !draw) return {spare_y / 2, spare_x / 2};
  const auto r = philox4x32_10({entry, draw->epoch, static_cast<uint32_t>(RngStream::Crop), 0u},
                               {static_cast<uint32_t>(draw->seed), static_cast<uint32_t>(draw->seed >> 32)});
  return {r[0] % (spare_y + 1), r[1] % (spare_x + 1)};
}

template <typename T>
void gather_ref(std::span<T> y, std::span<const uint8_t> pixels, std::span<const uint32_t> perm,
                uint32_t first, const GatherShape& shape, std::optional<GatherDraw> draw) {
  const GatherCrop c = shape.crop.value_or(GatherCrop{1, 1, shape.pixels, 1, shape.pixels, false});
  const size_t bytes = shape.image_bytes();
  for (size_t b = 0; b < shape.n; ++b) {
    const auto entry = static_cast<uint32_t>(first + b);
    const WindowOffset at = gather_window(shape, entry, draw);
    const uint8_t* image = pixels.data() + size_t{perm[entry]} * bytes;
    T* out = y.data() + b * shape.pixels;
    // out [C, H, W] = image [C, Hs, Ws] from row at.y, column at.x
    for (size_t ch = 0; ch < c.channels; ++ch)
      for (size_t r = 0; r < c.height; ++r)
        for (size_t col = 0; col < c.width; ++col)
          out[(ch * c.height + r) * c.width + col] =
              T(image[(ch * c.stored_height + at.y + r) * c.stored_width + at.x + col]) / T(255);
  }
}

template <typename T>
void noise_ref(std::span<T> y, std::span<const T> x, uint64_t seed, uint32_t step, RngStream stream, T f) {
  for (size_t i = 0; i < x.size(); ++i) {
    const T n = T(normal_at(seed, static_cast<uint32_t>(i), step, stream));
    y[i] = std::clamp(x[i] + f * n, T(0), T(1));
  }
}

template <typename T>
void downscale2x_ref(std::span<T> y, std::span<const T> x, const Downscale2xShape& shape) {
  const size_t planes = size_t{shape.n} * shape.c, h = shape.h, w = shape.w, ho = h / 2, wo = w / 2;
  for (size_t plane = 0; plane < planes; ++plane)
    for (size_t r = 0; r < ho; ++r)
      for (size_t c = 0; c < wo; ++c) {
        const size_t top = (plane * h + 2 * r) * w + 2 * c;
        y[(plane * ho + r) * wo + c] = (((x[top] + x[top + 1]) + x[top + w]) + x[top + w + 1]) * T(0.25);
      }
}

template void gather_ref<float>(std::span<float>, std::span<const uint8_t>, std::span<const uint32_t>,
                                uint32_t, const GatherShape&, std::optional<GatherDraw>);
template void gather_ref<double>(std::span<double>, std::span<const uint8_t>, std::span<const uint32_t>,
                                 uint32_t, const GatherShape&, std::optional<GatherDraw>);
template void noise_ref<float>(std::span<float>, std::span<const float>, uint64_t, uint32_t, RngStream,
                               float);
template void noise_ref<double>(std::span<double>, std::span<const double>, uint64_t, uint32_t, RngStream,
                                double);
template void downscale2x_ref<float>(std::span<float>, std::span<const float>, const Downscale2xShape&);
template void downscale2x_ref<double>(std::span<double>, std::span<const double>, const Downscale2xShape&);

}  // namespace vkae::nn
