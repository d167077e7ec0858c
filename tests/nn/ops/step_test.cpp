// Step-end op: replaying one recorded list advances the GPU step state, fills consecutive ring slots and
// takes each step's learning rate from the epoch's table.
#include "nn/ops/step.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "runtime/queue.hpp"
#include "tests/support/gpu.hpp"

namespace vkae::nn {
namespace {

class StepGpu : public test::GpuTest {};

TEST_F(StepGpu, ForwardReplayedAdvancesStateAndFillsRing) {
  const uint32_t slots = 5;
  StepState s0;
  s0.step = 3;
  s0.batch = 7;
  rt::Buffer state(test::ctx().device(), sizeof(StepState));
  test::ctx().write(state.view(), &s0, sizeof s0);
  auto ring = test::make_output(slots);
  const std::vector<float> loss_value{0.25f};
  auto loss = test::upload(loss_value);
  // batch 7 -> 8, 9, 10: rates for 8 and 9 only, so the third step keeps 9's (the epoch's end).
  const std::vector<float> lrs_value{0, 0, 0, 0, 0, 0, 0, 0, 0.5f, 0.25f};
  auto lrs = test::upload(lrs_value);

  rt::CommandList list(test::ctx());
  record_step_end(list.begin(), ring.view(), state.view(), loss.view(), lrs.view(), slots, 10);
  list.end();
  rt::Submitter submitter(test::ctx().device(), 2);
  const VkCommandBuffer three[3] = {list.get(), list.get(), list.get()};
  submitter.wait(submitter.submit(three));

  std::vector<float> ring_ref(slots, std::nanf(""));
  StepState ref = s0;
  for (int i = 0; i < 3; ++i) step_end_ref(ring_ref, ref, 0.25f, lrs_value);
  StepState got;
  test::ctx().read(state.view(), &got, sizeof got);
  EXPECT_EQ(got.step, 6u);
  EXPECT_EQ(got.batch, 10u);
  EXPECT_EQ(got.step, ref.step);
  EXPECT_EQ(got.lr, 0.25f);
  EXPECT_EQ(ref.lr, 0.25f);
  const auto r = test::download(ring);
  for (uint32_t i = 0; i < slots; ++i) {
    if (std::isnan(ring_ref[i]))
      EXPECT_TRUE(std::isnan(r[i])) << i;
    else
      EXPECT_EQ(r[i], ring_ref[i]) << i;
  }
}

}  // namespace
}  // namespace vkae::nn
