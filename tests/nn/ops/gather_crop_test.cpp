// The gather's windows (--crop random): the reference's window math and draws, the GPU against the CPU
// reference for random windows across two epochs and for centre windows, windows keyed by the permutation
// entry (so a ring read through the identity gets the resident run's windows), a crop with no margin bit
// for bit the plain gather, and the crop's shape errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "nn/ops/data.hpp"
#include "nn/step_state.hpp"
#include "tests/support/gpu.hpp"

namespace vkae::nn {
namespace {

using test::all_close;

rt::Buffer upload_state(uint32_t batch, uint32_t epoch, uint64_t seed) {
  StepState s;
  s.batch = batch;
  s.epoch = epoch;
  s.set_seed(seed);
  std::vector<uint32_t> words(sizeof(StepState) / 4);
  std::memcpy(words.data(), &s, sizeof(StepState));
  return test::upload_u32(words, "state");
}

std::vector<uint8_t> random_bytes(size_t n, uint64_t seed) {
  HostRng rng(seed);
  std::vector<uint8_t> p(n);
  for (auto& v : p) v = static_cast<uint8_t>(rng.below(256));
  return p;
}

std::vector<uint32_t> shuffled(uint32_t n, uint64_t seed) {
  std::vector<uint32_t> v(n);
  for (uint32_t i = 0; i < n; ++i) v[i] = i;
  HostRng rng(seed);
  for (size_t i = n; i > 1; --i) std::swap(v[i - 1], v[rng.below(i)]);
  return v;
}

// The bytes behind gathered values: y * 255 is within an ulp or two of an integer (the GPU's k / 255).
std::vector<int> bytes_of(const std::vector<float>& y) {
  std::vector<int> out(y.size());
  for (size_t i = 0; i < y.size(); ++i) out[i] = static_cast<int>(std::lround(y[i] * 255.0f));
  return out;
}

// `count` images of 3 x hs x ws, n windows of 3 x 5 x 7 per batch.
GatherShape crop_shape(uint32_t n, uint32_t count, uint32_t hs, uint32_t ws, bool random) {
  return {n, 3 * 5 * 7, count, GatherCrop{3, 5, 7, hs, ws, random}};
}

TEST(GatherCropReference, CentreWindowPicksTheMiddleOfEveryChannel) {
  // One image of 2 x 3 x 4: byte value = its index. The centre 2 x 2 window starts at (0, 1).
  std::vector<uint8_t> image(24);
  for (size_t i = 0; i < image.size(); ++i) image[i] = static_cast<uint8_t>(i);
  const GatherShape s{1, 8, 1, GatherCrop{2, 2, 2, 3, 4, true}};
  std::vector<double> y(8);
  gather_ref<double>(y, image, std::vector<uint32_t>{0}, 0, s);  // no draw: the centre
  std::vector<int> got(8);
  for (size_t i = 0; i < 8; ++i) got[i] = static_cast<int>(std::lround(y[i] * 255));
  EXPECT_EQ(got, (std::vector<int>{1, 2, 5, 6, 13, 14, 17, 18}));
}

TEST(GatherCropReference, DrawsCoverTheMarginAndChangeWithEpochAndSeed) {
  const GatherShape s = crop_shape(1, 1, 8, 11, true);
  std::vector<int> seen_y(4, 0), seen_x(5, 0);
  size_t moved_epoch = 0, moved_seed = 0;
  for (uint32_t e = 0; e < 200; ++e) {
    const WindowOffset a = gather_window(s, e, GatherDraw{7, 0});
    const WindowOffset b = gather_window(s, e, GatherDraw{7, 1});
    const WindowOffset c = gather_window(s, e, GatherDraw{8, 0});
    ASSERT_LE(a.y, 3u);
    ASSERT_LE(a.x, 4u);
    ++seen_y[a.y];
    ++seen_x[a.x];
    moved_epoch += a.y != b.y || a.x != b.x;
    moved_seed += a.y != c.y || a.x != c.x;
    const WindowOffset again = gather_window(s, e, GatherDraw{7, 0});
    EXPECT_TRUE(again.y == a.y && again.x == a.x);
  }
  for (int n : seen_y) EXPECT_GT(n, 20);  // every row offset 0..3 is drawn
  for (int n : seen_x) EXPECT_GT(n, 20);
  EXPECT_GT(moved_epoch, 150u);
  EXPECT_GT(moved_seed, 150u);
  const WindowOffset centre = gather_window(s, 3, std::nullopt);
  EXPECT_TRUE(centre.y == 1 && centre.x == 2);
}

class GatherCropGpu : public test::GpuTest {};

struct Gathered {
  std::vector<float> from_state, at;
};

// record_gather (batch `batch` under epoch and seed) and record_gather_at (entries from `first`).
Gathered run_gathers(const GatherImages& images, const std::vector<uint32_t>& perm, uint32_t batch,
                     uint32_t first, uint32_t epoch, uint64_t seed, const GatherShape& s) {
  auto permb = test::upload_u32(perm, "perm"), stateb = upload_state(batch, epoch, seed);
  const size_t count = size_t{s.n} * s.pixels;
  auto from_state = test::make_output(count), at = test::make_output(count);
  test::ctx().run_now([&](rt::Recorder& rec) {
    record_gather(rec, from_state.view(), images, permb.view(), stateb.view(), s);
    record_gather_at(rec, at.view(), images, permb.view(), stateb.view(), first, s);
  });
  return {test::download(from_state), test::download(at)};
}

Gathered run_gathers(const rt::Buffer& images, const std::vector<uint32_t>& perm, uint32_t batch,
                     uint32_t first, uint32_t epoch, uint64_t seed, const GatherShape& s) {
  const rt::BufferView view = images.view();
  return run_gathers({{&view, 1}, s.image_count}, perm, batch, first, epoch, seed, s);
}

void check_against_reference(uint32_t hs, uint32_t ws) {
  const GatherShape s = crop_shape(6, 19, hs, ws, true);
  const auto pixels = random_bytes(size_t{s.image_count} * s.image_bytes(), hs * 100 + ws);
  const auto perm = shuffled(s.image_count, 3);
  const rt::Buffer images = test::upload_u32(pack_pixels(pixels), "images");
  const uint64_t seed = 0x0123456789ABCDEFull;
  std::vector<std::vector<float>> epochs;
  for (uint32_t epoch : {4u, 5u}) {
    const Gathered got = run_gathers(images, perm, 2, 7, epoch, seed, s);
    std::vector<float> want_state(got.from_state.size()), want_at(got.at.size());
    gather_ref<float>(want_state, pixels, perm, 2 * s.n, s, GatherDraw{seed, epoch});
    gather_ref<float>(want_at, pixels, perm, 7, s);
    // The bytes each window holds, exactly; the values within the GPU division's ulp.
    EXPECT_EQ(bytes_of(got.from_state), bytes_of(want_state)) << "random windows, epoch " << epoch;
    EXPECT_EQ(bytes_of(got.at), bytes_of(want_at)) << "centre windows, epoch " << epoch;
    EXPECT_TRUE(all_close(got.from_state, want_state, 2e-7));
    EXPECT_TRUE(all_close(got.at, want_at, 2e-7));
    test::report_error("gather_forward (crop)", test::compare(got.from_state, want_state).max_abs);
    const Gathered again = run_gathers(images, perm, 2, 7, epoch, seed, s);
    EXPECT_EQ(again.from_state, got.from_state) << "the same epoch and seed, the same windows";
    epochs.push_back(got.from_state);
    if (epoch == 5) {
      EXPECT_EQ(got.at, run_gathers(images, perm, 2, 7, 4, seed, s).at) << "centre: no epoch";
    }
  }
  EXPECT_NE(epochs[0], epochs[1]) << "a new window each epoch";
}

TEST_F(GatherCropGpu, RandomAndCentreWindowsMatchTheReference) {
  check_against_reference(8, 11);  // 264-byte images
  check_against_reference(7, 9);   // 189 bytes: images start mid-word
}

// The windows follow the permutation entry: a ring holding the epoch's images in permutation order, read
// through the identity, gathers what the resident images do through the permutation.
TEST_F(GatherCropGpu, WindowsFollowThePermutationEntrySoARingMatchesResidentImages) {
  const GatherShape s = crop_shape(4, 16, 7, 9, true);
  const uint64_t bytes = s.image_bytes();
  const auto pixels = random_bytes(s.image_count * bytes, 21);
  const auto perm = shuffled(s.image_count, 22);
  std::vector<uint32_t> identity(s.image_count);
  for (uint32_t i = 0; i < s.image_count; ++i) identity[i] = i;
  std::vector<rt::Buffer> slots;
  std::vector<rt::BufferView> views;
  for (uint32_t slot = 0; slot < 2; ++slot) {  // shards 2 and 3 (entries 8..15) in slots 0 and 1
    std::vector<uint8_t> shard;
    for (uint32_t e = 8 + 4 * slot; e < 12 + 4 * slot; ++e)
      shard.insert(shard.end(), pixels.begin() + perm[e] * bytes, pixels.begin() + (perm[e] + 1) * bytes);
    slots.push_back(test::upload_u32(pack_pixels(shard), "slot"));
    views.push_back(slots.back().view());
  }
  const rt::Buffer resident = test::upload_u32(pack_pixels(pixels), "images");
  for (uint32_t batch : {2u, 3u}) {
    const Gathered ring = run_gathers({views, 4}, identity, batch, 4 * batch, 1, 99, s);
    const Gathered whole = run_gathers(resident, perm, batch, 4 * batch, 1, 99, s);
    EXPECT_EQ(ring.from_state, whole.from_state) << "batch " << batch;
    EXPECT_EQ(ring.at, whole.at) << "batch " << batch;
  }
}

TEST_F(GatherCropGpu, NoMarginIsThePlainGatherBitForBit) {
  const GatherShape plain{5, 3 * 5 * 7, 11};
  const GatherShape cropped{5, 3 * 5 * 7, 11, GatherCrop{3, 5, 7, 5, 7, true}};
  const auto pixels = random_bytes(size_t{plain.image_count} * plain.pixels, 31);
  const auto perm = shuffled(plain.image_count, 32);
  const rt::Buffer images = test::upload_u32(pack_pixels(pixels), "images");
  const Gathered a = run_gathers(images, perm, 1, 4, 3, 5, plain);
  const Gathered b = run_gathers(images, perm, 1, 4, 3, 5, cropped);
  EXPECT_EQ(a.from_state, b.from_state);
  EXPECT_EQ(a.at, b.at);
}

TEST_F(GatherCropGpu, RejectsAWindowOutsideItsImageNamingTheShapes) {
  auto images = test::upload_u32(std::vector<uint32_t>(250, 0u)), perm = test::upload_u32(shuffled(4, 5));
  auto state = upload_state(0, 0, 0), y = test::make_output(4 * 105);
  const auto gather = [&](const GatherShape& s) {
    test::ctx().run_now([&](rt::Recorder& rec) {
      record_gather(rec, y.view(), images.view(), perm.view(), state.view(), s);
    });
  };
  try {
    gather(crop_shape(4, 4, 4, 9, true));
    FAIL() << "no error for a 5-row window of 4-row images";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(),
                 "gather: cannot gather y [4, 3, 5, 7] windows from 4 images of [3, 4, 9] (each window 105 "
                 "pixels, within an image under 2^32 bytes)");
  }
  try {
    gather({4, 104, 4, GatherCrop{3, 5, 7, 8, 11, true}});
    FAIL() << "no error for 104 pixels per image from 3 x 5 x 7 windows";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(),
                 "gather: cannot gather y [4, 3, 5, 7] windows from 4 images of [3, 8, 11] (each window 104 "
                 "pixels, within an image under 2^32 bytes)");
  }
  try {
    gather(crop_shape(4, 4, 8, 11, true));
    FAIL() << "no error for 4 images of 264 bytes in 1000";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "gather: images holds 1000 bytes, 4 packed images of 264 pixels needs 1056");
  }
}

}  // namespace
}  // namespace vkae::nn
