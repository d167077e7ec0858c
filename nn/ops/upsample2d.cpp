// Upsampling op: pipeline descriptions, recording with shape checks, and the CPU reference.
#include "nn/ops/upsample2d.hpp"

#include <limits>

namespace vkae::nn {

using rt::Access;

// Both shaders run one invocation per input row (plane, h).
constexpr uint32_t kLocal = 64;  // the shaders' default width: rt::Workgroups::pool on this device
const rt::PipelineDesc kUpsample2dForward{"upsample2d_forward",
                                          {Access::Write, Access::Read},
                                          sizeof(Upsample2dPush),
                                          {kLocal, 1, 1},
                                          rt::Family::Pool};
const rt::PipelineDesc kUpsample2dBackward{"upsample2d_backward",
                                           {Access::ReadWrite, Access::Read, Access::Read},
                                           sizeof(Upsample2dPush),
                                           {kLocal, 1, 1},
                                           rt::Family::Pool};

namespace {

std::string describe(const Upsample2dShape& s) {
  return "x " + shape_string({s.n, s.c, s.h, s.w}) + " -> y " +
         shape_string({s.n, s.c, uint64_t{2} * s.h, uint64_t{2} * s.w});
}

void check_shape(const char* op, const Upsample2dShape& s) {
  if (s.in_count() == 0 || s.out_count() > std::numeric_limits<uint32_t>::max())
    throw InputError(std::string(op) + ": cannot upsample " + describe(s) +
                     " (every dimension must be at least 1 and the output under 2^32 elements)");
}

rt::Groups row_groups(const rt::Pipeline& pipeline, const Upsample2dShape& s) {
  return {rt::groups_for(uint64_t{s.n} * s.c * s.h, pipeline.local().x)};
}

}  // namespace

void record_upsample2d_forward(rt::Recorder& rec, rt::BufferView y, rt::BufferView x,
                               const Upsample2dShape& shape) {
  check_shape("upsample2d_forward", shape);
  const std::string text = describe(shape);
  check_floats("upsample2d_forward", "y", y, shape.out_count(), text);
  check_floats("upsample2d_forward", "x", x, shape.in_count(), text);
  const Upsample2dPush push{shape.n * shape.c, shape.h, shape.w, 0, 0, 0.0f, 0, 0};
  const rt::Pipeline& pipeline = rec.pipeline(kUpsample2dForward);
  rec.dispatch(pipeline, {y, x}, push, row_groups(pipeline, shape));
}

void record_upsample2d_backward(rt::Recorder& rec, rt::BufferView dx, rt::BufferView dy, rt::BufferView x,
                                const Upsample2dShape& shape, FusedActivation through, Grad grad) {
  check_shape("upsample2d_backward", shape);
  const std::string text = describe(shape);
  check_floats("upsample2d_backward", "dx", dx, shape.in_count(), text);
  check_floats("upsample2d_backward", "dy", dy, shape.out_count(), text);
  check_floats("upsample2d_backward", "x", x, shape.in_count(), text);
  const Upsample2dPush push{
      shape.n * shape.c, shape.h, shape.w, static_cast<uint32_t>(grad), static_cast<uint32_t>(through.kind),
      through.alpha,     0,       0};
  const rt::Pipeline& pipeline = rec.pipeline(kUpsample2dBackward);
  rec.dispatch(pipeline, {dx, dy, x}, push, row_groups(pipeline, shape));
}

void record_upsample2d_backward(rt::Recorder& rec, rt::BufferView dx, rt::BufferView dy,
                                const Upsample2dShape& shape, Grad grad) {
  check_shape("upsample2d_backward", shape);
  check_floats("upsample2d_backward", "dy", dy, shape.out_count(), describe(shape));
  // The shader reads binding 2 only when it continues through an activation: the first quarter of dy (never
  // read) fills the slot.
  record_upsample2d_backward(rec, dx, dy, dy.sub(0, shape.in_count() * sizeof(float)), shape,
                             FusedActivation{}, grad);
}

template <typename T>
void upsample2d_forward_ref(std::span<T> y, std::span<const T> x, const Upsample2dShape& shape) {
  const size_t planes = size_t{shape.n} * shape.c, h = shape.h, w = shape.w;
  for (size_t plane = 0; plane < planes; ++plane)
    for (size_t r = 0; r < 2 * h; ++r)
      for (size_t s = 0; s < 2 * w; ++s)
        y[(plane * 2 * h + r) * 2 * w + s] = x[(plane * h + r / 2) * w + s / 2];
}

template <typename T>
void upsample2d_backward_ref(std::span<T> dx, std::span<const T> dy, const Upsample2dShape& shape) {
  const size_t planes = size_t{shape.n} * shape.c, h = shape.h, w = shape.w;
  for (size_t plane = 0; plane < planes; ++plane)
    for (size_t r = 0; r < h; ++r)
      for (size_t s = 0; s < w; ++s) {
        T sum = 0;
        for (size_t dr = 0; dr < 2; ++dr)
          for (size_t ds = 0; ds < 2; ++ds) sum += dy[(plane * 2 * h + 2 * r + dr) * 2 * w + 2 * s + ds];
        dx[(plane * h + r) * w + s] = sum;
      }
}

template void upsample2d_forward_ref<float>(std::span<float>, std::span<const float>, const Upsample2dShape&);
template void upsample2d_forward_ref<double>(std::span<double>, std::span<const double>,
                                             const Upsample2dShape&);
template void upsample2d_backward_ref<float>(std::span<float>, std::span<const float>,
                                             const Upsample2dShape&);
template void upsample2d_backward_ref<double>(std::span<double>, std::span<const double>,
                                              const Upsample2dShape&);

}  // namespace vkae::nn
