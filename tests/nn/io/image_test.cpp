// Tests for users' image files (nn/io/image.hpp): lossless and JPEG round trips, alpha over white, the
// channel conversion, the resize and cover-crop geometry against hand-computed values, and the exact
// one-line errors for empty, unknown, truncated, corrupt and oversized files.
#include "nn/io/image.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stb_image_write.h>

#include <cstdlib>

#include "base/error.hpp"
#include "nn/io/png.hpp"
#include "tests/nn/io/test_files.hpp"

namespace vkae::nn {
namespace {

using ::testing::HasSubstr;
using testing::read_bytes;
using testing::TempDir;
using testing::write_bytes;

// A deterministic pattern: every channel and position differs.
Image pattern(uint32_t width, uint32_t height, uint32_t channels) {
  Image image{width, height, channels, std::vector<uint8_t>(std::size_t{width} * height * channels)};
  for (std::size_t i = 0; i < image.pixels.size(); ++i) image.pixels[i] = static_cast<uint8_t>(i * 37 % 251);
  return image;
}

// A smooth one, which JPEG keeps close.
Image gradient(uint32_t width, uint32_t height, uint32_t channels) {
  Image image{width, height, channels, {}};
  for (uint32_t y = 0; y < height; ++y)
    for (uint32_t x = 0; x < width; ++x)
      for (uint32_t c = 0; c < channels; ++c)
        image.pixels.push_back(static_cast<uint8_t>(40 + 4 * x + 5 * y + 30 * c));
  return image;
}

// write_image writes 1 or 3 channels; grey+alpha and RGBA files come straight from stb_image_write.
void write_png_with_alpha(const std::filesystem::path& path, int width, int height, int comps,
                          const std::vector<uint8_t>& pixels) {
  ASSERT_EQ(pixels.size(), std::size_t(width * height * comps));
  ASSERT_TRUE(stbi_write_png(path.c_str(), width, height, comps, pixels.data(), width * comps));
}

std::string read_error(const std::filesystem::path& path) {
  try {
    read_image(path);
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no InputError for " << path;
  return {};
}

std::vector<uint8_t> first_half(const std::filesystem::path& path) {
  std::vector<uint8_t> bytes = read_bytes(path);
  bytes.resize(bytes.size() / 2);
  return bytes;
}

TEST(Image, PngAndBmpRoundTripsAreExact) {
  TempDir dir;
  const auto check = [&](const std::string& name, const Image& image, uint32_t channels_back) {
    const auto path = dir / name;
    write_image(path, image);
    const Image back = read_image(path);
    EXPECT_EQ(back.width, image.width) << path;
    EXPECT_EQ(back.height, image.height) << path;
    EXPECT_EQ(back.channels, channels_back) << path;
    EXPECT_EQ(back.pixels, convert_channels(image, channels_back).pixels) << path;
    const Image info = read_image_info(path);
    EXPECT_EQ(info.width, image.width) << path;
    EXPECT_EQ(info.height, image.height) << path;
    EXPECT_EQ(info.channels, channels_back) << path;
    EXPECT_TRUE(info.empty());
  };
  check("grey.png", pattern(7, 5, 1), 1);
  check("rgb.png", pattern(13, 3, 3), 3);
  check("column.png", pattern(1, 9, 3), 3);
  check("rgb.bmp", pattern(13, 3, 3), 3);
  check("odd.bmp", pattern(5, 7, 3), 3);
  // stb_image_write has no grey BMP: it writes three equal channels, which read back as RGB.
  check("grey.bmp", pattern(7, 5, 1), 3);
}

TEST(Image, JpegRoundTripIsClose) {
  TempDir dir;
  // stb_image_write's JPEG always has three components, so grey comes back as (near) equal RGB.
  for (const Image& image : {gradient(17, 11, 3), gradient(16, 8, 1)}) {
    const auto path = dir / ("g" + std::to_string(image.channels) + ".JPG");
    write_image(path, image);
    const Image back = convert_channels(read_image(path), image.channels);
    ASSERT_EQ(back.pixels.size(), image.pixels.size());
    int worst = 0;
    for (std::size_t i = 0; i < image.pixels.size(); ++i)
      worst = std::max(worst, std::abs(int{back.pixels[i]} - int{image.pixels[i]}));
    EXPECT_LE(worst, 3) << path;
    EXPECT_EQ(read_image_info(path).channels, 3u);
  }
}

TEST(Image, AlphaIsCompositedOntoWhite) {
  TempDir dir;
  write_png_with_alpha(dir / "rgba.png", 4, 1, 4,
                       {0, 0, 0, 255, 0, 0, 0, 0, 0, 0, 0, 128, 200, 100, 50, 128});
  const Image rgba = read_image(dir / "rgba.png");
  EXPECT_EQ(rgba.channels, 3u);
  EXPECT_EQ(rgba.pixels, (std::vector<uint8_t>{0, 0, 0, 255, 255, 255, 127, 127, 127, 227, 177, 152}));
  EXPECT_EQ(read_image_info(dir / "rgba.png").channels, 3u);
  write_png_with_alpha(dir / "ga.png", 3, 1, 2, {100, 255, 100, 0, 0, 128});
  const Image grey_alpha = read_image(dir / "ga.png");
  EXPECT_EQ(grey_alpha.channels, 1u);
  EXPECT_EQ(grey_alpha.pixels, (std::vector<uint8_t>{100, 255, 127}));
  EXPECT_EQ(read_image_info(dir / "ga.png").channels, 1u);
}

TEST(Image, ConvertChannelsRepeatsGreyAndTakesLuma) {
  const Image grey{2, 1, 1, {7, 200}};
  EXPECT_EQ(convert_channels(grey, 3).pixels, (std::vector<uint8_t>{7, 7, 7, 200, 200, 200}));
  const Image rgb{4, 1, 3, {255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 10, 10}};
  EXPECT_EQ(convert_channels(rgb, 1).pixels, (std::vector<uint8_t>{77, 149, 29, 10}));
  Image all{256, 1, 1, {}};
  for (int v = 0; v < 256; ++v) all.pixels.push_back(static_cast<uint8_t>(v));
  EXPECT_EQ(convert_channels(convert_channels(all, 3), 1).pixels, all.pixels);
  EXPECT_EQ(convert_channels(rgb, 3).pixels, rgb.pixels);
  EXPECT_THAT([&] { convert_channels(rgb, 2); },
              ::testing::ThrowsMessage<InputError>(
                  "convert: cannot make a 4x1x3 image 2 channels (1 or 3 either way)"));
}

TEST(Image, ResizeAveragesWhenShrinkingAndInterpolatesWhenEnlarging) {
  // 2x2 -> 1x1: the mean of the four, per channel (555 / 4 = 138.75 and 100 / 4 = 25).
  const Image square{2, 2, 2, {0, 0, 100, 100, 200, 0, 255, 0}};
  EXPECT_EQ(resize_image(square, 1, 1).pixels, (std::vector<uint8_t>{139, 25}));
  // 2x1 -> 4x1 bilinear, centres aligned: samples at -0.25 (clamped), 0.25, 0.75, 1.25 (clamped).
  const Image pair{2, 1, 3, {0, 255, 10, 255, 0, 10}};
  EXPECT_EQ(resize_image(pair, 4, 1).pixels,
            (std::vector<uint8_t>{0, 255, 10, 64, 191, 10, 191, 64, 10, 255, 0, 10}));
  EXPECT_THAT([&] { resize_image(pair, 0, 3); },
              ::testing::ThrowsMessage<InputError>("resize: cannot resize a 2x1 image to 0x3"));
}

TEST(Image, ResizeOfGreyMatchesResizeArea) {
  const Image image = pattern(37, 23, 1);
  const GreyImage grey{37, 23, image.pixels};
  for (const auto& [w, h] : {std::pair{11u, 50u}, std::pair{28u, 28u}, std::pair{74u, 5u}, std::pair{1u, 1u}})
    EXPECT_EQ(resize_image(image, w, h).pixels, resize_area(grey, w, h).pixels) << w << "x" << h;
}

TEST(Image, CoverAndCenterCropResizesThenTakesTheMiddle) {
  // 640x480 -> 28x28: the scale is 28/480, so 37x28 (640 * 28 / 480 = 37.33), then x from (37 - 28) / 2 = 4.
  const Image wide = pattern(640, 480, 3);
  const Image cropped = cover_and_center_crop(wide, 28, 28);
  EXPECT_EQ(cropped.width, 28u);
  EXPECT_EQ(cropped.height, 28u);
  EXPECT_EQ(cropped.pixels, crop_image(resize_image(wide, 37, 28), 4, 0, 28, 28).pixels);
  // 3x10 -> 4x4: scale 4/3, so 4x13, then y from (13 - 4) / 2 = 4.
  const Image tall = pattern(3, 10, 1);
  EXPECT_EQ(cover_and_center_crop(tall, 4, 4).pixels,
            crop_image(resize_image(tall, 4, 13), 0, 4, 4, 4).pixels);
  // Already covering at scale 1: no resampling, only the centred window (x = 25).
  const Image flat = pattern(100, 50, 1);
  EXPECT_EQ(cover_and_center_crop(flat, 50, 50).pixels, crop_image(flat, 25, 0, 50, 50).pixels);
  EXPECT_EQ(cover_and_center_crop(flat, 100, 50).pixels, flat.pixels);
}

TEST(Image, CropTakesTheWindowOrSaysWhyNot) {
  const Image image{3, 2, 1, {1, 2, 3, 4, 5, 6}};
  EXPECT_EQ(crop_image(image, 1, 0, 2, 2).pixels, (std::vector<uint8_t>{2, 3, 5, 6}));
  EXPECT_THAT(
      [&] { crop_image(image, 2, 0, 2, 2); },
      ::testing::ThrowsMessage<InputError>("crop: the 2x2 window at (2, 0) does not fit a 3x2 image"));
}

TEST(Image, PlanarLayoutRoundTrips) {
  const Image rgb{2, 1, 3, {1, 2, 3, 4, 5, 6}};
  const std::vector<uint8_t> planes = to_planar(rgb);
  EXPECT_EQ(planes, (std::vector<uint8_t>{1, 4, 2, 5, 3, 6}));
  EXPECT_EQ(from_planar(planes, 2, 1, 3).pixels, rgb.pixels);
  EXPECT_THROW(from_planar(planes, 2, 2, 3), InputError);
}

TEST(Image, BadFilesGiveOneLineWithThePathAndTheReason) {
  TempDir dir;
  write_image(dir / "ok.png", pattern(32, 32, 3));
  write_image(dir / "ok.jpg", gradient(32, 32, 3));
  write_image(dir / "ok.bmp", pattern(9, 9, 3));
  write_bytes(dir / "empty.png", {});
  EXPECT_EQ(read_error(dir / "empty.png"), (dir / "empty.png").string() + ": empty file");
  std::vector<uint8_t> noise(300);
  for (std::size_t i = 0; i < noise.size(); ++i) noise[i] = static_cast<uint8_t>((i * 7919 + 13) % 256);
  write_bytes(dir / "noise.png", noise);
  EXPECT_EQ(
      read_error(dir / "noise.png"),
      (dir / "noise.png").string() + ": unknown image type (expected PNG, JPEG, BMP, GIF, TGA, PGM or PPM)");
  for (const char* name : {"ok.png", "ok.jpg", "ok.bmp"}) {
    const auto cut = dir / (std::string("half-") + name);
    write_bytes(cut, first_half(dir / name));
    const std::string format = name == std::string("ok.png")   ? "PNG"
                               : name == std::string("ok.jpg") ? "JPEG"
                                                               : "BMP";
    EXPECT_EQ(read_error(cut), cut.string() + ": truncated " + format);
  }
  auto corrupt = read_bytes(dir / "ok.png");
  corrupt[41] ^= 0xff;  // the zlib header of the first IDAT
  write_bytes(dir / "corrupt.png", corrupt);
  EXPECT_THAT(read_error(dir / "corrupt.png"), HasSubstr((dir / "corrupt.png").string() + ": corrupt PNG"));
  EXPECT_EQ(read_error(dir / "missing.png"),
            "cannot read " + (dir / "missing.png").string() + ": No such file or directory");
  EXPECT_THAT([&] { read_image_info(dir / "empty.png"); },
              ::testing::ThrowsMessage<InputError>((dir / "empty.png").string() + ": empty file"));
}

TEST(Image, OversizedHeaderIsRejectedBeforeDecoding) {
  TempDir dir;
  write_image(dir / "small.png", pattern(4, 4, 1));
  auto bytes = read_bytes(dir / "small.png");
  // IHDR's width and height (stb_image does not check the chunk CRC): 17000 x 17000 grey > 2^28 pixels.
  for (const std::size_t at : {std::size_t{16}, std::size_t{20}}) {
    bytes[at] = 0;
    bytes[at + 1] = 0;
    bytes[at + 2] = 17000 >> 8;
    bytes[at + 3] = 17000 & 0xff;
  }
  write_bytes(dir / "huge.png", bytes);
  const std::string expected =
      (dir / "huge.png").string() + ": image of 17000x17000 pixels is too large (at most 268435456)";
  EXPECT_EQ(read_error(dir / "huge.png"), expected);
  EXPECT_THAT([&] { read_image_info(dir / "huge.png"); }, ::testing::ThrowsMessage<InputError>(expected));
}

// A fuzz finding: Debian's stb_image writes past a Huffman table's 257-byte size list when a DHT segment's
// 16 counts add up to more than 256. Such a file is refused, by the header read and the decode alike.
TEST(Image, AHuffmanTableOfMoreThan256CodesIsRefusedBeforeStbSeesIt) {
  TempDir dir;
  write_image(dir / "ok.jpg", gradient(16, 16, 1));
  const std::vector<uint8_t> ok = read_bytes(dir / "ok.jpg");
  std::vector<uint8_t> dht{0xff, 0xc4, 0x01, 0x23, 0x00};  // length 2 + 17 + 272 = 291; class 0, table 0
  for (int i = 0; i < 16; ++i) dht.push_back(17);          // 16 x 17 = 272 codes
  for (int i = 0; i < 272; ++i) dht.push_back(static_cast<uint8_t>(i % 12));
  std::vector<uint8_t> bad(ok.begin(), ok.begin() + 2);  // SOI, then the table, then the rest
  bad.insert(bad.end(), dht.begin(), dht.end());
  bad.insert(bad.end(), ok.begin() + 2, ok.end());
  write_bytes(dir / "bad.jpg", bad);
  const std::string expected =
      (dir / "bad.jpg").string() + ": corrupt JPEG (a Huffman table of more than 256 codes)";
  EXPECT_EQ(read_error(dir / "bad.jpg"), expected);
  EXPECT_THAT([&] { read_image_info(dir / "bad.jpg"); }, ::testing::ThrowsMessage<InputError>(expected));
  // stb skips junk between segments and takes the next ff c4 for a table: so must the check (the second
  // finding had four stray bytes after its APP0).
  ASSERT_EQ(ok[3], 0xe0) << "stb_image_write starts with APP0";
  const std::ptrdiff_t app0_end = 4 + (ok[4] << 8 | ok[5]);
  std::vector<uint8_t> junk(ok.begin(), ok.begin() + app0_end);
  junk.insert(junk.end(), {0x00, 0x01, 0x00, 0x00});
  junk.insert(junk.end(), dht.begin(), dht.end());
  junk.insert(junk.end(), ok.begin() + app0_end, ok.end());
  write_bytes(dir / "junk.jpg", junk);
  EXPECT_EQ(read_error(dir / "junk.jpg"),
            (dir / "junk.jpg").string() + ": corrupt JPEG (a Huffman table of more than 256 codes)");
  // 255 codes of 8 bits fit (the file's own tables, which come later, replace this one).
  std::vector<uint8_t> fits(ok.begin(), ok.begin() + 2);
  const std::vector<uint8_t> head{0xff, 0xc4, 0x01, 0x12, 0x00, 0, 0, 0, 0, 0, 0,
                                  0,    255,  0,    0,    0,    0, 0, 0, 0, 0};
  fits.insert(fits.end(), head.begin(), head.end());  // length 2 + 17 + 255 = 274
  for (int i = 0; i < 255; ++i) fits.push_back(static_cast<uint8_t>(i));
  fits.insert(fits.end(), ok.begin() + 2, ok.end());
  write_bytes(dir / "fits.jpg", fits);
  EXPECT_EQ(read_image(dir / "fits.jpg").width, 16u);
}

// A fuzz finding: Debian's stb_image decodes a scan with a Huffman table no DHT defined (uninitialised heap,
// a symbol index of -15). Such a file is refused; the file as written decodes.
TEST(Image, AScanWithAnUndefinedHuffmanTableIsRefused) {
  TempDir dir;
  write_image(dir / "ok.jpg", gradient(16, 16, 3));
  const std::vector<uint8_t> ok = read_bytes(dir / "ok.jpg");
  std::size_t sos = 0;
  for (std::size_t i = 2; i + 1 < ok.size() && !sos; ++i)
    if (ok[i] == 0xff && ok[i + 1] == 0xda) sos = i;
  ASSERT_GT(sos, 0u);
  ASSERT_EQ(ok[sos + 4], 3) << "three components in the scan";
  std::vector<uint8_t> bad = ok;
  bad[sos + 6] = 0x22;  // component 1 decodes with DC table 2 and AC table 2, which no DHT defines
  write_bytes(dir / "bad.jpg", bad);
  const std::string expected =
      (dir / "bad.jpg").string() + ": corrupt JPEG (a scan decodes with DC table 2, which no DHT defines)";
  EXPECT_EQ(read_error(dir / "bad.jpg"), expected);
  EXPECT_THAT([&] { read_image_info(dir / "bad.jpg"); }, ::testing::ThrowsMessage<InputError>(expected));
  bad[sos + 6] = 0x03;  // DC table 0 exists, AC table 3 does not
  write_bytes(dir / "ac.jpg", bad);
  EXPECT_EQ(
      read_error(dir / "ac.jpg"),
      (dir / "ac.jpg").string() + ": corrupt JPEG (a scan decodes with AC table 3, which no DHT defines)");
  const Image image = read_image(dir / "ok.jpg");  // the file as written: every scan's tables defined
  EXPECT_EQ(image.width, 16u);
  EXPECT_EQ(image.channels, 3u);
}

// A fuzz finding: Debian's stb_image overflows an int reading a PNM header number of 10 digits.
TEST(Image, APnmHeaderNumberOfTenDigitsIsRefused) {
  TempDir dir;
  const std::string text = "P5\n# comment\n5000000000 2\n255\n";
  std::vector<uint8_t> bytes(text.begin(), text.end());
  write_bytes(dir / "big.pgm", bytes);
  EXPECT_EQ(read_error(dir / "big.pgm"),
            (dir / "big.pgm").string() + ": corrupt PNM (a header number of more than 9 digits)");
  const std::string ok = "P5\n# comment\n2 2\n255\n";
  bytes.assign(ok.begin(), ok.end());
  bytes.insert(bytes.end(), {1, 2, 3, 4});
  write_bytes(dir / "ok.pgm", bytes);
  EXPECT_EQ(read_image(dir / "ok.pgm").width, 2u);
}

// A fuzz finding: a chunk length past the end made stb_image grow its buffer toward 2 GiB.
TEST(Image, APngChunkLongerThanTheFileIsTruncated) {
  TempDir dir;
  write_image(dir / "ok.png", pattern(4, 4, 1));
  std::vector<uint8_t> bytes = read_bytes(dir / "ok.png");
  bytes[33] = 0x7f;  // the first chunk after IHDR (8 + 25 bytes in) claims ~2 GiB
  write_bytes(dir / "long.png", bytes);
  EXPECT_EQ(read_error(dir / "long.png"), (dir / "long.png").string() + ": truncated PNG");
}

TEST(Image, WriteRejectsUnknownExtensionAndBadShapes) {
  TempDir dir;
  EXPECT_THAT([&] { write_image(dir / "a.gif", pattern(2, 2, 1)); },
              ::testing::ThrowsMessage<InputError>(
                  "cannot write " + (dir / "a.gif").string() +
                  ": unknown image extension \".gif\" (expected .png, .jpg, .jpeg or .bmp)"));
  EXPECT_THAT([&] { write_image(dir / "a.png", pattern(2, 2, 4)); },
              ::testing::ThrowsMessage<InputError>(HasSubstr("a.png: 4 channels, expected 1 or 3")));
  EXPECT_THAT(
      [&] {
        write_image(dir / "a.png", Image{3, 3, 1, std::vector<uint8_t>(10)});
      },
      ::testing::ThrowsMessage<InputError>(HasSubstr("3x3x1 needs 9 bytes, got 10")));
  EXPECT_FALSE(std::filesystem::exists(dir / "a.png"));
}

TEST(Image, ExtensionsAreMatchedIgnoringCase) {
  EXPECT_TRUE(has_image_extension("photos/A.JPG"));
  EXPECT_TRUE(has_image_extension("x.jpeg"));
  EXPECT_TRUE(has_image_extension("x.Png"));
  EXPECT_FALSE(has_image_extension("notes.txt"));
  EXPECT_FALSE(has_image_extension("png"));
}

}  // namespace
}  // namespace vkae::nn
