// Nearest upsampling by 2: reference vs finite differences, GPU vs reference (odd and model shapes),
// accumulation, and shape errors.
#include "nn/ops/upsample2d.hpp"

#include <gtest/gtest.h>

#include "tests/support/gpu.hpp"
#include "tests/support/numeric.hpp"

namespace vkae::nn {
namespace {

using test::all_close;

TEST(Upsample2dReference, ForwardRepeatsEachPixel) {
  const Upsample2dShape s{1, 1, 1, 2};
  const std::vector<float> x = {1, 2};
  std::vector<float> y(s.out_count());
  upsample2d_forward_ref<float>(y, x, s);
  EXPECT_EQ(y, (std::vector<float>{1, 1, 2, 2, 1, 1, 2, 2}));
}

TEST(Upsample2dReference, BackwardMatchesFiniteDifferences) {
  const Upsample2dShape s{2, 3, 3, 5};
  const auto x = test::to_double(test::random_floats(s.in_count(), 1));
  const auto w = test::to_double(test::random_floats(s.out_count(), 2));
  auto loss = [&](const std::vector<double>& xv) {
    std::vector<double> y(s.out_count());
    upsample2d_forward_ref<double>(y, xv, s);
    return test::weighted_sum(y, w);
  };
  std::vector<double> dx(s.in_count());
  upsample2d_backward_ref<double>(dx, w, s);
  EXPECT_TRUE(all_close(dx, test::finite_difference(loss, x), 1e-7, 1e-6));
}

class Upsample2dGpu : public test::GpuTest {};

// Forward copies exactly; the backward sums four floats in the reference's order, so it matches bit for bit
// unless the compiler contracts differently: the tolerance allows one rounding of a sum of four.
void check_forward_backward(const Upsample2dShape& s, uint32_t seed, const std::string& what) {
  const auto x = test::random_floats(s.in_count(), seed);
  const auto dy = test::random_floats(s.out_count(), seed + 1);
  std::vector<float> y_ref(s.out_count()), dx_ref(s.in_count());
  upsample2d_forward_ref<float>(y_ref, x, s);
  upsample2d_backward_ref<float>(dx_ref, dy, s);
  auto xb = test::upload(x), dyb = test::upload(dy);
  auto yb = test::make_output(s.out_count()), dxb = test::make_output(s.in_count());
  test::ctx().run_now([&](rt::Recorder& rec) {
    record_upsample2d_forward(rec, yb.view(), xb.view(), s);
    record_upsample2d_backward(rec, dxb.view(), dyb.view(), s);
  });
  const auto y = test::download(yb), dx = test::download(dxb);
  EXPECT_TRUE(all_close(y, y_ref, 0.0)) << what << " forward";
  EXPECT_TRUE(all_close(dx, dx_ref, 1e-6)) << what << " backward";
  test::report_error("upsample2d_forward", test::compare(y, y_ref).max_abs);
  test::report_error("upsample2d_backward", test::compare(dx, dx_ref).max_abs);
}

TEST_F(Upsample2dGpu, ForwardBackwardOddShape) {
  check_forward_backward({3, 5, 7, 9}, 11, "odd");
}
TEST_F(Upsample2dGpu, ForwardBackwardModelShape7To14) {
  check_forward_backward({128, 32, 7, 7}, 12, "7to14");
}
TEST_F(Upsample2dGpu, ForwardBackwardModelShape14To28) {
  check_forward_backward({128, 32, 14, 14}, 13, "14to28");
}

TEST_F(Upsample2dGpu, BackwardAccumulates) {
  const Upsample2dShape s{3, 5, 7, 9};
  const auto dy = test::random_floats(s.out_count(), 4);
  const auto before = test::random_floats(s.in_count(), 5);
  std::vector<float> dx_ref(s.in_count());
  upsample2d_backward_ref<float>(dx_ref, dy, s);
  for (size_t i = 0; i < dx_ref.size(); ++i) dx_ref[i] += before[i];
  auto dyb = test::upload(dy), dxb = test::upload(before);
  test::ctx().run_now([&](rt::Recorder& rec) {
    record_upsample2d_backward(rec, dxb.view(), dyb.view(), s, Grad::Accumulate);
  });
  const auto dx = test::download(dxb);
  EXPECT_TRUE(all_close(dx, dx_ref, 1e-6));
  test::report_error("upsample2d_backward", test::compare(dx, dx_ref).max_abs);
}

TEST_F(Upsample2dGpu, ForwardRejectsShortBufferNamingTheShapes) {
  auto x = test::make_output(3 * 5 * 7 * 9), y = test::make_output(3 * 5 * 7 * 9);
  try {
    test::ctx().run_now([&](rt::Recorder& rec) {
      record_upsample2d_forward(rec, y.view(), x.view(), {3, 5, 7, 9});
    });
    FAIL() << "no error for a y as small as x";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(),
                 "upsample2d_forward: y holds 945 floats, shape x [3, 5, 7, 9] -> y [3, 5, 14, 18] "
                 "needs 3780");
  }
}

TEST_F(Upsample2dGpu, BackwardRejectsShortBufferNamingTheShapes) {
  auto dx = test::make_output(4), dy = test::make_output(8);
  try {
    test::ctx().run_now([&](rt::Recorder& rec) {
      record_upsample2d_backward(rec, dx.view(), dy.view(), {1, 1, 2, 2});
    });
    FAIL() << "no error for an 8-float dy";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(),
                 "upsample2d_backward: dy holds 8 floats, shape x [1, 1, 2, 2] -> y [1, 1, 4, 4] needs 16");
  }
}

}  // namespace
}  // namespace vkae::nn
