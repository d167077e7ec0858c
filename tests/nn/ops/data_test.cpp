// Data ops (forward only, no backward): gather through the permutation (from the StepState batch and from a
// fixed entry; one buffer, a split over several bit for bit the same, a ring of shard slots), noise against
// the CPU twin plus its statistics and reproducibility, downscale2x against the reference; shape errors.
#include "nn/ops/data.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>

#include "nn/step_state.hpp"
#include "tests/support/gpu.hpp"

namespace vkae::nn {
namespace {

using test::all_close;

rt::Buffer upload_state(const StepState& s) {
  std::vector<uint32_t> words(sizeof(StepState) / 4);
  std::memcpy(words.data(), &s, sizeof(StepState));
  return test::upload_u32(words, "state");
}

std::vector<uint8_t> random_pixels(size_t n, uint64_t seed) {
  HostRng rng(seed);
  std::vector<uint8_t> p(n);
  for (auto& v : p) v = static_cast<uint8_t>(rng.below(256));
  p[0] = 0;  // the extremes are in there
  p[n - 1] = 255;
  return p;
}

std::vector<uint32_t> shuffled(uint32_t n, uint64_t seed) {
  std::vector<uint32_t> v(n);
  for (uint32_t i = 0; i < n; ++i) v[i] = i;
  HostRng rng(seed);
  for (size_t i = n; i > 1; --i) std::swap(v[i - 1], v[rng.below(i)]);
  return v;
}

TEST(DataReference, PackPixelsIsLittleEndianWithAPaddedLastWord) {
  const std::vector<uint8_t> px = {1, 2, 3, 4, 5, 6};
  EXPECT_EQ(pack_pixels(px), (std::vector<uint32_t>{0x04030201u, 0x00000605u}));
}

TEST(DataReference, Downscale2xAveragesBlocksAndDropsAnOddEdge) {
  const Downscale2xShape s{1, 1, 3, 3};
  const std::vector<float> x = {1, 2, 9, 3, 6, 9, 9, 9, 9};
  std::vector<float> y(s.out_count());
  downscale2x_ref<float>(y, x, s);
  EXPECT_EQ(y, std::vector<float>{3.0f});
}

class DataGpu : public test::GpuTest {};

// Gathers batch `batch` (from the state) and the entries from `first` (fixed), both checked against the
// reference.
void check_gather(const GatherShape& s, uint32_t perm_count, uint32_t batch, uint32_t first, uint64_t seed) {
  const auto pixels = random_pixels(size_t{s.image_count} * s.pixels, seed);
  const auto perm = shuffled(perm_count, seed + 1);
  StepState state;
  state.batch = batch;
  auto images = test::upload_u32(pack_pixels(pixels), "images");
  auto permb = test::upload_u32(perm, "perm"), stateb = upload_state(state);
  const size_t count = size_t{s.n} * s.pixels;
  auto from_state = test::make_output(count), at = test::make_output(count);
  test::ctx().run_now([&](rt::Recorder& rec) {
    record_gather(rec, from_state.view(), images.view(), permb.view(), stateb.view(), s);
    record_gather_at(rec, at.view(), images.view(), permb.view(), stateb.view(), first, s);
  });
  std::vector<float> want_state(count), want_at(count);
  gather_ref<float>(want_state, pixels, perm, batch * s.n, s);
  gather_ref<float>(want_at, pixels, perm, first, s);
  const auto got_state = test::download(from_state), got_at = test::download(at);
  // k / 255 in float: the GPU's division may differ from the correctly rounded one by an ulp or two.
  EXPECT_TRUE(all_close(got_state, want_state, 2e-7)) << "from state.batch";
  EXPECT_TRUE(all_close(got_at, want_at, 2e-7)) << "from a fixed entry";
  test::report_error("gather_forward", std::max(test::compare(got_state, want_state).max_abs,
                                                test::compare(got_at, want_at).max_abs));
}

TEST_F(DataGpu, GatherForwardOddShape) {
  check_gather({5, 63, 11}, 11, 1, 3, 1);
}  // P % 4 = 3
TEST_F(DataGpu, GatherForwardModelShape) {
  check_gather({128, 784, 1000}, 1000, 3, 600, 2);
}

TEST_F(DataGpu, GatherForwardPastThePermutationGivesNaN) {
  const GatherShape s{4, 10, 8};
  StepState state;
  state.batch = 1;  // entries 4..7 of a 6-entry permutation: 4 and 5 exist, 6 and 7 do not
  auto images = test::upload_u32(pack_pixels(random_pixels(80, 3)), "images");
  auto perm = test::upload_u32(shuffled(6, 4), "perm"), stateb = upload_state(state);
  auto y = test::make_output(40);
  test::ctx().run_now(
      [&](rt::Recorder& rec) { record_gather(rec, y.view(), images.view(), perm.view(), stateb.view(), s); });
  const auto got = test::download(y);
  for (size_t i = 0; i < 20; ++i) EXPECT_TRUE(std::isfinite(got[i])) << i;
  for (size_t i = 20; i < 40; ++i) EXPECT_TRUE(std::isnan(got[i])) << i;
}

TEST_F(DataGpu, GatherForwardRejectsShortPermutationNamingTheShapes) {
  auto images = test::upload_u32(std::vector<uint32_t>(20, 0u)), perm = test::upload_u32(shuffled(8, 5));
  auto state = upload_state({}), y = test::make_output(40);
  try {
    test::ctx().run_now([&](rt::Recorder& rec) {
      record_gather_at(rec, y.view(), images.view(), perm.view(), state.view(), 6, {4, 10, 8});
    });
    FAIL() << "no error for entries 6..9 of an 8-entry permutation";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "gather: perm holds 8 entries, a batch of 4 from entry 6 needs 10");
  }
  try {
    test::ctx().run_now([&](rt::Recorder& rec) {
      record_gather(rec, y.view(), images.view(), perm.view(), state.view(), {4, 10, 9});
    });
    FAIL() << "no error for 9 images of 10 pixels in 80 bytes";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "gather: images holds 80 bytes, 9 packed images of 10 pixels needs 92");
  }
}

// Packs images [first, first + count) of `pixels` into a buffer of its own, from its byte 0.
rt::Buffer upload_images(const std::vector<uint8_t>& pixels, uint32_t p, uint64_t first, uint64_t count) {
  return test::upload_u32(pack_pixels(std::span(pixels).subspan(first * p, count * p)), "image buffer");
}

// Gathers batch `batch` and the entries from `first` through `images`: y from the state, then y at `first`.
std::pair<std::vector<float>, std::vector<float>> run_gathers(const GatherImages& images,
                                                              const std::vector<uint32_t>& perm,
                                                              uint32_t batch, uint32_t first,
                                                              const GatherShape& s) {
  StepState state;
  state.batch = batch;
  auto permb = test::upload_u32(perm, "perm"), stateb = upload_state(state);
  const size_t count = size_t{s.n} * s.pixels;
  auto from_state = test::make_output(count), at = test::make_output(count);
  test::ctx().run_now([&](rt::Recorder& rec) {
    record_gather(rec, from_state.view(), images, permb.view(), stateb.view(), s);
    record_gather_at(rec, at.view(), images, permb.view(), stateb.view(), first, s);
  });
  return {test::download(from_state), test::download(at)};
}

TEST_F(DataGpu, GatherForwardSplitOverBuffersMatchesOneBufferBitForBit) {
  const GatherShape s{6, 63, 37};  // P % 4 = 3: one buffer has images start mid-word, the split's at word 0
  const auto pixels = random_pixels(size_t{s.image_count} * s.pixels, 11);
  const auto perm = shuffled(s.image_count, 12);
  const rt::Buffer whole = test::upload_u32(pack_pixels(pixels), "images");
  const rt::BufferView whole_view = whole.view();
  const auto want_whole = run_gathers({{&whole_view, 1}, s.image_count}, perm, 5, 29, s);
  std::vector<float> ref_state(size_t{s.n} * s.pixels), ref_at(ref_state.size());
  gather_ref<float>(ref_state, pixels, perm, 5 * s.n, s);
  gather_ref<float>(ref_at, pixels, perm, 29, s);
  EXPECT_TRUE(all_close(want_whole.first, ref_state, 2e-7));
  EXPECT_TRUE(all_close(want_whole.second, ref_at, 2e-7));
  for (uint32_t per_buffer : {5u, 13u, 36u}) {  // 8 buffers (the last holding 2), 3, 2 (the last holding 1)
    std::vector<rt::Buffer> parts;
    std::vector<rt::BufferView> views;
    for (uint64_t first = 0; first < s.image_count; first += per_buffer) {
      const uint64_t held = std::min<uint64_t>(per_buffer, s.image_count - first);
      parts.push_back(upload_images(pixels, s.pixels, first, held));
      views.push_back(parts.back().view());
    }
    const auto got = run_gathers({views, per_buffer}, perm, 5, 29, s);
    EXPECT_EQ(got.first, want_whole.first) << per_buffer << " per buffer, from state.batch";
    EXPECT_EQ(got.second, want_whole.second) << per_buffer << " per buffer, from a fixed entry";
  }
}

// A ring of 3 slots of 4 images holding shards 6, 7 and 8 of a 40-entry epoch (shard s in slot s % 3): with
// the identity permutation, batch 7 of 4 reads shard 7 from slot 1, entries 32.. (shard 8) slot 2.
TEST_F(DataGpu, GatherForwardRingReadsEachShardFromItsSlot) {
  const GatherShape s{4, 10, 40};
  const auto pixels = random_pixels(size_t{s.image_count} * s.pixels, 13);
  std::vector<uint32_t> identity(s.image_count);
  for (uint32_t i = 0; i < s.image_count; ++i) identity[i] = i;
  std::vector<rt::Buffer> slots(3);
  for (uint32_t shard : {6u, 7u, 8u}) slots[shard % 3] = upload_images(pixels, s.pixels, shard * 4, 4);
  const std::vector<rt::BufferView> views = {slots[0].view(), slots[1].view(), slots[2].view()};
  const auto got = run_gathers({views, 4}, identity, 7, 32, s);
  std::vector<float> want_state(size_t{s.n} * s.pixels), want_at(want_state.size());
  gather_ref<float>(want_state, pixels, identity, 28, s);
  gather_ref<float>(want_at, pixels, identity, 32, s);
  EXPECT_TRUE(all_close(got.first, want_state, 2e-7)) << "shard 7 in slot 1";
  EXPECT_TRUE(all_close(got.second, want_at, 2e-7)) << "shard 8 in slot 2";
}

TEST_F(DataGpu, GatherForwardRejectsSplitBuffersNamingTheBuffer) {
  const GatherShape s{4, 10, 9};  // 4 images per buffer: 4, 4 and 1
  auto full = test::upload_u32(std::vector<uint32_t>(10, 0u)),
       short_one = test::upload_u32(std::vector<uint32_t>(2, 0u));
  auto perm = test::upload_u32(shuffled(9, 5)), state = upload_state({}), y = test::make_output(40);
  const auto gather = [&](const std::vector<rt::BufferView>& views) {
    test::ctx().run_now([&](rt::Recorder& rec) {
      record_gather(rec, y.view(), {views, 4}, perm.view(), state.view(), s);
    });
  };
  try {
    gather(std::vector<rt::BufferView>{full.view(), short_one.view(), full.view()});
    FAIL() << "no error for 4 images of 10 pixels in 8 bytes";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "gather: images buffer 1 holds 8 bytes, 4 packed images of 10 pixels needs 40");
  }
  try {
    gather(std::vector<rt::BufferView>(4, full.view()));
    FAIL() << "no error for a fourth buffer past the 9 images";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "gather: images buffer 3 holds none of the 9 images (4 per buffer)");
  }
  try {
    gather(std::vector<rt::BufferView>(kGatherBuffers + 1, full.view()));
    FAIL() << "no error for 9 buffers";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(),
                 "gather: cannot read images from 9 buffers of 4 images of 10 pixels (1 to 8 buffers, each "
                 "under 2^32 bytes)");
  }
}

// Runs noise on the GPU: stream Noise from state.step, or with from_step the fixed-step variant.
std::vector<float> run_noise(const std::vector<float>& x, const StepState& state, RngStream stream,
                             const uint32_t* fixed_step = nullptr) {
  auto xb = test::upload(x), stateb = upload_state(state), yb = test::make_output(x.size());
  test::ctx().run_now([&](rt::Recorder& rec) {
    if (fixed_step)
      record_noise_at(rec, yb.view(), xb.view(), stateb.view(), x.size(), *fixed_step, stream);
    else
      record_noise(rec, yb.view(), xb.view(), stateb.view(), x.size(), stream);
  });
  return test::download(yb);
}

// GPU log/cos/sqrt may differ from the host's by a few ulp; 1e-5 absolute covers f * |n| <= 0.5 * 5.7.
void check_noise_twin(size_t count, uint32_t step, float f, uint64_t seed) {
  const auto x = test::random_floats(count, 7, 0.0f, 1.0f);
  StepState state;
  state.step = step;
  state.noise = f;
  state.set_seed(seed);
  const auto got = run_noise(x, state, RngStream::Noise);
  std::vector<float> want(count);
  noise_ref<float>(want, x, seed, step, RngStream::Noise, f);
  EXPECT_TRUE(all_close(got, want, 1e-5)) << "count " << count;
  test::report_error("noise_forward", test::compare(got, want).max_abs);
}

TEST_F(DataGpu, NoiseForwardMatchesCpuTwinOddShape) {
  check_noise_twin(3 * 5 * 7 * 9, 5, 0.5f, 0x123456789ABCDEFull);
}
TEST_F(DataGpu, NoiseForwardMatchesCpuTwinModelShape) {
  check_noise_twin(128 * 784, 123456, 0.5f, 42);
}

TEST_F(DataGpu, NoiseForwardStatisticsOnMidGrey) {
  const std::vector<float> x(128 * 784, 0.5f);
  StepState state;
  state.step = 9;
  state.noise = 0.1f;  // 5 sigma from the clip bounds: clipping is negligible
  state.set_seed(2024);
  const auto y = run_noise(x, state, RngStream::Noise);
  double sum = 0, sq = 0;
  for (float v : y) sum += v;
  const double mean = sum / double(y.size());
  for (float v : y) sq += (v - mean) * (v - mean);
  const double sd = std::sqrt(sq / double(y.size() - 1));
  EXPECT_NEAR(mean, 0.5, 0.01);
  EXPECT_NEAR(sd, 0.1, 0.01);
}

TEST_F(DataGpu, NoiseForwardIsReproducibleAndChangesWithStepAndStream) {
  const auto x = test::random_floats(2000, 8, 0.0f, 1.0f);
  StepState state;
  state.step = 3;
  state.set_seed(77);
  const auto a = run_noise(x, state, RngStream::Noise), b = run_noise(x, state, RngStream::Noise);
  EXPECT_EQ(a, b);  // bit for bit
  state.step = 4;
  const auto c = run_noise(x, state, RngStream::Noise);
  size_t differ = 0;
  for (size_t i = 0; i < a.size(); ++i) differ += a[i] != c[i];
  EXPECT_GT(differ, a.size() / 2);
  state.step = 3;
  const auto d = run_noise(x, state, RngStream::Validation);
  differ = 0;
  for (size_t i = 0; i < a.size(); ++i) differ += a[i] != d[i];
  EXPECT_GT(differ, a.size() / 2);
}

TEST_F(DataGpu, NoiseForwardAtFixedStepIgnoresStateStep) {
  const auto x = test::random_floats(1000, 9, 0.0f, 1.0f);
  StepState state;
  state.set_seed(5);
  state.noise = 0.5f;
  const uint32_t batch = 2;
  state.step = 100;
  const auto a = run_noise(x, state, RngStream::Validation, &batch);
  state.step = 200;
  const auto b = run_noise(x, state, RngStream::Validation, &batch);
  EXPECT_EQ(a, b);
  std::vector<float> want(x.size());
  noise_ref<float>(want, x, 5, batch, RngStream::Validation, 0.5f);
  EXPECT_TRUE(all_close(a, want, 1e-5));
  test::report_error("noise_forward", test::compare(a, want).max_abs);
}

TEST_F(DataGpu, NoiseForwardRejectsShortBufferNamingTheShape) {
  auto x = test::make_output(10), state = upload_state({});
  try {
    test::ctx().run_now([&](rt::Recorder& rec) { record_noise(rec, x.view(), x.view(), state.view(), 11); });
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "noise: y holds 10 floats, shape [11] needs 11");
  }
}

void check_downscale(const Downscale2xShape& s, uint32_t seed) {
  const auto x = test::random_floats(s.in_count(), seed, 0.0f, 1.0f);
  std::vector<float> want(s.out_count());
  downscale2x_ref<float>(want, x, s);
  auto xb = test::upload(x), yb = test::make_output(s.out_count());
  test::ctx().run_now([&](rt::Recorder& rec) { record_downscale2x(rec, yb.view(), xb.view(), s); });
  const auto got = test::download(yb);
  EXPECT_TRUE(all_close(got, want, 1e-7));  // same order of additions; 1e-7 allows a contracted multiply
  test::report_error("downscale2x_forward", test::compare(got, want).max_abs);
}

TEST_F(DataGpu, Downscale2xForwardOddShape) {
  check_downscale({3, 5, 7, 9}, 10);
}
TEST_F(DataGpu, Downscale2xForwardModelShape) {
  check_downscale({128, 1, 28, 28}, 11);
}

TEST_F(DataGpu, Downscale2xForwardRejectsShortBufferNamingTheShapes) {
  auto x = test::make_output(3 * 5 * 7 * 9), y = test::make_output(10);
  try {
    test::ctx().run_now([&](rt::Recorder& rec) {
      record_downscale2x(rec, y.view(), x.view(), {3, 5, 7, 9});
    });
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(),
                 "downscale2x: y holds 10 floats, shape x [3, 5, 7, 9] -> y [3, 5, 3, 4] needs 180");
  }
}

}  // namespace
}  // namespace vkae::nn
