// Fused activations. Forward: conv2d, conv_transpose2d and dense write f(op + b); for every kind the result
// must have the same bits as the op followed by the separate activation pass (the float operations are the
// same) and match the CPU reference to float tolerance. Backward: f' taken from y equals f' from the
// pre-activation, and maxpool2d / upsample2d backward continuing through the producer's activation equal
// their plain backward followed by the activation backward, bit for bit.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <functional>

#include "nn/ops/activation.hpp"
#include "nn/ops/conv2d.hpp"
#include "nn/ops/conv_transpose2d.hpp"
#include "nn/ops/dense.hpp"
#include "nn/ops/maxpool2d.hpp"
#include "nn/ops/upsample2d.hpp"
#include "tests/support/gpu.hpp"

namespace vkae::nn {
namespace {

class FusedActivationGpu : public test::GpuTest {};

const FusedActivation kKinds[] = {{Activation::Identity, 0.0f},
                                  {Activation::Relu, 0.0f},
                                  {Activation::LeakyRelu, 0.2f},
                                  {Activation::Sigmoid, 0.0f},
                                  {Activation::Tanh, 0.0f}};

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// `op(rec, y, f)` records the op into y with fused activation f; `ref(y)` is the CPU reference of the op
// alone.
void check_fused(const char* name, uint64_t y_count,
                 const std::function<void(rt::Recorder&, rt::BufferView, FusedActivation)>& op,
                 const std::function<void(std::vector<float>&)>& ref) {
  std::vector<float> z_ref(y_count);
  ref(z_ref);
  for (const FusedActivation& f : kKinds) {
    SCOPED_TRACE(std::string(name) + " " + activation_name(f.kind));
    auto fused = test::make_output(y_count), z = test::make_output(y_count), y = test::make_output(y_count);
    test::ctx().run_now([&](rt::Recorder& rec) {
      op(rec, fused.view(), f);
      op(rec, z.view(), FusedActivation{});
      record_activation_forward(rec, y.view(), z.view(), y_count, f.kind, f.alpha);
    });
    const auto got = test::download(fused), separate = test::download(y);
    EXPECT_TRUE(same_bits(got, separate))
        << "fused differs from op + activation pass: max |diff| " << test::compare(got, separate).max_abs;
    std::vector<float> want(y_count);
    activation_forward_ref<float>(want, z_ref, f.kind, f.alpha);
    EXPECT_TRUE(test::all_close(got, want, 1e-5, 1e-5));
  }
}

TEST_F(FusedActivationGpu, Conv2dForwardEqualsSeparatePass) {
  for (const Conv2dShape& s : {Conv2dShape{2, 3, 9, 7, 5, 3, 3, 1, Padding::Same},
                               Conv2dShape{2, 4, 8, 9, 9, 3, 3, 2, Padding::Valid},
                               Conv2dShape{2, 9, 8, 9, 9, 3, 3, 2, Padding::Same},      // conv2d_forward_wide
                               Conv2dShape{2, 6, 11, 9, 1, 3, 3, 1, Padding::Same},     // conv2d_forward_rows
                               Conv2dShape{2, 1, 9, 7, 5, 3, 3, 1, Padding::Valid}}) {  // conv2d_forward_1ch
    const auto x = test::random_floats(s.x_count(), 1), w = test::random_floats(s.w_count(), 2);
    const auto b = test::random_floats(s.C_out, 3);
    auto xb = test::upload(x), wb = test::upload(w), bb = test::upload(b);
    auto scratch = test::make_output(std::max<uint64_t>(1, conv2d_scratch_floats(s)), "scratch");
    check_fused(
        "conv2d", s.y_count(),
        [&](rt::Recorder& rec, rt::BufferView y, FusedActivation f) {
          record_conv2d_forward(rec, y, xb.view(), wb.view(), bb.view(), scratch.view(), s, f);
        },
        [&](std::vector<float>& y) { conv2d_forward_ref<float>(y, x, w, b, s); });
  }
}

TEST_F(FusedActivationGpu, ConvTranspose2dForwardEqualsSeparatePass) {
  const ConvTranspose2dShape s{2, 5, 4, 5, 3, 3, 3, 2, Padding::Same};
  const auto x = test::random_floats(s.x_count(), 4), w = test::random_floats(s.w_count(), 5);
  const auto b = test::random_floats(s.C_out, 6);
  auto xb = test::upload(x), wb = test::upload(w), bb = test::upload(b);
  check_fused(
      "conv_transpose2d", s.y_count(),
      [&](rt::Recorder& rec, rt::BufferView y, FusedActivation f) {
        record_conv_transpose2d_forward(rec, y, xb.view(), wb.view(), bb.view(), s, f);
      },
      [&](std::vector<float>& y) { conv_transpose2d_forward_ref<float>(y, x, w, b, s); });
}

TEST_F(FusedActivationGpu, DenseForwardEqualsSeparatePass) {
  const DenseShape s{11, 37, 19};
  const auto x = test::random_floats(s.n * s.d_in, 7), w = test::random_floats(s.d_out * s.d_in, 8);
  const auto b = test::random_floats(s.d_out, 9);
  auto xb = test::upload(x), wb = test::upload(w), bb = test::upload(b);
  check_fused(
      "dense", s.n * s.d_out,
      [&](rt::Recorder& rec, rt::BufferView y, FusedActivation f) {
        record_dense_forward(rec, y, xb.view(), wb.view(), bb.view(), s, f);
      },
      [&](std::vector<float>& y) { dense_forward_ref<float>(y, x, w, b, s); });
}

// The backward pass reads y in place of the pre-activation: same bits for every kind (alpha >= 0).
TEST_F(FusedActivationGpu, DerivativeFromOutputEqualsDerivativeFromInput) {
  constexpr uint64_t kCount = 1000;
  auto x = test::random_floats(kCount, 10, -3.0f, 3.0f);
  x[0] = 0.0f;  // the kink: both must give the same subgradient
  x[1] = -0.0f;
  const auto dy = test::random_floats(kCount, 11);
  auto xb = test::upload(x), dyb = test::upload(dy);
  for (const FusedActivation& f : kKinds) {
    SCOPED_TRACE(activation_name(f.kind));
    auto y = test::make_output(kCount), from_x = test::make_output(kCount),
         from_y = test::make_output(kCount);
    test::ctx().run_now([&](rt::Recorder& rec) {
      record_activation_forward(rec, y.view(), xb.view(), kCount, f.kind, f.alpha);
      record_activation_backward(rec, from_x.view(), dyb.view(), xb.view(), y.view(), kCount, f.kind,
                                 f.alpha);
      record_activation_backward(rec, from_y.view(), dyb.view(), y.view(), y.view(), kCount, f.kind, f.alpha);
    });
    EXPECT_TRUE(same_bits(test::download(from_x), test::download(from_y)));
  }
}

// `plain(rec, dx)` records the op's own backward into dx; `through(rec, dz, f)` the fused one. y = f(z) is
// the op's input (the producer's output), of y_count floats.
void check_through(
    const char* name, uint64_t y_count, const rt::Buffer& z,
    const std::function<void(rt::Recorder&, rt::BufferView, rt::BufferView)>& plain,
    const std::function<void(rt::Recorder&, rt::BufferView, rt::BufferView, FusedActivation)>& through) {
  for (const FusedActivation& f : kKinds) {
    SCOPED_TRACE(std::string(name) + " " + activation_name(f.kind));
    auto y = test::make_output(y_count), dx = test::make_output(y_count);
    auto separate = test::make_output(y_count), fused = test::make_output(y_count);
    test::ctx().run_now([&](rt::Recorder& rec) {
      record_activation_forward(rec, y.view(), z.view(), y_count, f.kind, f.alpha);
      plain(rec, dx.view(), y.view());
      // The reference is the plain chain rule, f' at the pre-activation z (the fused pass reads only y).
      record_activation_backward(rec, separate.view(), dx.view(), z.view(), y.view(), y_count, f.kind,
                                 f.alpha);
      through(rec, fused.view(), y.view(), f);
    });
    const auto got = test::download(fused), want = test::download(separate);
    EXPECT_TRUE(same_bits(got, want)) << "max |diff| " << test::compare(got, want).max_abs;
  }
}

TEST_F(FusedActivationGpu, MaxpoolBackwardThroughActivationEqualsSeparatePasses) {
  for (const Maxpool2dShape& s :
       {Maxpool2dShape{2, 3, 7, 9, PoolPadding::Same}, Maxpool2dShape{2, 3, 7, 9, PoolPadding::Valid},
        Maxpool2dShape{3, 2, 8, 6, PoolPadding::Same}}) {
    auto z = test::upload(test::random_floats(s.in_count(), 12));  // relu of it: ties at 0 in many windows
    auto dy = test::upload(test::random_floats(s.out_count(), 13));
    check_through(
        "maxpool2d", s.in_count(), z,
        [&](rt::Recorder& rec, rt::BufferView dx, rt::BufferView y) {
          record_maxpool2d_backward(rec, dx, dy.view(), y, s);
        },
        [&](rt::Recorder& rec, rt::BufferView dz, rt::BufferView y, FusedActivation f) {
          record_maxpool2d_backward(rec, dz, dy.view(), y, s, Grad::Overwrite, f);
        });
  }
}

TEST_F(FusedActivationGpu, UpsampleBackwardThroughActivationEqualsSeparatePasses) {
  const Upsample2dShape s{2, 3, 5, 7};
  auto z = test::upload(test::random_floats(s.in_count(), 14));
  auto dy = test::upload(test::random_floats(s.out_count(), 15));
  check_through(
      "upsample2d", s.in_count(), z,
      [&](rt::Recorder& rec, rt::BufferView dx, rt::BufferView) {
        record_upsample2d_backward(rec, dx, dy.view(), s);
      },
      [&](rt::Recorder& rec, rt::BufferView dz, rt::BufferView y, FusedActivation f) {
        record_upsample2d_backward(rec, dz, dy.view(), y, s, f);
      });
}

}  // namespace
}  // namespace vkae::nn
