// Deterministic sums: a whole tensor into one float (a fixed multi-level tree: workgroups of 256 reduce
// 2048-element chunks into partials in a scratch view, further dispatches reduce the partials) and one sum
// per row of [N, D]. Same inputs on the same device give identical bits. No float atomics anywhere.
// The tree driver is shared with the loss forwards, whose first level computes the loss terms on the fly.
#pragma once
#include <cstdint>
#include <span>

#include "nn/ops/common.hpp"
#include "runtime/commands.hpp"

namespace vkae::nn {

// Elements one workgroup sums at each level of a whole-tensor sum (256 threads x 8).
inline constexpr uint32_t kReduceChunk = 2048;

// Shared by every reduction-shaped shader (reduce_sum and the loss forwards): workgroup g sums elements
// [g*span, (g+1)*span) of count and writes scale * sum to out[g].
struct ReducePush {
  uint32_t count;
  uint32_t span;
  float scale;
  uint32_t pad;
};
static_assert(sizeof(ReducePush) == 16);

extern const rt::PipelineDesc kReduceSum;

// Floats of scratch record_sum (and the loss forwards) need for `count` elements: the partials of every
// level but the last, each level starting on a 256-byte boundary. 0 when count <= kReduceChunk (one level).
uint64_t reduce_scratch_floats(uint64_t count);

// out[0] = scale * Σ in[0..count) (overwritten). scratch: reduce_scratch_floats(count) floats (may be an
// empty view when that is 0), its offset aligned like any binding (arena views are).
void record_sum(rt::Recorder& rec, rt::BufferView out, rt::BufferView in, uint64_t count, float scale,
                rt::BufferView scratch);

// out[n] = scale * Σ_d in[n, d] for in [rows, cols] (overwritten): per-image sums, e.g. anomaly scores.
void record_row_sum(rt::Recorder& rec, rt::BufferView out, rt::BufferView in, uint64_t rows, uint64_t cols,
                    float scale = 1.0f);

// The tree driver: the first level dispatches `first` with bindings {partials, first_inputs...} and a
// ReducePush; later levels are reduce_sum. `op` names the caller in error messages.
void record_tree_sum(rt::Recorder& rec, const char* op, rt::BufferView out, rt::BufferView scratch,
                     uint64_t count, float scale, const rt::PipelineDesc& first,
                     std::span<const rt::BufferView> first_inputs);

// References: plain loops, double accumulation.
template <typename T>
T sum_ref(std::span<const T> in, T scale);
template <typename T>
void row_sum_ref(std::span<T> out, std::span<const T> in, uint64_t rows, uint64_t cols, T scale);

}  // namespace vkae::nn
