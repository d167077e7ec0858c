// Tests for PNG writing/reading (round trips, colour conversion, bad files) and the resize.
#include "nn/io/png.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/error.hpp"
#include "tests/nn/io/test_files.hpp"

namespace vkae::nn {
namespace {

using ::testing::HasSubstr;
using testing::read_bytes;
using testing::TempDir;
using testing::write_bytes;

// Hand-made with Python's zlib: a 2x1 16-bit grey image (0x0000, 0xffff) and a 3x1 2-bit palette image
// (red, green, blue) whose tRNS makes the blue entry fully transparent.
const std::vector<uint8_t> kGrey16 = {0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d,
                                      0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01,
                                      0x10, 0x00, 0x00, 0x00, 0x00, 0x81, 0xd9, 0xfc, 0x15, 0x00, 0x00, 0x00,
                                      0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x60, 0x60, 0xf8, 0xff,
                                      0x1f, 0x00, 0x03, 0x02, 0x01, 0xff, 0xe6, 0x77, 0x0b, 0xae, 0x00, 0x00,
                                      0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};
const std::vector<uint8_t> kPalette2 = {
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44,
    0x52, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x02, 0x03, 0x00, 0x00, 0x00, 0x66,
    0x8e, 0xfc, 0x27, 0x00, 0x00, 0x00, 0x09, 0x50, 0x4c, 0x54, 0x45, 0xff, 0x00, 0x00, 0x00,
    0xff, 0x00, 0x00, 0x00, 0xff, 0x2d, 0x4a, 0xcd, 0x8a, 0x00, 0x00, 0x00, 0x03, 0x74, 0x52,
    0x4e, 0x53, 0xff, 0xff, 0x00, 0xd7, 0xca, 0x0d, 0x41, 0x00, 0x00, 0x00, 0x0a, 0x49, 0x44,
    0x41, 0x54, 0x78, 0x9c, 0x63, 0x90, 0x00, 0x00, 0x00, 0x1a, 0x00, 0x19, 0x2d, 0x88, 0xf4,
    0x36, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};

std::string read_error(const std::filesystem::path& path) {
  try {
    read_png_grey(path);
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no InputError";
  return {};
}

TEST(Png, GreyRoundTrip) {
  TempDir dir;
  std::vector<uint8_t> pixels(7 * 5);
  for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<uint8_t>(i * 7);
  write_png(dir / "g.png", 7, 5, 1, pixels);
  const GreyImage image = read_png_grey(dir / "g.png");
  EXPECT_EQ(image.width, 7u);
  EXPECT_EQ(image.height, 5u);
  EXPECT_EQ(image.pixels, pixels);
}

TEST(Png, RgbAndRgbaBecomeLumaOverWhite) {
  TempDir dir;
  const std::vector<uint8_t> rgb = {255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 10, 10};
  write_png(dir / "rgb.png", 2, 2, 3, rgb);
  EXPECT_EQ(read_png_grey(dir / "rgb.png").pixels, (std::vector<uint8_t>{77, 149, 29, 10}));
  const std::vector<uint8_t> rgba = {0, 0, 0, 255, 0, 0, 0, 0, 0, 0, 0, 128};
  write_png(dir / "rgba.png", 3, 1, 4, rgba);
  EXPECT_EQ(read_png_grey(dir / "rgba.png").pixels, (std::vector<uint8_t>{0, 255, 127}));
}

TEST(Png, Reads16BitAndPaletteWithTransparency) {
  TempDir dir;
  write_bytes(dir / "g16.png", kGrey16);
  EXPECT_EQ(read_png_grey(dir / "g16.png").pixels, (std::vector<uint8_t>{0, 255}));
  write_bytes(dir / "pal.png", kPalette2);
  EXPECT_EQ(read_png_grey(dir / "pal.png").pixels, (std::vector<uint8_t>{77, 149, 255}));
}

TEST(Png, RejectsNonPng) {
  TempDir dir;
  write_bytes(dir / "digit.png", {'G', 'I', 'F', '8', '9', 'a', 0, 0, 0, 0});
  EXPECT_EQ(read_error(dir / "digit.png"), (dir / "digit.png").string() + ": not a PNG file (bad signature)");
  write_bytes(dir / "tiny.png", {0x89, 'P'});
  EXPECT_THAT(read_error(dir / "tiny.png"), HasSubstr("bad signature"));
}

TEST(Png, RejectsTruncatedAndCorrupt) {
  TempDir dir;
  std::vector<uint8_t> pixels(32 * 32);
  for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<uint8_t>(i * 31 % 251);
  auto bytes = encode_png(32, 32, 1, pixels);
  auto truncated = bytes;
  truncated.resize(bytes.size() / 2);
  write_bytes(dir / "t.png", truncated);
  EXPECT_THAT(read_error(dir / "t.png"),
              HasSubstr((dir / "t.png").string() + ": corrupt or truncated PNG: "));
  auto header_only = bytes;
  header_only.resize(20);
  write_bytes(dir / "h.png", header_only);
  EXPECT_THAT(read_error(dir / "h.png"), HasSubstr("unexpected end of file"));
  auto corrupt = bytes;
  corrupt[bytes.size() / 2] ^= 0x55;  // inside IDAT: CRC mismatch
  write_bytes(dir / "c.png", corrupt);
  EXPECT_THAT(read_error(dir / "c.png"), HasSubstr("corrupt or truncated PNG"));
}

TEST(Png, WriteRejectsBadArgumentsAndKeepsOldFile) {
  TempDir dir;
  write_bytes(dir / "keep.png", {1, 2, 3});
  const std::vector<uint8_t> pixels(10);
  EXPECT_THAT(
      [&] { write_png(dir / "keep.png", 2, 2, 2, pixels); },
      ::testing::ThrowsMessage<InputError>(HasSubstr("keep.png: PNG: 2 channels, expected 1, 3 or 4")));
  EXPECT_THAT([&] { write_png(dir / "keep.png", 3, 3, 1, pixels); },
              ::testing::ThrowsMessage<InputError>(HasSubstr("3x3x1 needs 9 bytes, got 10")));
  EXPECT_EQ(read_bytes(dir / "keep.png"), (std::vector<uint8_t>{1, 2, 3}));
}

TEST(Png, ResizeAveragesWhenShrinkingAndInterpolatesWhenEnlarging) {
  // 4x2 blocks of 2x2 -> 2x1: exact block means.
  const GreyImage blocks{4, 2, {0, 100, 200, 200, 100, 0, 200, 200}};
  EXPECT_EQ(resize_area(blocks, 2, 1).pixels, (std::vector<uint8_t>{50, 200}));
  // A constant photo stays constant at any size; 3x shrink of a non-multiple size too.
  const GreyImage flat{100, 70, std::vector<uint8_t>(7000, 42)};
  for (const auto& [w, h] : {std::pair{28u, 28u}, std::pair{33u, 200u}, std::pair{1u, 1u}}) {
    const GreyImage out = resize_area(flat, w, h);
    EXPECT_EQ(out.width, w);
    EXPECT_EQ(out.height, h);
    EXPECT_EQ(out.pixels, std::vector<uint8_t>(std::size_t{w} * h, 42));
  }
  // Enlarging a 2x1 ramp 0..255 to 4x1: clamped at the ends, interpolated between.
  EXPECT_EQ(resize_area(GreyImage{2, 1, {0, 255}}, 4, 1).pixels, (std::vector<uint8_t>{0, 64, 191, 255}));
  EXPECT_THROW(resize_area(flat, 0, 28), InputError);
}

}  // namespace
}  // namespace vkae::nn
