// Tests for decode_images: the channel choice, the size check and the cover-crop, the same bytes for one
// thread and four, the first bad file in file order as the error, skip_bad's counts and the progress calls.
#include "nn/data/image_decode.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "base/error.hpp"
#include "nn/io/image.hpp"
#include "tests/nn/io/test_files.hpp"

namespace vkae::nn {
namespace {

using testing::pattern_image;

using testing::read_bytes;
using testing::TempDir;
using testing::write_bytes;

std::filesystem::path write(const TempDir& dir, const std::string& name, const Image& image) {
  write_image(dir / name, image);
  return dir / name;
}

std::string decode_error(std::span<const std::filesystem::path> files, const DecodeOptions& options) {
  try {
    decode_images(files, options);
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no InputError";
  return {};
}

// What decode_images should hold for one file: decoded, converted, cover-cropped when sized, planar.
std::vector<uint8_t> expected_planes(const std::filesystem::path& file, uint32_t channels,
                                     std::optional<std::pair<uint32_t, uint32_t>> size = std::nullopt) {
  Image image = convert_channels(read_image(file), channels);
  if (size) image = cover_and_center_crop(image, size->second, size->first);
  return to_planar(image);
}

// 30 files of mixed formats, sizes and channels, with a few bad ones at fixed places.
std::vector<std::filesystem::path> mixed_files(const TempDir& dir, bool with_bad) {
  std::vector<std::filesystem::path> files;
  const char* exts[] = {".png", ".bmp", ".jpg"};
  for (uint32_t i = 0; i < 30; ++i) {
    const std::string name = "f" + std::to_string(100 + i) + exts[i % 3];
    if (with_bad && (i == 4 || i == 17)) {
      write_bytes(dir / name, {});
      files.push_back(dir / name);
      continue;
    }
    files.push_back(write(dir, name, pattern_image(9 + i % 7, 5 + i % 11, i % 2 ? 3 : 1, i)));
  }
  return files;
}

TEST(Decode, ChannelsComeFromTheImagesUnlessGiven) {
  TempDir dir;
  const std::vector<std::filesystem::path> grey = {write(dir, "a.png", pattern_image(5, 4, 1, 1)),
                                                   write(dir, "b.png", pattern_image(5, 4, 1, 2))};
  const DecodedImages g = decode_images(grey, {});
  EXPECT_EQ(g.channels, 1u);
  EXPECT_EQ(g.height, 4u);
  EXPECT_EQ(g.width, 5u);
  EXPECT_EQ(g.kept, (std::vector<uint32_t>{0, 1}));
  EXPECT_TRUE(g.skipped.empty());
  std::vector<uint8_t> both = expected_planes(grey[0], 1);
  const std::vector<uint8_t> second = expected_planes(grey[1], 1);
  both.insert(both.end(), second.begin(), second.end());
  EXPECT_EQ(g.planes, both);

  const std::vector<std::filesystem::path> mixed = {grey[0], write(dir, "c.png", pattern_image(5, 4, 3, 3))};
  const DecodedImages m = decode_images(mixed, {});
  EXPECT_EQ(m.channels, 3u);
  EXPECT_EQ(std::vector<uint8_t>(m.planes.begin(), m.planes.begin() + 60), expected_planes(mixed[0], 3));
  DecodeOptions as_grey;
  as_grey.channels = 1;
  const DecodedImages forced = decode_images(mixed, as_grey);
  EXPECT_EQ(forced.channels, 1u);
  EXPECT_EQ(std::vector<uint8_t>(forced.planes.begin() + 20, forced.planes.end()),
            expected_planes(mixed[1], 1));
}

TEST(Decode, GivenSizeCoverCropsEveryImage) {
  TempDir dir;
  const std::vector<std::filesystem::path> files = {write(dir, "wide.png", pattern_image(40, 30, 3)),
                                                    write(dir, "tall.bmp", pattern_image(9, 17, 3)),
                                                    write(dir, "tiny.png", pattern_image(3, 2, 1))};
  DecodeOptions options;
  options.height = 8;
  options.width = 6;
  const DecodedImages out = decode_images(files, options);
  EXPECT_EQ(out.channels, 3u);
  EXPECT_EQ(out.height, 8u);
  EXPECT_EQ(out.width, 6u);
  std::vector<uint8_t> expected;
  for (const auto& file : files) {
    const auto planes = expected_planes(file, 3, std::pair{8u, 6u});
    expected.insert(expected.end(), planes.begin(), planes.end());
  }
  EXPECT_EQ(out.planes, expected);
  DecodeOptions square;
  square.height = 5;  // the width follows
  EXPECT_EQ(decode_images(files, square).width, 5u);
}

TEST(Decode, UnequalSizesWithoutATargetSizeAreAnError) {
  TempDir dir;
  const std::vector<std::filesystem::path> files = {write(dir, "a.png", pattern_image(5, 4, 1)),
                                                    write(dir, "same.png", pattern_image(5, 4, 1)),
                                                    write(dir, "b.jpg", pattern_image(3, 2, 3))};
  EXPECT_EQ(decode_error(files, {}),
            dir.path().string() + "/: images differ in size (a.png is 5x4, b.jpg is 3x2); pass --size H[xW]");
}

TEST(Decode, OneThreadAndFourGiveTheSameBytes) {
  TempDir dir;
  for (const bool with_bad : {false, true}) {
    const auto files = mixed_files(dir, with_bad);
    DecodeOptions options;
    options.height = 12;
    options.width = 16;
    options.skip_bad = with_bad;
    options.threads = 1;
    const DecodedImages one = decode_images(files, options);
    options.threads = 4;
    const DecodedImages four = decode_images(files, options);
    EXPECT_EQ(one.channels, 3u);
    EXPECT_EQ(one.planes, four.planes);
    EXPECT_EQ(one.kept, four.kept);
    EXPECT_EQ(one.skipped, four.skipped);
    EXPECT_EQ(one.kept.size(), with_bad ? 28u : 30u);
    EXPECT_EQ(one.planes.size(), one.kept.size() * 3 * 12 * 16);
  }
}

std::filesystem::path write_first_half(const std::filesystem::path& from, const std::filesystem::path& to) {
  auto bytes = read_bytes(from);
  bytes.resize(bytes.size() / 2);
  write_bytes(to, bytes);
  return to;
}

TEST(Decode, TheFirstBadFileInFileOrderIsTheError) {
  TempDir dir;
  auto files = mixed_files(dir, false);
  files[4] = write_first_half(files[4], dir / "f104-cut.bmp");  // headers intact, pixels short
  files[11] = write_first_half(files[11], dir / "f111-cut.jpg");
  DecodeOptions options;
  options.height = 12;
  options.width = 16;
  for (const unsigned threads : {1u, 4u, 8u}) {
    options.threads = threads;
    EXPECT_EQ(decode_error(files, options), files[4].string() + ": truncated BMP") << threads << " threads";
  }
  // A bad header is found by the header pass, before any pixels are decoded: it is reported first.
  write_bytes(dir / "f120.png", {});
  files[20] = dir / "f120.png";
  EXPECT_EQ(decode_error(files, options), files[20].string() + ": empty file");
}

TEST(Decode, SkipBadKeepsTheRestInOrderAndSaysWhy) {
  TempDir dir;
  const auto a = write(dir, "a.png", pattern_image(4, 4, 1, 1));
  write_bytes(dir / "b.png", {1, 2, 3, 4, 5, 6, 7, 8});
  const auto c = write(dir, "c.png", pattern_image(4, 4, 1, 3));
  write_first_half(c, dir / "d.png");
  const auto e = write(dir, "e.png", pattern_image(4, 4, 1, 5));
  const std::vector<std::filesystem::path> files = {a, dir / "b.png", c, dir / "d.png", e};
  DecodeOptions options;
  options.skip_bad = true;
  const DecodedImages out = decode_images(files, options);
  EXPECT_EQ(out.kept, (std::vector<uint32_t>{0, 2, 4}));
  EXPECT_THAT(out.skipped,
              ::testing::ElementsAre((dir / "b.png").string() + ": unknown image type (expected PNG, "
                                                                "JPEG, BMP, GIF, TGA, PGM or PPM)",
                                     (dir / "d.png").string() + ": truncated PNG"));
  std::vector<uint8_t> expected;
  for (const auto& file : {a, c, e}) {
    const auto planes = expected_planes(file, 1);
    expected.insert(expected.end(), planes.begin(), planes.end());
  }
  EXPECT_EQ(out.planes, expected);
}

TEST(Decode, EveryFileBadOrNoFilesIsAnError) {
  TempDir dir;
  write_bytes(dir / "x.png", {});
  write_bytes(dir / "y.jpg", {0xff, 0xd8, 0xff});
  const std::vector<std::filesystem::path> files = {dir / "x.png", dir / "y.jpg"};
  DecodeOptions options;
  options.skip_bad = true;
  EXPECT_EQ(decode_error(files, options), dir.path().string() +
                                              "/: none of the 2 images could be read (the first: " +
                                              (dir / "x.png").string() + ": empty file)");
  EXPECT_EQ(decode_error({}, options), "decode: no image files");
  options.channels = 2;
  EXPECT_EQ(decode_error(files, options), "decode: 2 channels, expected 1 or 3");
}

TEST(Decode, ProgressComesFromTheCallingThreadAndEndsAtTheTotal) {
  TempDir dir;
  const auto files = mixed_files(dir, false);
  std::vector<std::pair<uint64_t, uint64_t>> calls;
  const std::thread::id caller = std::this_thread::get_id();
  DecodeOptions options;
  options.height = 8;
  options.threads = 3;
  options.progress = [&](uint64_t done, uint64_t total) {
    EXPECT_EQ(std::this_thread::get_id(), caller);
    calls.emplace_back(done, total);
  };
  decode_images(files, options);
  ASSERT_FALSE(calls.empty());
  EXPECT_EQ(calls.back(), (std::pair<uint64_t, uint64_t>{30, 30}));
  for (std::size_t i = 1; i < calls.size(); ++i) EXPECT_LE(calls[i - 1].first, calls[i].first);
}

}  // namespace
}  // namespace vkae::nn
