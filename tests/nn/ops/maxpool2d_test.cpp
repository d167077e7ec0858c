// Max pooling: reference vs finite differences (tie-free inputs), TF 'same'/'valid' sizes and tie rule, GPU
// vs reference (odd and model shapes, both paddings), accumulation, and shape errors.
#include "nn/ops/maxpool2d.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "nn/rng.hpp"
#include "tests/support/gpu.hpp"
#include "tests/support/numeric.hpp"

namespace vkae::nn {
namespace {

using test::all_close;

// Distinct values at least 0.01 apart (a shuffled progression): no ties, and a 1e-6 step never changes an
// arg-max.
std::vector<double> tie_free(size_t n, uint64_t seed) {
  std::vector<double> x(n);
  std::iota(x.begin(), x.end(), 0.0);
  HostRng rng(seed);
  for (size_t i = n; i > 1; --i) std::swap(x[i - 1], x[rng.below(i)]);
  for (double& v : x) v = (v - double(n) / 2) * 0.01;
  return x;
}

TEST(Maxpool2dReference, OutputSizesFollowTensorFlow) {
  EXPECT_EQ((Maxpool2dShape{1, 1, 7, 9, PoolPadding::Same}.out_h()), 4u);
  EXPECT_EQ((Maxpool2dShape{1, 1, 7, 9, PoolPadding::Same}.out_w()), 5u);
  EXPECT_EQ((Maxpool2dShape{1, 1, 7, 9, PoolPadding::Valid}.out_h()), 3u);
  EXPECT_EQ((Maxpool2dShape{1, 1, 7, 9, PoolPadding::Valid}.out_w()), 4u);
  EXPECT_EQ((Maxpool2dShape{1, 1, 28, 28, PoolPadding::Same}.out_h()), 14u);
}

TEST(Maxpool2dReference, ForwardPaddedCellsNeverWinAndTiesGoFirst) {
  // 3x3 all negative, 'same': the padded last row/column must not contribute a 0.
  const Maxpool2dShape s{1, 1, 3, 3, PoolPadding::Same};
  const std::vector<float> x = {-5, -4, -3, -2, -1, -6, -7, -8, -9};
  std::vector<float> y(4);
  maxpool2d_forward_ref<float>(y, x, s);
  EXPECT_EQ(y, (std::vector<float>{-1, -3, -7, -9}));
  // A window of equal values routes the whole gradient to its first (top-left) cell.
  const Maxpool2dShape t{1, 1, 2, 2, PoolPadding::Valid};
  const std::vector<float> ties = {2, 2, 2, 2}, dy = {1.5f};
  std::vector<float> dx(4);
  maxpool2d_backward_ref<float>(dx, dy, ties, t);
  EXPECT_EQ(dx, (std::vector<float>{1.5f, 0, 0, 0}));
}

TEST(Maxpool2dReference, BackwardMatchesFiniteDifferences) {
  for (PoolPadding padding : {PoolPadding::Same, PoolPadding::Valid}) {
    const Maxpool2dShape s{2, 3, 5, 7, padding};
    const auto x = tie_free(s.in_count(), 1);
    const auto w = test::to_double(test::random_floats(s.out_count(), 2));
    auto loss = [&](const std::vector<double>& xv) {
      std::vector<double> y(s.out_count());
      maxpool2d_forward_ref<double>(y, xv, s);
      return test::weighted_sum(y, w);
    };
    std::vector<double> dx(s.in_count());
    maxpool2d_backward_ref<double>(dx, w, x, s);
    EXPECT_TRUE(all_close(dx, test::finite_difference(loss, x), 1e-7, 1e-6)) << int(padding);
  }
}

class Maxpool2dGpu : public test::GpuTest {};

// Forward and backward on the GPU against the reference; pooling only selects and copies, so both are exact.
void check_forward_backward(const Maxpool2dShape& s, uint32_t seed) {
  const auto x = test::random_floats(s.in_count(), seed);
  const auto dy = test::random_floats(s.out_count(), seed + 1);
  std::vector<float> y_ref(s.out_count()), dx_ref(s.in_count());
  maxpool2d_forward_ref<float>(y_ref, x, s);
  maxpool2d_backward_ref<float>(dx_ref, dy, x, s);

  auto xb = test::upload(x), dyb = test::upload(dy);
  auto yb = test::make_output(s.out_count()), dxb = test::make_output(s.in_count());
  test::ctx().run_now([&](rt::Recorder& rec) {
    record_maxpool2d_forward(rec, yb.view(), xb.view(), s);
    record_maxpool2d_backward(rec, dxb.view(), dyb.view(), xb.view(), s);
  });
  const auto y = test::download(yb), dx = test::download(dxb);
  const std::string what = s.padding == PoolPadding::Same ? "same" : "valid";
  EXPECT_TRUE(all_close(y, y_ref, 0.0)) << what << " forward";
  EXPECT_TRUE(all_close(dx, dx_ref, 0.0)) << what << " backward";
  test::report_error("maxpool2d_forward", test::compare(y, y_ref).max_abs);
  test::report_error("maxpool2d_backward", test::compare(dx, dx_ref).max_abs);
}

TEST_F(Maxpool2dGpu, ForwardBackwardOddShapeSame) {
  check_forward_backward({3, 5, 7, 9, PoolPadding::Same}, 11);
}
TEST_F(Maxpool2dGpu, ForwardBackwardOddShapeValid) {
  check_forward_backward({3, 5, 7, 9, PoolPadding::Valid}, 12);
}
TEST_F(Maxpool2dGpu, ForwardBackwardModelShape28To14) {
  check_forward_backward({128, 32, 28, 28, PoolPadding::Same}, 13);
}
TEST_F(Maxpool2dGpu, ForwardBackwardModelShape14To7) {
  check_forward_backward({128, 32, 14, 14, PoolPadding::Same}, 14);
}
TEST_F(Maxpool2dGpu, ForwardBackwardModelShape7To4Same) {
  check_forward_backward({128, 32, 7, 7, PoolPadding::Same}, 15);
}

TEST_F(Maxpool2dGpu, ForwardBackwardTiesGoToFirstCell) {
  const Maxpool2dShape s{1, 2, 3, 3, PoolPadding::Same};
  std::vector<float> x(s.in_count(), -1.0f);  // all tied, all negative: padded cells must not win either
  const auto dy = test::random_floats(s.out_count(), 3);
  std::vector<float> y_ref(s.out_count()), dx_ref(s.in_count());
  maxpool2d_forward_ref<float>(y_ref, x, s);
  maxpool2d_backward_ref<float>(dx_ref, dy, x, s);
  auto xb = test::upload(x), dyb = test::upload(dy);
  auto yb = test::make_output(s.out_count()), dxb = test::make_output(s.in_count());
  test::ctx().run_now([&](rt::Recorder& rec) {
    record_maxpool2d_forward(rec, yb.view(), xb.view(), s);
    record_maxpool2d_backward(rec, dxb.view(), dyb.view(), xb.view(), s);
  });
  EXPECT_TRUE(all_close(test::download(yb), y_ref, 0.0));
  EXPECT_TRUE(all_close(test::download(dxb), dx_ref, 0.0));
  EXPECT_EQ(dx_ref[0], dy[0]);  // the top-left cell of the first window took the whole gradient
  EXPECT_EQ(dx_ref[1], 0.0f);
}

TEST_F(Maxpool2dGpu, BackwardAccumulates) {
  const Maxpool2dShape s{3, 5, 7, 9, PoolPadding::Valid};
  const auto x = test::random_floats(s.in_count(), 4);
  const auto dy = test::random_floats(s.out_count(), 5);
  const auto before = test::random_floats(s.in_count(), 6);
  std::vector<float> dx_ref(s.in_count());
  maxpool2d_backward_ref<float>(dx_ref, dy, x, s);
  for (size_t i = 0; i < dx_ref.size(); ++i) dx_ref[i] += before[i];
  auto xb = test::upload(x), dyb = test::upload(dy), dxb = test::upload(before);
  test::ctx().run_now([&](rt::Recorder& rec) {
    record_maxpool2d_backward(rec, dxb.view(), dyb.view(), xb.view(), s, Grad::Accumulate);
  });
  const auto dx = test::download(dxb);
  EXPECT_TRUE(all_close(dx, dx_ref, 0.0));
  test::report_error("maxpool2d_backward", test::compare(dx, dx_ref).max_abs);
}

TEST_F(Maxpool2dGpu, ForwardRejectsShortBufferNamingTheShapes) {
  auto x = test::make_output(3 * 5 * 7 * 9), y = test::make_output(10);
  try {
    test::ctx().run_now([&](rt::Recorder& rec) {
      record_maxpool2d_forward(rec, y.view(), x.view(), {3, 5, 7, 9, PoolPadding::Same});
    });
    FAIL() << "no error for a 10-float y";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(),
                 "maxpool2d_forward: y holds 10 floats, shape x [3, 5, 7, 9] -> y [3, 5, 4, 5] (same) "
                 "needs 300");
  }
}

TEST_F(Maxpool2dGpu, BackwardRejectsEmptyOutputNamingTheShapes) {
  auto b = test::make_output(16);
  try {
    test::ctx().run_now([&](rt::Recorder& rec) {
      record_maxpool2d_backward(rec, b.view(), b.view(), b.view(), {1, 1, 1, 4, PoolPadding::Valid});
    });
    FAIL() << "no error for a 1-row map under 'valid'";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("x [1, 1, 1, 4] -> y [1, 1, 0, 2] (valid)"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace vkae::nn
