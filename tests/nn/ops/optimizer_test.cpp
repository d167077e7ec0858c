// Optimizers (no backward: they consume gradients): Adam and SGD against double-accumulating references over
// several steps, with the step and learning rate changed only in the StepState buffer between submits of one
// recorded command list; Adam's late-step bias correction, zero gradients, and shape errors.
#include "nn/ops/optimizer.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "nn/step_state.hpp"
#include "runtime/queue.hpp"
#include "tests/support/gpu.hpp"

namespace vkae::nn {
namespace {

using test::all_close;

rt::Buffer upload_state(const StepState& s) {
  std::vector<uint32_t> words(sizeof(StepState) / 4);
  std::memcpy(words.data(), &s, sizeof(StepState));
  return test::upload_u32(words, "state");
}

TEST(OptimizerReference, AdamFirstStepMovesEachParameterByAboutLr) {
  // t = 1: m_hat = g and v_hat = g^2, so the update is lr * g / (|g| + eps) ~ lr * sign(g).
  std::vector<double> p = {1.0, -2.0, 0.5}, g = {0.3, -4.0, 0.0}, m(3, 0.0), v(3, 0.0);
  adam_ref<double>(p, g, m, v, 0, 1e-3f, {});
  const double lr = double(1e-3f), eps = double(1e-7f);
  EXPECT_NEAR(p[0], 1.0 - lr * 0.3 / (0.3 + eps), 1e-15);
  EXPECT_NEAR(p[1], -2.0 + lr * 4.0 / (4.0 + eps), 1e-15);
  EXPECT_EQ(p[2], 0.5);  // zero gradient, zero moments: no move at all
}

TEST(OptimizerReference, SgdMomentumFirstStepIsPlainSgd) {
  std::vector<double> p1 = {1.0, 2.0}, p2 = p1, g = {0.5, -0.25}, buf(2, 0.0);
  sgd_ref<double>(p1, g, 0.1f);
  sgd_momentum_ref<double>(p2, g, buf, 0.1f, {0.9f});
  EXPECT_EQ(p1, p2);
  EXPECT_EQ(buf, g);
}

class OptimizerGpu : public test::GpuTest {};

// |got - want| <= rtol * scale_i for every i, where scale_i is the size of the terms that were added to make
// element i (an update like m = 0.9 m + 0.1 g can cancel to a tiny value, so its own size is the wrong
// yardstick).
::testing::AssertionResult close_in_scale(std::span<const float> got, std::span<const float> want,
                                          std::span<const double> scale, double rtol) {
  for (size_t i = 0; i < got.size(); ++i)
    if (!(std::abs(double(got[i]) - double(want[i])) <= rtol * scale[i] + 1e-30))
      return ::testing::AssertionFailure() << "element " << i << ": got " << got[i] << ", want " << want[i]
                                           << ", terms of size " << scale[i];
  return ::testing::AssertionSuccess();
}

// Which optimizer a run exercises.
enum class Kind { Adam, Sgd, SgdMomentum };

// Runs `steps` steps from state.step = first_step: one command list, recorded once, submitted once per step
// after the host wrote that step's gradients, step number and learning rate. Compares every step.
// Parameters start in [-p0, p0]: small ones make the tolerance resolve the update itself (lr-sized), so an
// inaccurate bias correction cannot hide under the rounding of a parameter near 1.
// `wd` is the weight decay (decoupled: AdamW's form; the SGD shaders have only the L2 form).
struct Decay {
  float wd = 0;
  bool decoupled = false;
};
void check_steps(Kind kind, size_t count, uint32_t first_step, int steps, const char* what, float p0 = 1.0f,
                 Decay decay = {}) {
  const AdamConfig adam{0.9f, 0.999f, 1e-7f, decay.wd, decay.decoupled};
  const SgdConfig sgd{0.9f, decay.wd};
  auto params = test::random_floats(count, 1, -p0, p0), m = std::vector<float>(count, 0.0f), v = m;
  if (first_step > 0) {  // moments as a long run leaves them
    m = test::random_floats(count, 2, -0.1f, 0.1f);
    v = test::random_floats(count, 3, 0.0f, 0.01f);
  }
  auto pb = test::upload(params), gb = test::make_output(count), mb = test::upload(m), vb = test::upload(v);
  StepState state;
  auto sb = upload_state(state);

  rt::CommandList list(test::ctx());
  rt::Recorder& rec = list.begin();
  if (kind == Kind::Adam)
    record_adam(rec, pb.view(), gb.view(), mb.view(), vb.view(), sb.view(), count, adam);
  if (kind == Kind::Sgd) record_sgd(rec, pb.view(), gb.view(), sb.view(), count, sgd);
  if (kind == Kind::SgdMomentum)
    record_sgd_momentum(rec, pb.view(), gb.view(), mb.view(), sb.view(), count, sgd);
  list.end();
  rt::Submitter submitter(test::ctx().device(), 1);

  double worst = 0;
  for (int s = 0; s < steps; ++s) {
    const auto grads = test::random_floats(count, 10 + s, -2.0f, 2.0f);
    state.step = first_step + uint32_t(s);
    state.lr = s % 2 ? 1e-3f : 3e-3f;  // a schedule: the recorded list must pick it up
    test::ctx().write<float>(gb.view(), grads);
    test::ctx().write(sb.view(), &state, sizeof(state));
    VkCommandBuffer cmd = list.get();
    submitter.wait(submitter.submit({&cmd, 1}));

    // Sizes of the terms each new value is made of, for the tolerance.
    std::vector<double> p_scale(count), m_scale(count), v_scale(count);
    const double mu = kind == Kind::Adam ? adam.beta1 : sgd.momentum,
                 gain = kind == Kind::Adam ? 1 - mu : 1.0;
    std::vector<double> g_scale(count);  // the gradient the update sees: L2 decay adds wd |p|
    for (size_t i = 0; i < count; ++i) {
      g_scale[i] = std::abs(grads[i]) + (decay.decoupled ? 0.0 : decay.wd * std::abs(params[i]));
      m_scale[i] = mu * std::abs(m[i]) + gain * g_scale[i];
      v_scale[i] = adam.beta2 * v[i] + (1 - double(adam.beta2)) * g_scale[i] * g_scale[i];
      p_scale[i] = std::abs(params[i]);
    }
    if (kind == Kind::Adam) adam_ref<float>(params, grads, m, v, state.step, state.lr, adam);
    if (kind == Kind::Sgd) sgd_ref<float>(params, grads, state.lr, sgd);
    if (kind == Kind::SgdMomentum) sgd_momentum_ref<float>(params, grads, m, state.lr, sgd);
    // The reference computes each step in double from the same float state, so only this step's float
    // arithmetic differs: 1e-6 of the size of the terms (an ulp is 1.2e-7).
    const auto got_p = test::download(pb);
    // A parameter moves by lr times a function of the moments, so its yardstick adds that move computed from
    // the moments' term sizes (m = 0.9 m + 0.1 g may cancel; its rounding then dominates the move's error).
    const double t = double(state.step) + 1, c1 = 1 - std::pow(double(adam.beta1), t),
                 c2 = 1 - std::pow(double(adam.beta2), t);
    for (size_t i = 0; i < count; ++i) {
      double move = double(state.lr) * g_scale[i];
      if (kind == Kind::SgdMomentum) move = double(state.lr) * m_scale[i];
      if (kind == Kind::Adam)
        move = double(state.lr) * (m_scale[i] / c1) / (std::sqrt(double(v[i]) / c2) + adam.eps);
      p_scale[i] += move;
    }
    EXPECT_TRUE(close_in_scale(got_p, params, p_scale, 1e-6)) << what << " params, step " << state.step;
    worst = std::max(worst, test::compare(got_p, params).max_abs);
    if (kind != Kind::Sgd) {
      const auto got_m = test::download(mb);
      EXPECT_TRUE(close_in_scale(got_m, m, m_scale, 1e-6)) << what << " m/velocity, step " << state.step;
      worst = std::max(worst, test::compare(got_m, m).max_abs);
    }
    if (kind == Kind::Adam) {
      const auto got_v = test::download(vb);
      EXPECT_TRUE(close_in_scale(got_v, v, v_scale, 1e-6)) << what << " v, step " << state.step;
      worst = std::max(worst, test::compare(got_v, v).max_abs);
    }
    // Resync the reference with the GPU's state so errors do not compound into the next step's check.
    params = got_p;
    if (kind != Kind::Sgd) m = test::download(mb);
    if (kind == Kind::Adam) v = test::download(vb);
  }
  test::report_error(what, worst);
}

TEST_F(OptimizerGpu, AdamForwardFirstStepsMatchReference) {
  check_steps(Kind::Adam, 100003, 0, 5, "adam_step", 1e-4f);
}
TEST_F(OptimizerGpu, AdamForwardFirstStepsLargeParamsMatchReference) {
  check_steps(Kind::Adam, 100003, 0, 3, "adam_step");
}
TEST_F(OptimizerGpu, AdamForwardLateStepsMatchReference) {
  check_steps(Kind::Adam, 12345, 999, 3, "adam_step", 1e-4f);
}
TEST_F(OptimizerGpu, AdamForwardVeryLateStepsMatchReference) {
  check_steps(Kind::Adam, 1000, 4000000000u, 2, "adam_step");  // beta^t underflows: no bias correction left
}
TEST_F(OptimizerGpu, SgdForwardMatchesReference) {
  check_steps(Kind::Sgd, 100003, 0, 3, "sgd_step");
}
TEST_F(OptimizerGpu, SgdMomentumForwardMatchesReference) {
  check_steps(Kind::SgdMomentum, 100003, 0, 4, "sgd_momentum_step");
}

// Weight decay: PyTorch's L2 form (Adam, SGD, momentum) and AdamW's decoupled one, against the references.
// A large wd (0.5) so the decay term is far above the tolerance and a shader that ignored it would fail.
TEST_F(OptimizerGpu, AdamL2WeightDecayMatchesReference) {
  check_steps(Kind::Adam, 10007, 0, 3, "adam_step wd", 1.0f, {0.5f, false});
}
TEST_F(OptimizerGpu, AdamWDecoupledWeightDecayMatchesReference) {
  check_steps(Kind::Adam, 10007, 7, 3, "adamw_step", 1.0f, {0.5f, true});
}
TEST_F(OptimizerGpu, SgdWeightDecayMatchesReference) {
  check_steps(Kind::Sgd, 10007, 0, 3, "sgd_step wd", 1.0f, {0.5f, false});
}
TEST_F(OptimizerGpu, SgdMomentumWeightDecayMatchesReference) {
  check_steps(Kind::SgdMomentum, 10007, 0, 3, "sgd_momentum_step wd", 1.0f, {0.5f, false});
}

TEST(OptimizerReference, WeightDecayFormsDiffer) {
  // One Adam step from zero moments moves by ~lr sign(g'): L2 changes g' itself, AdamW shrinks p first.
  std::vector<double> p1 = {2.0}, p2 = p1, g = {0.1}, m1(1), v1(1), m2(1), v2(1);
  adam_ref<double>(p1, g, m1, v1, 0, 0.01f, {0.9f, 0.999f, 1e-7f, 1.0f, false});
  adam_ref<double>(p2, g, m2, v2, 0, 0.01f, {0.9f, 0.999f, 1e-7f, 1.0f, true});
  const double gain = 1 - double(0.9f);
  EXPECT_NEAR(m1[0], gain * (0.1 + 2.0), 1e-12);  // g' = g + wd p
  EXPECT_NEAR(m2[0], gain * 0.1, 1e-12);          // the moments never see the decay
  EXPECT_NEAR(p2[0], 2.0 * (1 - double(0.01f)) - double(0.01f) * 0.1 / (0.1 + double(1e-7f)), 1e-12);
}

// A halted step state (a non-finite step was flagged) leaves every optimizer's buffers bit for bit as they
// were, whatever the gradients hold.
TEST_F(OptimizerGpu, HaltedStateMovesNothing) {
  const size_t count = 1000;
  const auto params = test::random_floats(count, 5), grads = test::random_floats(count, 6),
             moments = test::random_floats(count, 7, 0.0f, 0.1f);
  auto pb = test::upload(params), gb = test::upload(grads), mb = test::upload(moments),
       vb = test::upload(moments);
  StepState halted;
  halted.halted = 1;
  auto sb = upload_state(halted);
  test::ctx().run_now([&](rt::Recorder& rec) {
    record_adam(rec, pb.view(), gb.view(), mb.view(), vb.view(), sb.view(), count,
                {0.9f, 0.999f, 1e-7f, 0.1f});
    record_sgd(rec, pb.view(), gb.view(), sb.view(), count, {0.9f, 0.1f});
    record_sgd_momentum(rec, pb.view(), gb.view(), mb.view(), sb.view(), count);
  });
  EXPECT_EQ(test::download(pb), params);
  EXPECT_EQ(test::download(mb), moments);
  EXPECT_EQ(test::download(vb), moments);
}

TEST_F(OptimizerGpu, AdamForwardZeroGradientsLeaveParamsOnStepOne) {
  const size_t count = 777;
  const auto params = test::random_floats(count, 4);
  const std::vector<float> zeros(count, 0.0f);
  auto pb = test::upload(params), gb = test::upload(zeros), mb = test::upload(zeros),
       vb = test::upload(zeros);
  auto sb = upload_state({});
  test::ctx().run_now([&](rt::Recorder& rec) {
    record_adam(rec, pb.view(), gb.view(), mb.view(), vb.view(), sb.view(), count);
  });
  // m = v = 0, so the update is lr * 0 / (0 + eps) = 0 exactly: eps keeps it from being 0/0.
  EXPECT_EQ(test::download(pb), params);
  EXPECT_EQ(test::download(mb), zeros);
  EXPECT_EQ(test::download(vb), zeros);
}

TEST_F(OptimizerGpu, AdamForwardRejectsShortMomentNamingTheShape) {
  auto big = test::make_output(100), small = test::make_output(99), sb = upload_state({});
  try {
    test::ctx().run_now([&](rt::Recorder& rec) {
      record_adam(rec, big.view(), big.view(), big.view(), small.view(), sb.view(), 100);
    });
    FAIL() << "no error for a 99-float v";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "adam: v holds 99 floats, shape [100] needs 100");
  }
  try {
    auto tiny = test::make_output(4);
    test::ctx().run_now(
        [&](rt::Recorder& rec) { record_sgd(rec, big.view(), big.view(), tiny.view(), 100); });
    FAIL() << "no error for a 16-byte state";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "sgd: state holds 16 bytes, StepState needs 64");
  }
}

}  // namespace
}  // namespace vkae::nn
