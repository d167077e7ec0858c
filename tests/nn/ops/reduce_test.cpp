// Reductions: GPU whole-tensor and per-row sums against the double reference over counts that hit every tree
// shape (one partial, several, three levels), bit-reproducibility, and shape errors.
#include "nn/ops/reduce.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "tests/support/gpu.hpp"
#include "tests/support/numeric.hpp"

namespace vkae::nn {
namespace {

double abs_sum(std::span<const float> v) {
  double s = 0;
  for (float x : v) s += std::abs(x);
  return s;
}

rt::Buffer make_scratch(uint64_t count) {
  return test::make_output(std::max<uint64_t>(reduce_scratch_floats(count), 1));
}

TEST(ReduceReference, SumAndRowSumAgree) {
  const uint64_t rows = 3, cols = 37;
  const auto x = test::to_double(test::random_floats(rows * cols, 1));
  std::vector<double> per_row(rows);
  row_sum_ref<double>(per_row, x, rows, cols, 0.5);
  EXPECT_NEAR(sum_ref<double>(per_row, 2.0), sum_ref<double>(x, 1.0), 1e-12);
}

TEST(ReduceReference, ScratchSizeCoversEveryLevel) {
  EXPECT_EQ(reduce_scratch_floats(1), 0u);
  EXPECT_EQ(reduce_scratch_floats(kReduceChunk), 0u);
  EXPECT_EQ(reduce_scratch_floats(kReduceChunk + 1), 64u);  // 2 partials, padded
  // Three levels: 2049 partials (padded to 2112), then 2 (padded to 64), then the result.
  EXPECT_EQ(reduce_scratch_floats(uint64_t{kReduceChunk} * kReduceChunk + 1), 2176u);
}

class ReduceGpu : public test::GpuTest {};

float gpu_sum(const rt::Buffer& in, uint64_t count, float scale) {
  auto out = test::make_output(1);
  auto scratch = make_scratch(count);
  test::ctx().run_now(
      [&](rt::Recorder& rec) { record_sum(rec, out.view(), in.view(), count, scale, scratch.view()); });
  return test::download(out)[0];
}

TEST_F(ReduceGpu, ForwardMatchesReferenceOverTreeShapes) {
  // 1..one chunk (one level), several partials (two levels), > kReduceChunk^2 (three levels), model shapes.
  const uint64_t counts[] = {1,    7,    255,  256,    257,       2047,
                             2048, 2049, 4097, 100003, 128 * 784, uint64_t{kReduceChunk} * kReduceChunk + 3};
  double worst = 0;
  for (uint64_t count : counts) {
    const auto x = test::random_floats(count, static_cast<uint32_t>(count));
    const float scale = 1.0f / static_cast<float>(count);
    const double want = sum_ref<double>(test::to_double(x), scale);
    const float got = gpu_sum(test::upload(x), count, scale);
    // Float tree error bound: (levels of the tree ~ log2 count) * eps * Σ|x| * scale; 4x margin.
    const double tol = 4 * std::log2(2.0 * count) * 6e-8 * abs_sum(x) * scale + 1e-30;
    EXPECT_NEAR(got, want, tol) << "count " << count;
    worst = std::max(worst, std::abs(got - want));
  }
  test::report_error("reduce_sum_forward", worst);
}

TEST_F(ReduceGpu, ForwardIsBitIdenticalAcrossRuns) {
  const uint64_t count = 128 * 784 + 5;
  const auto x = test::random_floats(count, 7, -3.0f, 5.0f);
  auto in = test::upload(x);
  const float first = gpu_sum(in, count, 0.25f);
  for (int run = 0; run < 3; ++run) {
    const float again = gpu_sum(in, count, 0.25f);
    EXPECT_EQ(std::memcmp(&first, &again, sizeof(float)), 0) << first << " vs " << again;
  }
}

TEST_F(ReduceGpu, RowSumForwardMatchesReference) {
  const uint64_t shapes[][2] = {{3, 37}, {1, 1}, {5, 1000}, {128, 784}, {7, 256}};
  double worst = 0;
  for (const auto& s : shapes) {
    const uint64_t rows = s[0], cols = s[1];
    const auto x = test::random_floats(rows * cols, static_cast<uint32_t>(rows + cols));
    std::vector<double> want(rows);
    row_sum_ref<double>(want, test::to_double(x), rows, cols, 0.5);
    auto in = test::upload(x);
    auto out = test::make_output(rows);
    test::ctx().run_now(
        [&](rt::Recorder& rec) { record_row_sum(rec, out.view(), in.view(), rows, cols, 0.5f); });
    const auto got = test::to_double(test::download(out));
    EXPECT_TRUE(test::all_close(got, want, 1e-6 * static_cast<double>(cols))) << rows << "x" << cols;
    worst = std::max(worst, test::compare(got, want).max_abs);
  }
  test::report_error("reduce_rows_forward", worst);
}

TEST_F(ReduceGpu, RejectsShortScratchNamingTheShape) {
  const uint64_t count = 5000;
  auto in = test::make_output(count), out = test::make_output(1), scratch = test::make_output(10);
  try {
    test::ctx().run_now(
        [&](rt::Recorder& rec) { record_sum(rec, out.view(), in.view(), count, 1.0f, scratch.view()); });
    FAIL() << "no error for a 10-float scratch";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "reduce_sum: scratch holds 10 floats, shape [5000] needs 64");
  }
}

TEST_F(ReduceGpu, RejectsShortInputNamingTheShape) {
  auto in = test::make_output(36), out = test::make_output(3);
  try {
    test::ctx().run_now([&](rt::Recorder& rec) { record_row_sum(rec, out.view(), in.view(), 3, 13); });
    FAIL() << "no error for a 36-float input of shape [3, 13]";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "reduce_rows: in holds 36 floats, shape [3, 13] needs 39");
  }
}

}  // namespace
}  // namespace vkae::nn
