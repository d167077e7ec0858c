// conv2d: TF padding rules, reference vs finite differences, GPU vs reference (odd and model shapes) for the
// forward pass and all three gradients, accumulation, skipping dx, determinism, shape errors.
#include "nn/ops/conv2d.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>
#include <string>
#include <vector>

#include "nn/ops/conv2d_pack.hpp"
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

// |got - want| <= rel * scale_i + 1e-30 everywhere, where scale_i = sum of |terms| that make element i (the
// same op run on absolute values): float32 sums of n terms err by ~n*eps*scale at worst, ~sqrt(n)*eps
// typically.
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

TEST(Conv2dReference, SamePaddingFollowsTensorFlow) {
  // TF: H_out = ceil(H/s), pad_total = max((H_out-1)*s + K - H, 0), the odd row at the bottom.
  const Conv2dShape a{1, 1, 7, 7, 1, 3, 3, 2, Padding::Same};
  EXPECT_EQ(a.H_out(), 4u);
  EXPECT_EQ(a.pad_top(), 1u);  // total 2
  const Conv2dShape b{1, 1, 6, 4, 1, 3, 3, 2, Padding::Same};
  EXPECT_EQ(b.H_out(), 3u);
  EXPECT_EQ(b.pad_top(), 0u);  // total 1: all at the bottom
  EXPECT_EQ(b.W_out(), 2u);
  const Conv2dShape c{1, 1, 28, 28, 1, 5, 5, 1, Padding::Same};
  EXPECT_EQ(c.H_out(), 28u);
  EXPECT_EQ(c.pad_top(), 2u);
  const Conv2dShape d{1, 1, 7, 9, 1, 3, 5, 2, Padding::Valid};
  EXPECT_EQ(d.H_out(), 3u);
  EXPECT_EQ(d.W_out(), 3u);
  EXPECT_EQ(d.pad_top(), 0u);

  // x = 1..16 (4x4), w = ones(3x3), stride 2, same: pad 0 before, 1 after. Values from torch on
  // F.pad(x, (0, 1, 0, 1)) followed by conv2d(stride=2).
  std::vector<float> x(16), w(9, 1.0f), bias{0.0f}, y(4);
  for (int i = 0; i < 16; ++i) x[i] = float(i + 1);
  conv2d_forward_ref<float>(y, x, w, bias, Conv2dShape{1, 1, 4, 4, 1, 3, 3, 2, Padding::Same});
  EXPECT_EQ(y, (std::vector<float>{54, 45, 72, 54}));
}

void check_reference_gradients(const Conv2dShape& s) {
  const auto x = test::to_double(test::random_floats(s.x_count(), 1));
  const auto w = test::to_double(test::random_floats(s.w_count(), 2));
  const auto b = test::to_double(test::random_floats(s.C_out, 3));
  const auto r = test::to_double(test::random_floats(s.y_count(), 4));  // dL/dy of L = sum r*y
  auto forward = [&](const std::vector<double>& xv, const std::vector<double>& wv,
                     const std::vector<double>& bv) {
    std::vector<double> y(s.y_count());
    conv2d_forward_ref<double>(y, xv, wv, bv, s);
    return test::weighted_sum(y, r);
  };
  std::vector<double> dx(s.x_count()), dw(s.w_count()), db(s.C_out);
  conv2d_backward_ref<double>(dx, dw, db, r, x, w, s);
  const auto fx = test::finite_difference([&](const std::vector<double>& v) { return forward(v, w, b); }, x);
  const auto fw = test::finite_difference([&](const std::vector<double>& v) { return forward(x, v, b); }, w);
  const auto fb = test::finite_difference([&](const std::vector<double>& v) { return forward(x, w, v); }, b);
  EXPECT_TRUE(all_close(dx, fx, 1e-7, 1e-6)) << "dx " << s.str();
  EXPECT_TRUE(all_close(dw, fw, 1e-7, 1e-6)) << "dw " << s.str();
  EXPECT_TRUE(all_close(db, fb, 1e-7, 1e-6)) << "db " << s.str();
}

TEST(Conv2dReference, BackwardMatchesFiniteDifferences) {
  check_reference_gradients({2, 3, 5, 6, 2, 3, 3, 1, Padding::Same});
  check_reference_gradients({2, 3, 5, 6, 2, 3, 3, 2, Padding::Same});
  check_reference_gradients({2, 2, 6, 7, 3, 2, 3, 2, Padding::Same});  // even kernel: pad_total odd
  check_reference_gradients({1, 2, 7, 6, 2, 3, 2, 2, Padding::Valid});
  check_reference_gradients({2, 3, 4, 5, 2, 1, 1, 1, Padding::Valid});
}

class Conv2dGpu : public test::GpuTest {};

// The forward's and input gradient's scratch (packed weights); one float where the shape needs none.
rt::Buffer forward_scratch(const Conv2dShape& s) {
  return test::make_output(std::max<uint64_t>(1, conv2d_scratch_floats(s)), "scratch");
}

struct Data {
  std::vector<float> x, w, b, dy;
};
Data make_data(const Conv2dShape& s, uint32_t seed) {
  return {test::random_floats(s.x_count(), seed), test::random_floats(s.w_count(), seed + 1),
          test::random_floats(s.C_out, seed + 2), test::random_floats(s.y_count(), seed + 3)};
}

// GPU forward + backward against the reference; tolerance 1e-5 of the sum of |terms| of each element.
void check_gpu(const Conv2dShape& s, uint32_t seed) {
  SCOPED_TRACE(s.str());
  const Data d = make_data(s, seed);
  std::vector<float> y_ref(s.y_count()), dx_ref(s.x_count()), dw_ref(s.w_count()), db_ref(s.C_out);
  std::vector<float> y_sc(s.y_count()), dx_sc(s.x_count()), dw_sc(s.w_count()), db_sc(s.C_out);
  conv2d_forward_ref<float>(y_ref, d.x, d.w, d.b, s);
  conv2d_backward_ref<float>(dx_ref, dw_ref, db_ref, d.dy, d.x, d.w, s);
  conv2d_forward_ref<float>(y_sc, abs_of(d.x), abs_of(d.w), abs_of(d.b), s);
  conv2d_backward_ref<float>(dx_sc, dw_sc, db_sc, abs_of(d.dy), abs_of(d.x), abs_of(d.w), s);

  auto xb = test::upload(d.x), wb = test::upload(d.w), bb = test::upload(d.b), dyb = test::upload(d.dy);
  auto yb = test::make_output(s.y_count()), dxb = test::make_output(s.x_count());
  auto dwb = test::make_output(s.w_count()), dbb = test::make_output(s.C_out);
  const rt::Buffer scratch = forward_scratch(s);
  test::ctx().run_now([&](rt::Recorder& rec) {
    record_conv2d_forward(rec, yb.view(), xb.view(), wb.view(), bb.view(), scratch.view(), s);
    record_conv2d_backward(rec, dxb.view(), dwb.view(), dbb.view(), dyb.view(), xb.view(), wb.view(),
                           scratch.view(), s);
  });
  const auto y = test::download(yb), dx = test::download(dxb), dw = test::download(dwb),
             db = test::download(dbb);
  constexpr double kRel = 1e-5;
  EXPECT_TRUE(close_to_scale(y, y_ref, y_sc, kRel)) << "forward";
  EXPECT_TRUE(close_to_scale(dx, dx_ref, dx_sc, kRel)) << "dx";
  EXPECT_TRUE(close_to_scale(dw, dw_ref, dw_sc, kRel)) << "dw";
  EXPECT_TRUE(close_to_scale(db, db_ref, db_sc, kRel)) << "db";
  test::report_error("conv2d_forward", test::compare(y, y_ref).max_abs);
  test::report_error("conv2d_backward_input", test::compare(dx, dx_ref).max_abs);
  test::report_error("conv2d_backward_weight", test::compare(dw, dw_ref).max_abs);
  test::report_error("conv2d_backward_bias", test::compare(db, db_ref).max_abs);
}

TEST_F(Conv2dGpu, ForwardBackwardOddShapes) {
  uint32_t seed = 10;
  for (uint32_t k : {3u, 5u, 1u})
    for (uint32_t stride : {1u, 2u})
      for (Padding pad : {Padding::Same, Padding::Valid})
        check_gpu({3, 5, 7, 9, 4, k, k, stride, pad}, seed++);
  check_gpu({3, 5, 7, 9, 4, 2, 3, 3, Padding::Same}, seed++);  // non-square even kernel, stride 3
  check_gpu({2, 6, 8, 5, 9, 4, 4, 2, Padding::Same}, seed++);  // pad_total odd on both axes, 9 channels
  // Stride 1 input gradients run as a flipped forward gather padded by K-1-pad: even kernels pad unevenly.
  check_gpu({2, 3, 6, 7, 4, 2, 4, 1, Padding::Same}, seed++);
  check_gpu({2, 3, 6, 7, 10, 4, 2, 1, Padding::Valid}, seed++);
  // 9 input channels: the forward takes conv2d_forward_wide.comp (8 pixels per invocation; W_out 9 leaves a
  // tail)
  for (uint32_t k : {3u, 5u})
    for (uint32_t stride : {1u, 2u})
      for (Padding pad : {Padding::Same, Padding::Valid})
        check_gpu({2, 9, 7, 9, 5, k, k, stride, pad}, seed++);
}

// The model's layers take the uniform kernels; a layer whose packed weights exceed the uniform block
// (64 -> 72 channels: 162 KiB) the storage ones, checked here against the reference like every path; so do
// the 1-channel kernels past it (2000 channels: 70 KiB of w).
TEST_F(Conv2dGpu, WeightsBeyondTheUniformBlockTakeTheStorageKernels) {
  const VkPhysicalDeviceLimits& limits = test::ctx().device().limits();
  const Conv2dShape model{128, 32, 14, 14, 32, 3, 3, 1, Padding::Same},
      big{1, 64, 5, 6, 72, 3, 3, 1, Padding::Same};
  for (WeightPacking k : {WeightPacking::Forward, WeightPacking::InputGrad}) {
    EXPECT_TRUE(conv2d_uniform_weights(model, k, limits));
    EXPECT_FALSE(conv2d_uniform_weights(big, k, limits));
  }
  check_gpu(big, 92);
  EXPECT_FALSE(uniform_block_fits(2000 * 9 * sizeof(float), limits));
  EXPECT_TRUE(uniform_block_fits(32 * 9 * sizeof(float), limits));
  check_gpu({1, 1, 4, 5, 2000, 3, 3, 1, Padding::Same}, 93);  // conv2d_forward_1ch
  check_gpu({1, 2000, 4, 5, 1, 3, 3, 1, Padding::Same}, 94);  // conv2d_backward_input_1ch
}

// One input or one output channel: 3x3 stride 1 takes conv2d_backward_weight_3x3.comp (variant 1 when the
// input has more channels), the rest the general kernel; 9 and 5 channels leave tails in its channel blocks.
// One output channel, 3x3 stride 1 takes conv2d_forward_rows.comp (8-row blocks: 19 rows leave a tail) and
// conv2d_backward_input_1ch.comp; one input channel (and several output ones) conv2d_forward_1ch.comp.
TEST_F(Conv2dGpu, ForwardBackwardOneChannelShapes) {
  uint32_t seed = 100;
  for (uint32_t k : {3u, 5u, 1u})
    for (uint32_t stride : {1u, 2u})
      for (Padding pad : {Padding::Same, Padding::Valid}) {
        check_gpu({3, 1, 7, 9, 5, k, k, stride, pad}, seed++);
        check_gpu({3, 5, 7, 9, 1, k, k, stride, pad}, seed++);
      }
  check_gpu({2, 1, 8, 5, 9, 3, 3, 1, Padding::Same}, seed++);
  check_gpu({2, 9, 8, 5, 1, 3, 3, 1, Padding::Valid}, seed++);
  check_gpu({2, 1, 4, 3, 1, 3, 3, 1, Padding::Same}, seed++);  // one channel on both sides
  check_gpu({1, 1, 1, 1, 3, 3, 3, 1, Padding::Same}, seed++);  // 1x1 image: all taps but the centre pad
  check_gpu({1, 2, 1, 1, 1, 3, 3, 1, Padding::Same}, seed++);
  check_gpu({2, 3, 19, 6, 1, 3, 3, 1, Padding::Same}, seed++);
  check_gpu({2, 3, 19, 6, 1, 3, 3, 1, Padding::Valid}, seed++);
}

// The weight gradient alone against the reference (the other passes are slow on 1-wide images and covered
// above).
void check_backward_weight(const Conv2dShape& s, uint32_t seed) {
  SCOPED_TRACE(s.str());
  const Data d = make_data(s, seed);
  std::vector<float> dw_ref(s.w_count()), dw_sc(s.w_count()), db_ref(s.C_out);
  conv2d_backward_ref<float>({}, dw_ref, db_ref, d.dy, d.x, d.w, s);
  conv2d_backward_ref<float>({}, dw_sc, db_ref, abs_of(d.dy), abs_of(d.x), abs_of(d.w), s);
  auto xb = test::upload(d.x), dyb = test::upload(d.dy), dwb = test::make_output(s.w_count());
  test::ctx().run_now(
      [&](rt::Recorder& rec) { record_conv2d_backward_weight(rec, dwb.view(), dyb.view(), xb.view(), s); });
  EXPECT_TRUE(close_to_scale(test::download(dwb), dw_ref, dw_sc, 1e-5)) << "dw";
}

// llvmpipe silently ends an invocation after 65535 loop trips; conv2d_backward_weight_3x3 takes 3 per row of
// a 1-wide image, so 2 x 720000 rows (22500 per invocation) need one dispatch per image.
TEST_F(Conv2dGpu, BackwardWeight3x3SplitsLargeBatches) {
  check_backward_weight({2, 1, 720000, 1, 1, 3, 3, 1, Padding::Same}, 120);  // the vec4 kernel
  check_backward_weight({2, 2, 720000, 1, 1, 3, 3, 1, Padding::Same}, 121);
  check_backward_weight({3, 1, 480001, 1, 1, 3, 3, 1, Padding::Same}, 122);  // odd sizes: the float one
}

// The general weight-gradient kernel (any other kernel size or stride) has the same ceiling: 4 images of
// 720000 x 1 with a 5x5 kernel are 45000 rows per invocation, 2-3 trips each, in one dispatch.
TEST_F(Conv2dGpu, BackwardWeightGeneralKernelSplitsLargeBatches) {
  check_backward_weight({4, 1, 720000, 1, 2, 5, 5, 1, Padding::Same}, 130);
  check_backward_weight({4, 2, 720000, 1, 1, 3, 3, 2, Padding::Same}, 131);
}

TEST_F(Conv2dGpu, ForwardBackwardModelShape1To32At28) {
  check_gpu({128, 1, 28, 28, 32, 3, 3, 1, Padding::Same}, 40);
}
TEST_F(Conv2dGpu, ForwardBackwardModelShape32To32At14) {
  check_gpu({128, 32, 14, 14, 32, 3, 3, 1, Padding::Same}, 41);
}
TEST_F(Conv2dGpu, ForwardBackwardModelShape32To32At7) {
  check_gpu({128, 32, 7, 7, 32, 3, 3, 1, Padding::Same}, 42);
}
TEST_F(Conv2dGpu, ForwardBackwardModelShape32To1At28) {
  check_gpu({128, 32, 28, 28, 1, 3, 3, 1, Padding::Same}, 43);
}

TEST_F(Conv2dGpu, BackwardAccumulatesAndSkipsDx) {
  for (const Conv2dShape& s : {Conv2dShape{3, 5, 7, 9, 4, 3, 3, 2, Padding::Same},
                               Conv2dShape{3, 1, 7, 9, 4, 3, 3, 1, Padding::Same},
                               Conv2dShape{3, 5, 7, 9, 1, 3, 3, 1, Padding::Valid}}) {
    SCOPED_TRACE(s.str());
    const Data d = make_data(s, 50);
    std::vector<float> dx_ref(s.x_count()), dw_ref(s.w_count()), db_ref(s.C_out);
    conv2d_backward_ref<float>(dx_ref, dw_ref, db_ref, d.dy, d.x, d.w, s);
    const auto dx0 = test::random_floats(s.x_count(), 51), dw0 = test::random_floats(s.w_count(), 52);
    const auto db0 = test::random_floats(s.C_out, 53);
    auto xb = test::upload(d.x), wb = test::upload(d.w), dyb = test::upload(d.dy);
    auto dxb = test::upload(dx0), dwb = test::upload(dw0), dbb = test::upload(db0);
    auto dw2 = test::make_output(s.w_count()), db2 = test::make_output(s.C_out);
    const rt::Buffer scratch = forward_scratch(s);
    test::ctx().run_now([&](rt::Recorder& rec) {
      record_conv2d_backward(rec, dxb.view(), dwb.view(), dbb.view(), dyb.view(), xb.view(), wb.view(),
                             scratch.view(), s, Grad::Accumulate);
      record_conv2d_backward(rec, rt::BufferView{}, dw2.view(), db2.view(), dyb.view(), xb.view(), wb.view(),
                             rt::BufferView{}, s);
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
}

TEST_F(Conv2dGpu, BackwardIsBitReproducible) {
  for (const Conv2dShape& s : {Conv2dShape{8, 8, 14, 14, 8, 3, 3, 1, Padding::Same},
                               Conv2dShape{8, 1, 14, 14, 8, 3, 3, 1, Padding::Same},
                               Conv2dShape{8, 8, 14, 14, 1, 3, 3, 1, Padding::Same}}) {
    SCOPED_TRACE(s.str());
    const Data d = make_data(s, 60);
    auto xb = test::upload(d.x), wb = test::upload(d.w), dyb = test::upload(d.dy);
    const rt::Buffer scratch = forward_scratch(s);
    std::vector<float> first[3];
    for (int run = 0; run < 2; ++run) {
      auto dxb = test::make_output(s.x_count()), dwb = test::make_output(s.w_count()),
           dbb = test::make_output(s.C_out);
      test::ctx().run_now([&](rt::Recorder& rec) {
        record_conv2d_backward(rec, dxb.view(), dwb.view(), dbb.view(), dyb.view(), xb.view(), wb.view(),
                               scratch.view(), s);
      });
      const std::vector<float> got[3] = {test::download(dxb), test::download(dwb), test::download(dbb)};
      for (int i = 0; i < 3; ++i) {
        if (run == 0)
          first[i] = got[i];
        else
          EXPECT_EQ(got[i], first[i]) << "output " << i << " differs between runs";
      }
    }
  }
}

TEST_F(Conv2dGpu, RejectsBadShapesNamingThem) {
  const Conv2dShape s{3, 5, 7, 9, 4, 3, 3, 2, Padding::Same};
  auto small = test::make_output(10), big = test::make_output(2000);
  try {
    test::ctx().run_now([&](rt::Recorder& rec) {
      record_conv2d_forward(rec, big.view(), small.view(), big.view(), big.view(), big.view(), s);
    });
    FAIL() << "no error for a 10-float x";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(),
                 "conv2d_forward: x holds 10 floats, shape x [3, 5, 7, 9], w [4, 5, 3, 3], stride 2, "
                 "same -> y [3, 4, 4, 5] needs 945");
  }
  const Conv2dShape too_small{1, 1, 2, 9, 1, 3, 3, 1, Padding::Valid};
  try {
    test::ctx().run_now([&](rt::Recorder& rec) {
      record_conv2d_backward(rec, big.view(), big.view(), big.view(), big.view(), big.view(), big.view(),
                             big.view(), too_small);
    });
    FAIL() << "no error for a 3x3 'valid' kernel on a 2-row input";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("x [1, 1, 2, 9], w [1, 1, 3, 3]"), std::string::npos) << e.what();
  }
}

// A quick measurement, not a benchmark: one forward + backward of each of the model's layers at batch 128,
// each pass and all together, best of 3 after a warm-up (JIT). Run with --gtest_also_run_disabled_tests.
// The 32->32 14x14 layer is the one quoted in the docs.
TEST_F(Conv2dGpu, DISABLED_ForwardBackwardTimingBatch128) {
  for (const Conv2dShape& s : {Conv2dShape{128, 32, 14, 14, 32, 3, 3, 1, Padding::Same},
                               Conv2dShape{128, 1, 28, 28, 32, 3, 3, 1, Padding::Same},
                               Conv2dShape{128, 32, 7, 7, 32, 3, 3, 1, Padding::Same},
                               Conv2dShape{128, 32, 28, 28, 1, 3, 3, 1, Padding::Same}}) {
    const Data d = make_data(s, 70);
    auto xb = test::upload(d.x), wb = test::upload(d.w), bb = test::upload(d.b), dyb = test::upload(d.dy);
    auto yb = test::make_output(s.y_count()), dxb = test::make_output(s.x_count());
    auto dwb = test::make_output(s.w_count()), dbb = test::make_output(s.C_out);
    const rt::Buffer scratch = forward_scratch(s);
    const double macs = double(s.y_count()) * s.C_in * s.KH * s.KW;
    auto time = [&](const char* what, double flops, const std::function<void(rt::Recorder&)>& fn) {
      test::ctx().run_now(fn);  // warm-up
      double best = 1e30,
             best_cpu = 1e30;  // wall and process CPU seconds (CPU time is less noisy when shared)
      for (int i = 0; i < 3; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        const std::clock_t c0 = std::clock();
        test::ctx().run_now(fn);
        best_cpu = std::min(best_cpu, double(std::clock() - c0) / CLOCKS_PER_SEC);
        best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      }
      std::printf("[vkae-time] conv2d %s %s: %.1f ms wall, %.2f GFLOP/s; %.1f ms CPU, %.2f GFLOP per CPU-s\n",
                  what, s.str().c_str(), best * 1e3, flops / best * 1e-9, best_cpu * 1e3,
                  flops / best_cpu * 1e-9);
    };
    time("forward", 2 * macs, [&](rt::Recorder& rec) {
      record_conv2d_forward(rec, yb.view(), xb.view(), wb.view(), bb.view(), scratch.view(), s);
    });
    time("backward_input", 2 * macs, [&](rt::Recorder& rec) {
      record_conv2d_backward_input(rec, dxb.view(), dyb.view(), wb.view(), scratch.view(), s);
    });
    time("backward_weight", 2 * macs, [&](rt::Recorder& rec) {
      record_conv2d_backward_weight(rec, dwb.view(), dyb.view(), xb.view(), s);
    });
    time("forward+backward", 6 * macs, [&](rt::Recorder& rec) {
      record_conv2d_forward(rec, yb.view(), xb.view(), wb.view(), bb.view(), scratch.view(), s);
      record_conv2d_backward(rec, dxb.view(), dwb.view(), dbb.view(), dyb.view(), xb.view(), wb.view(),
                             scratch.view(), s);
    });
  }
}

}  // namespace
}  // namespace vkae::nn
