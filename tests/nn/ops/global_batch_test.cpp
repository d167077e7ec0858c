// Data parallel inputs: a rank's slice of a step's global batch (StepState::image_offset, batch_stride)
// gathers the same images and draws the same noise and the same VAE epsilon, bit for bit, as the rows of the
// whole global batch on one rank. What makes 1 and N ranks see the same inputs.
#include <gtest/gtest.h>

#include <cstring>

#include "nn/ops/data.hpp"
#include "nn/ops/reparameterize.hpp"
#include "nn/rng.hpp"
#include "nn/step_state.hpp"
#include "tests/support/gpu.hpp"

namespace vkae::nn {
namespace {

constexpr uint32_t kPixels = 37, kImages = 40, kGlobal = 12;

rt::Buffer upload_state(const StepState& s) {
  std::vector<uint32_t> words(sizeof(StepState) / 4);
  std::memcpy(words.data(), &s, sizeof(StepState));
  return test::upload_u32(words, "state");
}

// Step 5 of epoch 1 with the run's seed; rank `offset / n` of a global batch of kGlobal when n < kGlobal.
StepState state_for(uint32_t n, uint32_t offset) {
  StepState s;
  s.step = 5;
  s.batch = 2;
  s.epoch = 1;
  s.noise = 0.5f;
  s.set_seed(0xfeedbeefcafeull);
  s.image_offset = offset;
  s.batch_stride = n == kGlobal ? 0 : kGlobal;  // one rank: the plain layout
  return s;
}

// Gather then noise, as a denoising step records them, for n images at `offset`.
std::vector<float> noisy_batch(uint32_t n, uint32_t offset) {
  std::vector<uint8_t> pixels(size_t{kImages} * kPixels);
  HostRng rng(3);
  for (auto& p : pixels) p = static_cast<uint8_t>(rng.below(256));
  std::vector<uint32_t> perm(kImages);
  for (uint32_t i = 0; i < kImages; ++i) perm[i] = (i * 7) % kImages;
  auto images = test::upload_u32(pack_pixels(pixels), "images");
  auto permb = test::upload_u32(perm, "perm"), state = upload_state(state_for(n, offset));
  auto clean = test::make_output(size_t{n} * kPixels), noisy = test::make_output(size_t{n} * kPixels);
  test::ctx().run_now([&](rt::Recorder& rec) {
    record_gather(rec, clean.view(), images.view(), permb.view(), state.view(), {n, kPixels, kImages});
    record_noise(rec, noisy.view(), clean.view(), state.view(), uint64_t{n} * kPixels, RngStream::Noise,
                 kPixels);
  });
  return test::download(noisy);
}

class GlobalBatchGpu : public test::GpuTest {};

TEST_F(GlobalBatchGpu, ARanksSliceGathersAndNoisesTheGlobalBatchsRows) {
  const std::vector<float> whole = noisy_batch(kGlobal, 0);
  for (uint32_t ranks : {2u, 3u, 4u}) {
    const uint32_t n = kGlobal / ranks;
    for (uint32_t r = 0; r < ranks; ++r) {
      const std::vector<float> part = noisy_batch(n, r * n);
      const std::vector<float> rows(whole.begin() + size_t{r} * n * kPixels,
                                    whole.begin() + size_t{r + 1} * n * kPixels);
      EXPECT_EQ(part, rows) << "rank " << r << " of " << ranks;
    }
  }
  // And the slices are not all the same rows: the offset moves them.
  EXPECT_NE(noisy_batch(6, 0), noisy_batch(6, 6));
}

TEST_F(GlobalBatchGpu, ARanksSliceDrawsTheGlobalBatchsEpsilon) {
  constexpr uint32_t kLatent = 5;
  auto run = [](uint32_t n, uint32_t offset) {
    const std::vector<float> mu(size_t{n} * kLatent, 0.25f), lv(size_t{n} * kLatent, -1.0f);
    auto mub = test::upload(mu), lvb = test::upload(lv), state = upload_state(state_for(n, offset));
    auto z = test::make_output(mu.size()), eps = test::make_output(mu.size());
    test::ctx().run_now([&](rt::Recorder& rec) {
      record_reparameterize_forward(rec, z.view(), eps.view(), mub.view(), lvb.view(), state.view(),
                                    mu.size(), RngStream::Reparameterize, kLatent);
    });
    return test::download(eps);
  };
  const std::vector<float> whole = run(kGlobal, 0);
  const std::vector<float> second = run(kGlobal / 2, kGlobal / 2);
  EXPECT_EQ(second, std::vector<float>(whole.begin() + kGlobal / 2 * kLatent, whole.end()));
  EXPECT_NE(second, run(kGlobal / 2, 0));
}

}  // namespace
}  // namespace vkae::nn
