// conv_transpose2d: output sizes, the PyTorch relation, adjointness to conv2d, reference vs finite
// differences, GPU vs reference (odd and model shapes), accumulation, skipping dx, shape errors.
#include "nn/ops/conv_transpose2d.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <functional>

#include "tests/support/gpu.hpp"
#include "tests/support/numeric.hpp"

namespace vkae::nn {
namespace {

using test::all_close;

template <typename T>
std::vector<T> abs_of(const std::vector<T>& v) {
  std::vector<T> out(v.size());
  for (size_t i = 0; i < v.size(); ++i) out[i] = std::abs(v[i]);
  return out;
}

// |got - want| <= rel * (sum of |terms| making element i) everywhere.
::testing::AssertionResult close_to_scale(const std::vector<float>& got, const std::vector<float>& want,
                                          const std::vector<float>& scale, double rel) {
  if (got.size() != want.size()) return ::testing::AssertionFailure() << "sizes differ";
  for (size_t i = 0; i < got.size(); ++i) {
    const double err = std::abs(double(got[i]) - want[i]);
    if (!(err <= rel * scale[i] + 1e-30))
      return ::testing::AssertionFailure()
             << "element " << i << " of " << got.size() << ": got " << got[i] << ", want " << want[i]
             << ", |diff| " << err << " > " << rel << " * sum|terms| " << scale[i];
  }
  return ::testing::AssertionSuccess();
}

TEST(ConvTranspose2dReference, OutputSizesFollowKeras) {
  const ConvTranspose2dShape same{1, 1, 7, 5, 1, 3, 3, 2, Padding::Same};
  EXPECT_EQ(same.H_out(), 14u);
  EXPECT_EQ(same.W_out(), 10u);
  const ConvTranspose2dShape valid{1, 1, 7, 5, 1, 3, 3, 2, Padding::Valid};
  EXPECT_EQ(valid.H_out(), 15u);  // H*s + max(K - s, 0)
  const ConvTranspose2dShape valid_small_k{1, 1, 7, 5, 1, 1, 1, 2, Padding::Valid};
  EXPECT_EQ(valid_small_k.H_out(), 14u);
}

// x = [[1,2],[3,4]], w = 1..9 (3x3), stride 2, 'same'. The expected values are torch 1.13's
// conv_transpose2d(x, w, stride=2, padding=0)[:4, :4]; torch's padding=1, output_padding=1 gives the same
// numbers shifted one pixel up-left (its [i][j] is ours [i+1][j+1]), see the header.
TEST(ConvTranspose2dReference, ForwardMatchesPyTorchPadding0Cropped) {
  const ConvTranspose2dShape s{1, 1, 2, 2, 1, 3, 3, 2, Padding::Same};
  std::vector<float> x{1, 2, 3, 4}, w(9), b{0}, y(16);
  for (int i = 0; i < 9; ++i) w[i] = float(i + 1);
  conv_transpose2d_forward_ref<float>(y, x, w, b, s);
  EXPECT_EQ(y, (std::vector<float>{1, 2, 5, 4, 4, 5, 14, 10, 10, 14, 36, 24, 12, 15, 34, 20}));
}

// <conv2d(u), v> == <u, conv_transpose2d(v)> for the conv2d of as_conv(), biases zero.
TEST(ConvTranspose2dReference, ForwardIsTheAdjointOfConv2d) {
  for (const ConvTranspose2dShape& s : {ConvTranspose2dShape{2, 3, 4, 5, 2, 3, 3, 2, Padding::Same},
                                        ConvTranspose2dShape{1, 2, 3, 3, 3, 4, 5, 3, Padding::Same},
                                        ConvTranspose2dShape{2, 2, 3, 4, 2, 3, 2, 2, Padding::Valid}}) {
    const Conv2dShape c = s.as_conv();
    const auto u = test::to_double(test::random_floats(c.x_count(), 1));  // shaped like our y
    const auto v = test::to_double(test::random_floats(s.x_count(), 2));  // shaped like our x
    const auto w = test::to_double(test::random_floats(s.w_count(), 3));
    std::vector<double> cu(c.y_count()), tv(s.y_count()), zb_c(c.C_out, 0.0), zb_t(s.C_out, 0.0);
    conv2d_forward_ref<double>(cu, u, w, zb_c, c);
    conv_transpose2d_forward_ref<double>(tv, v, w, zb_t, s);
    EXPECT_NEAR(test::weighted_sum(cu, v), test::weighted_sum(u, tv), 1e-10) << s.str();
  }
}

void check_reference_gradients(const ConvTranspose2dShape& s) {
  const auto x = test::to_double(test::random_floats(s.x_count(), 1));
  const auto w = test::to_double(test::random_floats(s.w_count(), 2));
  const auto b = test::to_double(test::random_floats(s.C_out, 3));
  const auto r = test::to_double(test::random_floats(s.y_count(), 4));
  auto forward = [&](const std::vector<double>& xv, const std::vector<double>& wv,
                     const std::vector<double>& bv) {
    std::vector<double> y(s.y_count());
    conv_transpose2d_forward_ref<double>(y, xv, wv, bv, s);
    return test::weighted_sum(y, r);
  };
  std::vector<double> dx(s.x_count()), dw(s.w_count()), db(s.C_out);
  conv_transpose2d_backward_ref<double>(dx, dw, db, r, x, w, s);
  const auto fx = test::finite_difference([&](const std::vector<double>& v) { return forward(v, w, b); }, x);
  const auto fw = test::finite_difference([&](const std::vector<double>& v) { return forward(x, v, b); }, w);
  const auto fb = test::finite_difference([&](const std::vector<double>& v) { return forward(x, w, v); }, b);
  EXPECT_TRUE(all_close(dx, fx, 1e-7, 1e-6)) << "dx " << s.str();
  EXPECT_TRUE(all_close(dw, fw, 1e-7, 1e-6)) << "dw " << s.str();
  EXPECT_TRUE(all_close(db, fb, 1e-7, 1e-6)) << "db " << s.str();
}

TEST(ConvTranspose2dReference, BackwardMatchesFiniteDifferences) {
  check_reference_gradients({2, 3, 3, 4, 2, 3, 3, 2, Padding::Same});
  check_reference_gradients({2, 2, 3, 3, 3, 4, 4, 2, Padding::Same});
  check_reference_gradients({1, 2, 4, 3, 2, 3, 3, 1, Padding::Same});
  check_reference_gradients({2, 2, 3, 3, 2, 3, 2, 2, Padding::Valid});
  check_reference_gradients({1, 3, 3, 2, 2, 1, 1, 2, Padding::Same});  // K < s: zeros between pixels
}

class ConvTranspose2dGpu : public test::GpuTest {};

struct Data {
  std::vector<float> x, w, b, dy;
};
Data make_data(const ConvTranspose2dShape& s, uint32_t seed) {
  return {test::random_floats(s.x_count(), seed), test::random_floats(s.w_count(), seed + 1),
          test::random_floats(s.C_out, seed + 2), test::random_floats(s.y_count(), seed + 3)};
}

// GPU forward + backward against the reference; tolerance 1e-5 of the sum of |terms| of each element.
void check_gpu(const ConvTranspose2dShape& s, uint32_t seed) {
  SCOPED_TRACE(s.str());
  const Data d = make_data(s, seed);
  std::vector<float> y_ref(s.y_count()), dx_ref(s.x_count()), dw_ref(s.w_count()), db_ref(s.C_out);
  std::vector<float> y_sc(s.y_count()), dx_sc(s.x_count()), dw_sc(s.w_count()), db_sc(s.C_out);
  conv_transpose2d_forward_ref<float>(y_ref, d.x, d.w, d.b, s);
  conv_transpose2d_backward_ref<float>(dx_ref, dw_ref, db_ref, d.dy, d.x, d.w, s);
  conv_transpose2d_forward_ref<float>(y_sc, abs_of(d.x), abs_of(d.w), abs_of(d.b), s);
  conv_transpose2d_backward_ref<float>(dx_sc, dw_sc, db_sc, abs_of(d.dy), abs_of(d.x), abs_of(d.w), s);

  auto xb = test::upload(d.x), wb = test::upload(d.w), bb = test::upload(d.b), dyb = test::upload(d.dy);
  auto yb = test::make_output(s.y_count()), dxb = test::make_output(s.x_count());
  auto dwb = test::make_output(s.w_count()), dbb = test::make_output(s.C_out);
  test::ctx().run_now([&](rt::Recorder& rec) {
    record_conv_transpose2d_forward(rec, yb.view(), xb.view(), wb.view(), bb.view(), s);
    record_conv_transpose2d_backward(rec, dxb.view(), dwb.view(), dbb.view(), dyb.view(), xb.view(),
                                     wb.view(), s);
  });
  const auto y = test::download(yb), dx = test::download(dxb), dw = test::download(dwb),
             db = test::download(dbb);
  constexpr double kRel = 1e-5;
  EXPECT_TRUE(close_to_scale(y, y_ref, y_sc, kRel)) << "forward";
  EXPECT_TRUE(close_to_scale(dx, dx_ref, dx_sc, kRel)) << "dx";
  EXPECT_TRUE(close_to_scale(dw, dw_ref, dw_sc, kRel)) << "dw";
  EXPECT_TRUE(close_to_scale(db, db_ref, db_sc, kRel)) << "db";
  test::report_error("conv_transpose2d_forward", test::compare(y, y_ref).max_abs);
  test::report_error("conv_transpose2d_backward_input", test::compare(dx, dx_ref).max_abs);
  test::report_error("conv_transpose2d_backward_weight", test::compare(dw, dw_ref).max_abs);
  test::report_error("conv_transpose2d_backward_bias", test::compare(db, db_ref).max_abs);
}

TEST_F(ConvTranspose2dGpu, ForwardBackwardOddShapes) {
  uint32_t seed = 10;
  for (uint32_t k : {3u, 5u, 1u, 4u})
    for (uint32_t stride : {2u, 1u, 3u})
      for (Padding pad : {Padding::Same, Padding::Valid})
        check_gpu({3, 5, 7, 9, 4, k, k, stride, pad}, seed++);
  check_gpu({2, 6, 5, 4, 9, 3, 2, 2, Padding::Same}, seed++);  // non-square kernel, 9 output channels
}

// The denoising AE's decoder (Keras Conv2DTranspose(32, 3, strides=2, padding='same'): 7->14 and 14->28) at
// the training batch of 128, one test per layer.
TEST_F(ConvTranspose2dGpu, ForwardBackwardModelShape32To32From7To14) {
  check_gpu({128, 32, 7, 7, 32, 3, 3, 2, Padding::Same}, 40);
}
TEST_F(ConvTranspose2dGpu, ForwardBackwardModelShape32To32From14To28) {
  check_gpu({128, 32, 14, 14, 32, 3, 3, 2, Padding::Same}, 41);
}

TEST_F(ConvTranspose2dGpu, BackwardAccumulatesAndSkipsDx) {
  const ConvTranspose2dShape s{3, 5, 7, 9, 4, 3, 3, 2, Padding::Same};
  const Data d = make_data(s, 50);
  std::vector<float> dx_ref(s.x_count()), dw_ref(s.w_count()), db_ref(s.C_out);
  conv_transpose2d_backward_ref<float>(dx_ref, dw_ref, db_ref, d.dy, d.x, d.w, s);
  const auto dx0 = test::random_floats(s.x_count(), 51), dw0 = test::random_floats(s.w_count(), 52);
  const auto db0 = test::random_floats(s.C_out, 53);
  auto xb = test::upload(d.x), wb = test::upload(d.w), dyb = test::upload(d.dy);
  auto dxb = test::upload(dx0), dwb = test::upload(dw0), dbb = test::upload(db0);
  auto dw2 = test::make_output(s.w_count()), db2 = test::make_output(s.C_out);
  test::ctx().run_now([&](rt::Recorder& rec) {
    record_conv_transpose2d_backward(rec, dxb.view(), dwb.view(), dbb.view(), dyb.view(), xb.view(),
                                     wb.view(), s, Grad::Accumulate);
    record_conv_transpose2d_backward(rec, rt::BufferView{}, dw2.view(), db2.view(), dyb.view(), xb.view(),
                                     wb.view(), s);
  });
  auto plus = [](std::vector<float> a, const std::vector<float>& b) {
    for (size_t i = 0; i < a.size(); ++i) a[i] += b[i];
    return a;
  };
  EXPECT_TRUE(all_close(test::download(dxb), plus(dx_ref, dx0), 1e-5, 1e-5)) << "dx";
  EXPECT_TRUE(all_close(test::download(dwb), plus(dw_ref, dw0), 1e-5, 1e-5)) << "dw";
  EXPECT_TRUE(all_close(test::download(dbb), plus(db_ref, db0), 1e-5, 1e-5)) << "db";
  EXPECT_TRUE(all_close(test::download(dw2), dw_ref, 1e-5, 1e-5)) << "dw without dx";
  EXPECT_TRUE(all_close(test::download(db2), db_ref, 1e-5, 1e-5)) << "db without dx";
}

TEST_F(ConvTranspose2dGpu, RejectsBadShapesNamingThem) {
  const ConvTranspose2dShape s{3, 5, 7, 9, 4, 3, 3, 2, Padding::Same};
  auto small = test::make_output(10), big = test::make_output(8000);
  try {
    test::ctx().run_now([&](rt::Recorder& rec) {
      record_conv_transpose2d_forward(rec, big.view(), big.view(), small.view(), big.view(), s);
    });
    FAIL() << "no error for a 10-float w";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(),
                 "conv_transpose2d_forward: w holds 10 floats, shape x [3, 5, 7, 9], w [5, 4, 3, 3], "
                 "stride 2, same -> y [3, 4, 14, 18] needs 180");
  }
  try {
    test::ctx().run_now([&](rt::Recorder& rec) {
      record_conv_transpose2d_backward(rec, big.view(), big.view(), big.view(), big.view(), big.view(),
                                       big.view(),
                                       ConvTranspose2dShape{3, 5, 7, 9, 4, 3, 3, 0, Padding::Same});
    });
    FAIL() << "no error for stride 0";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("x [3, 5, 7, 9], w [5, 4, 3, 3], stride 0"), std::string::npos)
        << e.what();
  }
}

// A quick measurement, not a benchmark: the decoder's two layers at batch 128, forward and forward+backward,
// best of 3 after a warm-up. Run with --gtest_also_run_disabled_tests.
TEST_F(ConvTranspose2dGpu, DISABLED_ForwardBackwardTimingBatch128) {
  for (const ConvTranspose2dShape& s : {ConvTranspose2dShape{128, 32, 7, 7, 32, 3, 3, 2, Padding::Same},
                                        ConvTranspose2dShape{128, 32, 14, 14, 32, 3, 3, 2, Padding::Same}}) {
    const Data d = make_data(s, 70);
    auto xb = test::upload(d.x), wb = test::upload(d.w), bb = test::upload(d.b), dyb = test::upload(d.dy);
    auto yb = test::make_output(s.y_count()), dxb = test::make_output(s.x_count());
    auto dwb = test::make_output(s.w_count()), dbb = test::make_output(s.C_out);
    const double macs = double(s.x_count()) * s.C_out * s.KH * s.KW;  // useful products (no stride zeros)
    auto time = [&](const char* what, double flops, const std::function<void(rt::Recorder&)>& fn) {
      test::ctx().run_now(fn);  // warm-up
      double best = 1e30, best_cpu = 1e30;
      for (int i = 0; i < 3; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        const std::clock_t c0 = std::clock();
        test::ctx().run_now(fn);
        best_cpu = std::min(best_cpu, double(std::clock() - c0) / CLOCKS_PER_SEC);
        best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      }
      std::printf("[vkae-time] conv_transpose2d %s %s: %.1f ms wall, %.2f GFLOP/s; %.1f ms CPU\n", what,
                  s.str().c_str(), best * 1e3, flops / best * 1e-9, best_cpu * 1e3);
    };
    time("forward", 2 * macs, [&](rt::Recorder& rec) {
      record_conv_transpose2d_forward(rec, yb.view(), xb.view(), wb.view(), bb.view(), s);
    });
    time("forward+backward", 6 * macs, [&](rt::Recorder& rec) {
      record_conv_transpose2d_forward(rec, yb.view(), xb.view(), wb.view(), bb.view(), s);
      record_conv_transpose2d_backward(rec, dxb.view(), dwb.view(), dbb.view(), dyb.view(), xb.view(),
                                       wb.view(), s);
    });
  }
}

}  // namespace
}  // namespace vkae::nn
