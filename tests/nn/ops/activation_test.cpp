// Activation op: reference vs finite differences, GPU vs reference (odd and model shapes), accumulation.
#include "nn/ops/activation.hpp"

#include <gtest/gtest.h>

#include "tests/support/gpu.hpp"
#include "tests/support/numeric.hpp"

namespace vkae::nn {
namespace {

using test::all_close;

constexpr Activation kAll[] = {Activation::Identity, Activation::Relu, Activation::LeakyRelu,
                               Activation::Sigmoid, Activation::Tanh};

// Inputs kept away from relu's kink so central differences are exact enough.
std::vector<float> inputs_away_from_zero(size_t n, uint32_t seed) {
  auto x = test::random_floats(n, seed, -3.0f, 3.0f);
  for (float& v : x)
    if (std::abs(v) < 0.05f) v += 0.1f;
  return x;
}

TEST(ActivationReference, BackwardMatchesFiniteDifferences) {
  for (Activation kind : kAll) {
    const size_t n = 37;
    const auto x = test::to_double(inputs_away_from_zero(n, 1));
    const auto w = test::to_double(test::random_floats(n, 2));
    auto loss = [&](const std::vector<double>& xv) {
      std::vector<double> y(n);
      activation_forward_ref<double>(y, xv, kind, 0.3);
      return test::weighted_sum(y, w);
    };
    std::vector<double> dx(n);
    activation_backward_ref<double>(dx, w, x, kind, 0.3);
    EXPECT_TRUE(all_close(dx, test::finite_difference(loss, x), 1e-7, 1e-6)) << activation_name(kind);
  }
}

class ActivationGpu : public test::GpuTest {};

void check_forward_backward(size_t n, uint32_t seed) {
  for (Activation kind : kAll) {
    const auto x = inputs_away_from_zero(n, seed);
    const auto dy = test::random_floats(n, seed + 1);
    std::vector<float> y_ref(n), dx_ref(n);
    activation_forward_ref<float>(y_ref, x, kind, 0.3f);
    activation_backward_ref<float>(dx_ref, dy, x, kind, 0.3f);

    auto xb = test::upload(x), dyb = test::upload(dy);
    auto yb = test::make_output(n), dxb = test::make_output(n);
    test::ctx().run_now([&](rt::Recorder& rec) {
      record_activation_forward(rec, yb.view(), xb.view(), n, kind, 0.3f);
      record_activation_backward(rec, dxb.view(), dyb.view(), xb.view(), yb.view(), n, kind, 0.3f);
    });
    const auto y = test::download(yb), dx = test::download(dxb);
    EXPECT_TRUE(all_close(y, y_ref, 1e-6, 1e-6)) << activation_name(kind) << " forward, n=" << n;
    EXPECT_TRUE(all_close(dx, dx_ref, 1e-6, 1e-6)) << activation_name(kind) << " backward, n=" << n;
    test::report_error(std::string("activation_") + activation_name(kind) + "_forward",
                       test::compare(y, y_ref).max_abs);
    test::report_error(std::string("activation_") + activation_name(kind) + "_backward",
                       test::compare(dx, dx_ref).max_abs);
  }
}

TEST_F(ActivationGpu, ForwardBackwardOddShape) {
  check_forward_backward(3 * 5 * 7 * 9, 11);
}
TEST_F(ActivationGpu, ForwardBackwardModelShape) {
  check_forward_backward(128 * 32 * 28 * 28, 12);
}

TEST_F(ActivationGpu, BackwardAccumulates) {
  const size_t n = 1000;
  const auto x = inputs_away_from_zero(n, 3);
  const auto dy = test::random_floats(n, 4);
  const auto before = test::random_floats(n, 5);
  std::vector<float> y_ref(n), dx_ref(n);
  activation_forward_ref<float>(y_ref, x, Activation::Sigmoid, 0.3f);
  activation_backward_ref<float>(dx_ref, dy, x, Activation::Sigmoid, 0.3f);
  for (size_t i = 0; i < n; ++i) dx_ref[i] += before[i];
  auto xb = test::upload(x), dyb = test::upload(dy), yb = test::upload(y_ref), dxb = test::upload(before);
  test::ctx().run_now([&](rt::Recorder& rec) {
    record_activation_backward(rec, dxb.view(), dyb.view(), xb.view(), yb.view(), n, Activation::Sigmoid,
                               0.3f, Grad::Accumulate);
  });
  EXPECT_TRUE(all_close(test::download(dxb), dx_ref, 1e-6, 1e-6));
}

TEST_F(ActivationGpu, RejectsShortBufferNamingTheShape) {
  auto small = test::make_output(10);
  try {
    test::ctx().run_now([&](rt::Recorder& rec) {
      record_activation_forward(rec, small.view(), small.view(), 11, Activation::Relu);
    });
    FAIL() << "no error for a 10-float buffer holding 11 elements";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "activation_forward: y holds 10 floats, shape [11] needs 11");
  }
}

}  // namespace
}  // namespace vkae::nn
