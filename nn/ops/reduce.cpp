// Reductions: the multi-level tree driver, whole-tensor and per-row sums, and their references.
#include "nn/ops/reduce.hpp"

#include <limits>
#include <vector>

#include "shaders/reduce_blocks.h"

namespace vkae::nn {

using rt::Access;

const rt::PipelineDesc kReduceSum{"reduce_sum",
                                  {Access::Write, Access::Read},
                                  sizeof(ReducePush),
                                  {VKAE_REDUCE_LOCAL, 1, 1},
                                  rt::Family::Reduce};

namespace {

// Each level's partials start on a 256-byte boundary (the largest minStorageBufferOffsetAlignment Vulkan
// allows), so every level is a valid sub-view of an aligned scratch view on any device.
constexpr uint64_t kLevelAlignFloats = 64;

uint64_t ceil_div(uint64_t a, uint64_t b) {
  return (a + b - 1) / b;
}

void check_count(const char* op, uint64_t count) {
  if (count == 0 || count > std::numeric_limits<uint32_t>::max())
    throw InputError(std::string(op) + ": cannot reduce " + std::to_string(count) + " elements (1..2^32-1)");
}

}  // namespace

uint64_t reduce_scratch_floats(uint64_t count) {
  uint64_t total = 0;
  for (uint64_t n = count; n > kReduceChunk; n = ceil_div(n, kReduceChunk))
    total += ceil_div(ceil_div(n, kReduceChunk), kLevelAlignFloats) * kLevelAlignFloats;
  return total;
}

void record_tree_sum(rt::Recorder& rec, const char* op, rt::BufferView out, rt::BufferView scratch,
                     uint64_t count, float scale, const rt::PipelineDesc& first,
                     std::span<const rt::BufferView> first_inputs) {
  check_count(op, count);
  check_floats(op, "out", out, 1, "[1]");
  const uint64_t need = reduce_scratch_floats(count);
  if (need > 0) check_floats(op, "scratch", scratch, need, shape_string({count}));

  const rt::PipelineDesc* desc = &first;
  std::vector<rt::BufferView> bindings(first_inputs.size() + 1);
  std::copy(first_inputs.begin(), first_inputs.end(), bindings.begin() + 1);
  uint64_t n = count, offset = 0;
  for (;;) {
    const uint64_t groups = ceil_div(n, kReduceChunk);
    const bool last = groups == 1;
    const rt::BufferView dst =
        last ? out.sub(0, sizeof(float)) : scratch.sub(offset * sizeof(float), groups * sizeof(float));
    bindings[0] = dst;
    const ReducePush push{static_cast<uint32_t>(n), kReduceChunk, last ? scale : 1.0f, 0};
    rec.dispatch(rec.pipeline(*desc), bindings, &push, sizeof(push), {static_cast<uint32_t>(groups)});
    if (last) return;
    offset += ceil_div(groups, kLevelAlignFloats) * kLevelAlignFloats;
    n = groups;
    desc = &kReduceSum;
    bindings = {rt::BufferView{}, dst};
  }
}

void record_sum(rt::Recorder& rec, rt::BufferView out, rt::BufferView in, uint64_t count, float scale,
                rt::BufferView scratch) {
  check_floats("reduce_sum", "in", in, count, shape_string({count}));
  const rt::BufferView inputs[] = {in};
  record_tree_sum(rec, "reduce_sum", out, scratch, count, scale, kReduceSum, inputs);
}

void record_row_sum(rt::Recorder& rec, rt::BufferView out, rt::BufferView in, uint64_t rows, uint64_t cols,
                    float scale) {
  const std::string shape = shape_string({rows, cols});
  check_count("reduce_rows", rows * cols);
  check_floats("reduce_rows", "out", out, rows, shape);
  check_floats("reduce_rows", "in", in, rows * cols, shape);
  const ReducePush push{static_cast<uint32_t>(rows * cols), static_cast<uint32_t>(cols), scale, 0};
  rec.dispatch(rec.pipeline(kReduceSum), {out, in}, push, {static_cast<uint32_t>(rows)});
}

template <typename T>
T sum_ref(std::span<const T> in, T scale) {
  double s = 0;
  for (T v : in) s += v;
  return static_cast<T>(s * scale);
}

template <typename T>
void row_sum_ref(std::span<T> out, std::span<const T> in, uint64_t rows, uint64_t cols, T scale) {
  for (uint64_t n = 0; n < rows; ++n) {
    double s = 0;
    for (uint64_t d = 0; d < cols; ++d) s += in[n * cols + d];
    out[n] = static_cast<T>(s * scale);
  }
}

template float sum_ref<float>(std::span<const float>, float);
template double sum_ref<double>(std::span<const double>, double);
template void row_sum_ref<float>(std::span<float>, std::span<const float>, uint64_t, uint64_t, float);
template void row_sum_ref<double>(std::span<double>, std::span<const double>, uint64_t, uint64_t, double);

}  // namespace vkae::nn
