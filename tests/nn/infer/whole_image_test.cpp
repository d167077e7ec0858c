// Whole images through convolutional models: which models qualify and their margins, the tiles of an axis,
// and the passes — tiled equals one pass, a non-multiple size is padded and cropped back, colour and the
// super-resolution scale are kept.
#include "nn/infer/whole_image.hpp"

#include <gtest/gtest.h>

#include <random>

#include "nn/model/model.hpp"
#include "tests/support/gpu.hpp"

namespace vkae::nn {
namespace {

TEST(WholeImage, GeometryOfTheBuiltIns) {
  const auto dae = whole_image_geometry(resolve_model("dae"));
  ASSERT_TRUE(dae);
  EXPECT_EQ(dae->factor, 4u);
  EXPECT_EQ(dae->scale, 1u);
  // 3x3 convs at spans 1, 2, 4, 2, 1 (radius 1+2+4+2+1) and pools at spans 1, 2: 13, rounded up to 16.
  EXPECT_EQ(dae->margin, 16u);
  EXPECT_EQ(dae->bytes_per_pixel, 32u * 4);  // 32 filters at full size
  const auto sr = whole_image_geometry(resolve_model("sr"));
  ASSERT_TRUE(sr);
  EXPECT_EQ(sr->factor, 1u);
  EXPECT_EQ(sr->scale, 2u);
  EXPECT_EQ(sr->margin, 4u);  // 1 + 1 + 1 + 0.5
  EXPECT_FALSE(whole_image_geometry(resolve_model("dense"))) << "dense layers take one size";
  EXPECT_FALSE(whole_image_geometry(resolve_model("vae")));
  EXPECT_FALSE(whole_image_geometry(resolve_model("conv"))) << "its 'valid' conv fits 28x28 only";
}

TEST(WholeImage, TilesCoverTheAxisOnceWithTheirMargins) {
  EXPECT_EQ(tile_axis(100, 100, 16, 4).size(), 1u);
  for (const uint32_t length : {68u, 100u, 256u, 1000u}) {
    const auto spans = tile_axis(length, 64, 16, 4);
    uint32_t covered = 0;
    for (const auto& s : spans) {
      EXPECT_EQ(s.core_begin, covered);
      covered = s.core_end;
      EXPECT_EQ(s.begin % 4, 0u);
      EXPECT_LE(s.begin + 64, length);
      EXPECT_TRUE(s.begin == 0 || s.core_begin - s.begin >= 16) << length;
      EXPECT_TRUE(s.begin + 64 == length || s.begin + 64 - s.core_end >= 16) << length;
    }
    EXPECT_EQ(covered, length);
  }
  EXPECT_THROW(tile_axis(100, 32, 16, 4), InputError) << "no core left between the margins";
  EXPECT_THROW(tile_axis(100, 50, 4, 4), InputError) << "not a multiple of the pooling factor";
}

// A checkpoint of `spec` with seeded random weights (biases too, so every path is exercised).
LoadedCheckpoint random_checkpoint(const ModelSpec& spec) {
  LoadedCheckpoint c{{}, spec, {}};
  Model model(test::ctx(), spec, 1);
  uint32_t seed = 7;
  for (const Param& p : model.params())
    c.file.tensors.push_back({p.name, p.shape, test::random_floats(p.count, seed++, -0.3f, 0.3f)});
  return c;
}

Image random_image(uint32_t w, uint32_t h, uint32_t channels) {
  Image image{w, h, channels, std::vector<uint8_t>(size_t{w} * h * channels)};
  std::mt19937 rng(w * 131 + h);
  for (auto& v : image.pixels) v = static_cast<uint8_t>(rng() % 256);
  return image;
}

size_t differing(const Image& a, const Image& b) {
  size_t n = 0;
  for (size_t i = 0; i < a.pixels.size(); ++i) n += a.pixels[i] != b.pixels[i];
  return n;
}

TEST(WholeImage, TiledEqualsOnePassAndKeepsSizeAndColour) {
  const LoadedCheckpoint ckpt = random_checkpoint(fit_to_data(resolve_model("dae"), {3, 32, 32}));
  const auto g = whole_image_geometry(ckpt.spec);
  ASSERT_TRUE(g);
  const Image photo = random_image(150, 97, 3);  // neither side a multiple of 4
  const WholeImageRun one = run_whole_image(test::ctx(), ckpt, *g, photo, 0);
  EXPECT_EQ(one.tiles, 1u);
  EXPECT_EQ(one.tile_h, 100u);
  EXPECT_EQ(one.tile_w, 152u);
  EXPECT_EQ(one.output.width, 150u);
  EXPECT_EQ(one.output.height, 97u);
  EXPECT_EQ(one.output.channels, 3u);
  const WholeImageRun tiled = run_whole_image(test::ctx(), ckpt, *g, photo, 64);
  EXPECT_EQ(tiled.tiles, 4u * 5);  // cores of 32: rows 0..96, columns 0..128
  ASSERT_EQ(tiled.output.pixels.size(), one.output.pixels.size());
  EXPECT_EQ(differing(tiled.output, one.output), 0u) << "the margins give each core its full context";
}

TEST(WholeImage, SuperResolutionDoublesAnyGreySize) {
  const LoadedCheckpoint ckpt = random_checkpoint(resolve_model("sr"));
  const auto g = whole_image_geometry(ckpt.spec);
  ASSERT_TRUE(g);
  const Image small = random_image(45, 31, 1);
  const WholeImageRun one = run_whole_image(test::ctx(), ckpt, *g, small, 0);
  EXPECT_EQ(one.output.width, 90u);
  EXPECT_EQ(one.output.height, 62u);
  EXPECT_EQ(one.output.channels, 1u);
  const WholeImageRun tiled = run_whole_image(test::ctx(), ckpt, *g, small, 16);
  EXPECT_GT(tiled.tiles, 4u);
  EXPECT_EQ(differing(tiled.output, one.output), 0u);
}

}  // namespace
}  // namespace vkae::nn
