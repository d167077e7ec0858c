// Finite-check op: a finite step leaves the health record empty and the state running; a NaN or infinity in
// the gradients or the loss records the step and the lowest bad index and halts the state, against the
// reference; a later bad step does not overwrite the first one's record; shape errors name the tensor.
#include "nn/ops/finite_check.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "base/error.hpp"
#include "nn/step_state.hpp"
#include "tests/support/gpu.hpp"

namespace vkae::nn {
namespace {

class FiniteCheckGpu : public test::GpuTest {};

struct Outcome {
  std::vector<uint32_t> health;
  uint32_t halted = 0;
};

// One check per entry of `losses` (the step number counting up from `first_step`), on the same buffers.
Outcome run_checks(const std::vector<std::vector<float>>& grads, const std::vector<float>& losses,
                   uint32_t first_step) {
  const size_t count = grads[0].size();
  auto gb = test::make_output(count), lb = test::make_output(1);
  auto hb = test::upload_u32(std::vector<uint32_t>(kHealthWords, kHealthNone), "health");
  rt::Buffer sb(test::ctx().device(), sizeof(StepState));
  StepState state;
  for (size_t s = 0; s < losses.size(); ++s) {
    state.step = first_step + uint32_t(s);
    test::ctx().write(sb.view(), &state, sizeof state);  // keeps the halted flag the GPU set, below
    test::ctx().write<float>(gb.view(), grads[s]);
    test::ctx().write<float>(lb.view(), std::vector<float>{losses[s]});
    test::ctx().run_now([&](rt::Recorder& rec) {
      record_finite_check(rec, gb.view(), lb.view(), sb.view(), hb.view(), count);
    });
    test::ctx().read(sb.view(), &state, sizeof state);
  }
  Outcome o{std::vector<uint32_t>(kHealthWords), state.halted};
  test::ctx().read(hb.view(), o.health.data(), kHealthWords * 4);
  return o;
}

Outcome run_ref(const std::vector<std::vector<float>>& grads, const std::vector<float>& losses,
                uint32_t first_step) {
  Outcome o{std::vector<uint32_t>(kHealthWords, kHealthNone), 0};
  for (size_t s = 0; s < losses.size(); ++s)
    finite_check_ref(o.health, o.halted, grads[s], losses[s], first_step + uint32_t(s));
  return o;
}

void expect_same(const Outcome& got, const Outcome& want) {
  EXPECT_EQ(got.health, want.health);
  EXPECT_EQ(got.halted, want.halted);
}

constexpr float kNan = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

TEST_F(FiniteCheckGpu, FiniteStepLeavesHealthEmpty) {
  const auto grads = test::random_floats(70001, 1, -1e30f, 1e30f);  // huge but finite
  const Outcome got = run_checks({grads}, {0.5f}, 12);
  expect_same(got, run_ref({grads}, {0.5f}, 12));
  EXPECT_EQ(got.halted, 0u);
  EXPECT_FALSE(read_health(got.health, grads.size()));
}

TEST_F(FiniteCheckGpu, NanAndInfinityInGradientsGiveTheLowestIndex) {
  auto grads = test::random_floats(70001, 2);
  grads[69999] = kNan;
  grads[4100] = -kInf;  // not in the first workgroup: the minimum must cross workgroups
  grads[5000] = kInf;
  const Outcome got = run_checks({grads}, {0.5f}, 41);
  expect_same(got, run_ref({grads}, {0.5f}, 41));
  const auto bad = read_health(got.health, grads.size());
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->step, 41u);
  EXPECT_EQ(bad->index, 4100u);
  EXPECT_EQ(got.halted, 1u);
}

TEST_F(FiniteCheckGpu, NonFiniteLossAloneHasNoIndex) {
  const auto grads = test::random_floats(300, 3);
  const Outcome got = run_checks({grads}, {kNan}, 0);
  expect_same(got, run_ref({grads}, {kNan}, 0));
  const auto bad = read_health(got.health, grads.size());
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->step, 0u);
  EXPECT_FALSE(bad->index);
}

TEST_F(FiniteCheckGpu, FirstBadStepKeepsItsRecord) {
  auto first = test::random_floats(1000, 4), second = first;
  first[700] = kNan;
  second[3] = kNan;  // lower, but a later step: the first record stands
  const Outcome got = run_checks({test::random_floats(1000, 5), first, second}, {0.1f, 0.2f, kInf}, 8);
  expect_same(got, run_ref({test::random_floats(1000, 5), first, second}, {0.1f, 0.2f, kInf}, 8));
  const auto bad = read_health(got.health, 1000);
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->step, 9u);
  EXPECT_EQ(bad->index, 700u);
}

TEST_F(FiniteCheckGpu, RejectsShortHealthNamingIt) {
  auto g = test::make_output(10), l = test::make_output(1), h = test::make_output(3);
  rt::Buffer sb(test::ctx().device(), sizeof(StepState));
  try {
    test::ctx().run_now(
        [&](rt::Recorder& rec) { record_finite_check(rec, g.view(), l.view(), sb.view(), h.view(), 10); });
    FAIL() << "no error for a 3-word health buffer";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "finite_check: health holds 3 floats, shape [4] needs 4");
  }
}

}  // namespace
}  // namespace vkae::nn
