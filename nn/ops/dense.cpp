// Dense op: pipeline descriptions, recording with shape checks, and the CPU reference.
#include "nn/ops/dense.hpp"

#include <limits>

#include "shaders/dense_blocks.h"

namespace vkae::nn {

using rt::Access;

const rt::PipelineDesc kDenseForward{"dense_forward",
                                     {Access::Write, Access::Read, Access::Read, Access::Read},
                                     sizeof(DensePush),
                                     {VKAE_DENSE_LOCAL, 1, 1},
                                     rt::Family::Dense};
const rt::PipelineDesc kDenseBackwardInput{"dense_backward_input",
                                           {Access::ReadWrite, Access::Read, Access::Read},
                                           sizeof(DensePush),
                                           {VKAE_DENSE_LOCAL, 1, 1},
                                           rt::Family::Dense};
const rt::PipelineDesc kDenseBackwardParams{
    "dense_backward_params",
    {Access::ReadWrite, Access::ReadWrite, Access::Read, Access::Read},
    sizeof(DensePush),
    {VKAE_DENSE_LOCAL, 1, 1},
    rt::Family::Dense};

namespace {

constexpr uint64_t kBM = VKAE_DENSE_ROW_BLOCK, kBN = VKAE_DENSE_COL_BLOCK;  // dense.glsl's kBM, kBN

std::string shape_of(const DenseShape& s) {
  return "N=" + std::to_string(s.n) + ", D_in=" + std::to_string(s.d_in) +
         ", D_out=" + std::to_string(s.d_out);
}

void check_shape(const char* op, const DenseShape& s) {
  constexpr uint64_t kMax = std::numeric_limits<uint32_t>::max();
  if (s.n == 0 || s.d_in == 0 || s.d_out == 0 || s.n * s.d_in > kMax || s.n * s.d_out > kMax ||
      s.d_in * s.d_out > kMax)
    throw InputError(std::string(op) + ": unsupported shape " + shape_of(s));
}

DensePush push_for(const DenseShape& s, Grad grad) {
  return {static_cast<uint32_t>(s.n),
          static_cast<uint32_t>(s.d_in),
          static_cast<uint32_t>(s.d_out),
          static_cast<uint32_t>(grad),
          0,
          0.0f,
          0,
          0};
}

// One invocation per kBM x kBN block of the product, workgroups of the pipeline's width.
rt::Groups groups_for_blocks(const rt::Pipeline& pipeline, uint64_t rows, uint64_t cols) {
  const uint64_t blocks = ((rows + kBM - 1) / kBM) * ((cols + kBN - 1) / kBN);
  return {rt::groups_for(blocks, pipeline.local().x)};
}

}  // namespace

void record_dense_forward(rt::Recorder& rec, rt::BufferView y, rt::BufferView x, rt::BufferView w,
                          rt::BufferView b, const DenseShape& s, FusedActivation f) {
  check_shape("dense_forward", s);
  check_floats("dense_forward", "y", y, s.n * s.d_out, shape_string({s.n, s.d_out}));
  check_floats("dense_forward", "x", x, s.n * s.d_in, shape_string({s.n, s.d_in}));
  check_floats("dense_forward", "W", w, s.d_out * s.d_in, shape_string({s.d_out, s.d_in}));
  check_floats("dense_forward", "b", b, s.d_out, shape_string({s.d_out}));
  DensePush push = push_for(s, Grad::Overwrite);
  push.act = static_cast<uint32_t>(f.kind);
  push.alpha = f.alpha;
  const rt::Pipeline& pipeline = rec.pipeline(kDenseForward);
  rec.dispatch(pipeline, {y, x, w, b}, push, groups_for_blocks(pipeline, s.n, s.d_out));
}

void record_dense_backward_input(rt::Recorder& rec, rt::BufferView dx, rt::BufferView dy, rt::BufferView w,
                                 const DenseShape& s, Grad grad) {
  check_shape("dense_backward", s);
  check_floats("dense_backward", "dx", dx, s.n * s.d_in, shape_string({s.n, s.d_in}));
  check_floats("dense_backward", "dy", dy, s.n * s.d_out, shape_string({s.n, s.d_out}));
  check_floats("dense_backward", "W", w, s.d_out * s.d_in, shape_string({s.d_out, s.d_in}));
  const rt::Pipeline& pipeline = rec.pipeline(kDenseBackwardInput);
  rec.dispatch(pipeline, {dx, dy, w}, push_for(s, grad), groups_for_blocks(pipeline, s.n, s.d_in));
}

void record_dense_backward_params(rt::Recorder& rec, rt::BufferView dw, rt::BufferView db, rt::BufferView dy,
                                  rt::BufferView x, const DenseShape& s, Grad grad) {
  check_shape("dense_backward", s);
  check_floats("dense_backward", "dW", dw, s.d_out * s.d_in, shape_string({s.d_out, s.d_in}));
  check_floats("dense_backward", "db", db, s.d_out, shape_string({s.d_out}));
  check_floats("dense_backward", "dy", dy, s.n * s.d_out, shape_string({s.n, s.d_out}));
  check_floats("dense_backward", "x", x, s.n * s.d_in, shape_string({s.n, s.d_in}));
  const rt::Pipeline& pipeline = rec.pipeline(kDenseBackwardParams);
  rec.dispatch(pipeline, {dw, db, dy, x}, push_for(s, grad), groups_for_blocks(pipeline, s.d_out, s.d_in));
}

void record_dense_backward(rt::Recorder& rec, rt::BufferView dx, rt::BufferView dw, rt::BufferView db,
                           rt::BufferView dy, rt::BufferView x, rt::BufferView w, const DenseShape& s,
                           Grad dx_grad, Grad param_grad) {
  if (dx.size != 0) record_dense_backward_input(rec, dx, dy, w, s, dx_grad);
  record_dense_backward_params(rec, dw, db, dy, x, s, param_grad);
}

template <typename T>
void dense_forward_ref(std::span<T> y, std::span<const T> x, std::span<const T> w, std::span<const T> b,
                       const DenseShape& s) {
  for (uint64_t n = 0; n < s.n; ++n)
    for (uint64_t o = 0; o < s.d_out; ++o) {
      double acc = b[o];
      for (uint64_t i = 0; i < s.d_in; ++i) acc += double(x[n * s.d_in + i]) * double(w[o * s.d_in + i]);
      y[n * s.d_out + o] = static_cast<T>(acc);
    }
}

template <typename T>
void dense_backward_ref(std::span<T> dx, std::span<T> dw, std::span<T> db, std::span<const T> dy,
                        std::span<const T> x, std::span<const T> w, const DenseShape& s) {
  if (!dx.empty())
    for (uint64_t n = 0; n < s.n; ++n)
      for (uint64_t i = 0; i < s.d_in; ++i) {
        double acc = 0;
        for (uint64_t o = 0; o < s.d_out; ++o) acc += double(dy[n * s.d_out + o]) * double(w[o * s.d_in + i]);
        dx[n * s.d_in + i] = static_cast<T>(acc);
      }
  for (uint64_t o = 0; o < s.d_out; ++o) {
    double bias = 0;
    for (uint64_t n = 0; n < s.n; ++n) bias += dy[n * s.d_out + o];
    db[o] = static_cast<T>(bias);
    for (uint64_t i = 0; i < s.d_in; ++i) {
      double acc = 0;
      for (uint64_t n = 0; n < s.n; ++n) acc += double(dy[n * s.d_out + o]) * double(x[n * s.d_in + i]);
      dw[o * s.d_in + i] = static_cast<T>(acc);
    }
  }
}

template void dense_forward_ref<float>(std::span<float>, std::span<const float>, std::span<const float>,
                                       std::span<const float>, const DenseShape&);
template void dense_forward_ref<double>(std::span<double>, std::span<const double>, std::span<const double>,
                                        std::span<const double>, const DenseShape&);
template void dense_backward_ref<float>(std::span<float>, std::span<float>, std::span<float>,
                                        std::span<const float>, std::span<const float>,
                                        std::span<const float>, const DenseShape&);
template void dense_backward_ref<double>(std::span<double>, std::span<double>, std::span<double>,
                                         std::span<const double>, std::span<const double>,
                                         std::span<const double>, const DenseShape&);

}  // namespace vkae::nn
