// Max pooling op: pipeline descriptions, recording with shape checks, and the CPU reference.
#include "nn/ops/maxpool2d.hpp"

#include <limits>

namespace vkae::nn {

using rt::Access;

// Both shaders run one invocation per output row (plane, oh).
constexpr uint32_t kLocal = 64;  // the shaders' default width: rt::Workgroups::pool on this device
const rt::PipelineDesc kMaxpool2dForward{"maxpool2d_forward",
                                         {Access::Write, Access::Read},
                                         sizeof(Maxpool2dPush),
                                         {kLocal, 1, 1},
                                         rt::Family::Pool};
const rt::PipelineDesc kMaxpool2dBackward{"maxpool2d_backward",
                                          {Access::ReadWrite, Access::Read, Access::Read},
                                          sizeof(Maxpool2dPush),
                                          {kLocal, 1, 1},
                                          rt::Family::Pool};

namespace {

const char* padding_name(PoolPadding p) {
  return p == PoolPadding::Same ? "same" : "valid";
}

// Shapes as the messages print them: "x [3, 5, 7, 9] -> y [3, 5, 4, 5] (same)".
std::string describe(const Maxpool2dShape& s) {
  return "x " + shape_string({s.n, s.c, s.h, s.w}) + " -> y " +
         shape_string({s.n, s.c, s.out_h(), s.out_w()}) + " (" + padding_name(s.padding) + ")";
}

void check_shape(const char* op, const Maxpool2dShape& s) {
  if (s.out_count() == 0 || s.in_count() > std::numeric_limits<uint32_t>::max())
    throw InputError(std::string(op) + ": cannot pool " + describe(s) +
                     " (every output dimension must be at least 1 and the input under 2^32 elements)");
}

Maxpool2dPush make_push(const Maxpool2dShape& s, Grad grad) {
  return {s.n * s.c, s.h, s.w, s.out_h(), s.out_w(), static_cast<uint32_t>(grad), 0, 0.0f};
}

rt::Groups row_groups(const rt::Pipeline& pipeline, const Maxpool2dShape& s) {
  return {rt::groups_for(uint64_t{s.n} * s.c * s.out_h(), pipeline.local().x)};
}

}  // namespace

void record_maxpool2d_forward(rt::Recorder& rec, rt::BufferView y, rt::BufferView x,
                              const Maxpool2dShape& shape) {
  check_shape("maxpool2d_forward", shape);
  const std::string text = describe(shape);
  check_floats("maxpool2d_forward", "y", y, shape.out_count(), text);
  check_floats("maxpool2d_forward", "x", x, shape.in_count(), text);
  const rt::Pipeline& pipeline = rec.pipeline(kMaxpool2dForward);
  rec.dispatch(pipeline, {y, x}, make_push(shape, Grad::Overwrite), row_groups(pipeline, shape));
}

void record_maxpool2d_backward(rt::Recorder& rec, rt::BufferView dx, rt::BufferView dy, rt::BufferView x,
                               const Maxpool2dShape& shape, Grad grad, FusedActivation through) {
  check_shape("maxpool2d_backward", shape);
  const std::string text = describe(shape);
  check_floats("maxpool2d_backward", "dx", dx, shape.in_count(), text);
  check_floats("maxpool2d_backward", "dy", dy, shape.out_count(), text);
  check_floats("maxpool2d_backward", "x", x, shape.in_count(), text);
  Maxpool2dPush push = make_push(shape, grad);
  push.act = static_cast<uint32_t>(through.kind);
  push.alpha = through.alpha;
  const rt::Pipeline& pipeline = rec.pipeline(kMaxpool2dBackward);
  rec.dispatch(pipeline, {dx, dy, x}, push, row_groups(pipeline, shape));
}

// The arg-max (flat index into x) of window (plane, oh, ow): first maximum in row-major window order.
template <typename T>
static size_t window_argmax(std::span<const T> x, const Maxpool2dShape& s, size_t plane, size_t oh,
                            size_t ow) {
  const size_t base = plane * s.h * s.w;
  size_t best = base + 2 * oh * s.w + 2 * ow;
  for (size_t r = 2 * oh; r < 2 * oh + 2 && r < s.h; ++r)
    for (size_t c = 2 * ow; c < 2 * ow + 2 && c < s.w; ++c)
      if (x[base + r * s.w + c] > x[best]) best = base + r * s.w + c;
  return best;
}

template <typename T>
void maxpool2d_forward_ref(std::span<T> y, std::span<const T> x, const Maxpool2dShape& shape) {
  const size_t planes = size_t{shape.n} * shape.c, ho = shape.out_h(), wo = shape.out_w();
  for (size_t plane = 0; plane < planes; ++plane)
    for (size_t oh = 0; oh < ho; ++oh)
      for (size_t ow = 0; ow < wo; ++ow)
        y[(plane * ho + oh) * wo + ow] = x[window_argmax(x, shape, plane, oh, ow)];
}

template <typename T>
void maxpool2d_backward_ref(std::span<T> dx, std::span<const T> dy, std::span<const T> x,
                            const Maxpool2dShape& shape) {
  const size_t planes = size_t{shape.n} * shape.c, ho = shape.out_h(), wo = shape.out_w();
  for (size_t i = 0; i < shape.in_count(); ++i) dx[i] = T(0);
  for (size_t plane = 0; plane < planes; ++plane)
    for (size_t oh = 0; oh < ho; ++oh)
      for (size_t ow = 0; ow < wo; ++ow)
        dx[window_argmax(x, shape, plane, oh, ow)] += dy[(plane * ho + oh) * wo + ow];
}

template void maxpool2d_forward_ref<float>(std::span<float>, std::span<const float>, const Maxpool2dShape&);
template void maxpool2d_forward_ref<double>(std::span<double>, std::span<const double>,
                                            const Maxpool2dShape&);
template void maxpool2d_backward_ref<float>(std::span<float>, std::span<const float>, std::span<const float>,
                                            const Maxpool2dShape&);
template void maxpool2d_backward_ref<double>(std::span<double>, std::span<const double>,
                                             std::span<const double>, const Maxpool2dShape&);

}  // namespace vkae::nn
