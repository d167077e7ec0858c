// Tests for the IDX reader: raw and gzip files, and each malformed-header and wrong-size case.
#include "nn/data/idx.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/resource.h>

#include "base/error.hpp"
#include "tests/nn/io/test_files.hpp"

namespace vkae::nn {
namespace {

using testing::gzip_bytes;
using ::testing::HasSubstr;
using testing::TempDir;
using testing::write_bytes;

std::vector<uint8_t> as_u8(const std::vector<std::byte>& bytes) {
  std::vector<uint8_t> out(bytes.size());
  for (std::size_t i = 0; i < bytes.size(); ++i) out[i] = static_cast<uint8_t>(bytes[i]);
  return out;
}

IdxArray sample_images() {
  IdxArray array{{3, 4, 5}, {}};
  for (int i = 0; i < 60; ++i) array.data.push_back(static_cast<uint8_t>(i * 4));
  return array;
}

class IdxBad : public ::testing::Test {
 protected:
  std::string error_for(const std::vector<uint8_t>& bytes, const std::string& name = "bad-idx3-ubyte") {
    const auto path = dir_ / name;
    write_bytes(path, bytes);
    try {
      read_idx(path);
    } catch (const InputError& e) {
      EXPECT_THAT(e.what(), HasSubstr(path.string() + ": "));
      return e.what();
    }
    ADD_FAILURE() << "no InputError";
    return {};
  }
  TempDir dir_;
};

TEST(Idx, ReadsRawFile) {
  TempDir dir;
  const IdxArray images = sample_images();
  write_bytes(dir / "images", as_u8(encode_idx(images)));
  const IdxArray loaded = read_idx(dir / "images");
  EXPECT_EQ(loaded.dims, images.dims);
  EXPECT_EQ(loaded.data, images.data);
}

TEST(Idx, ReadsGzipDetectedByMagicNotName) {
  TempDir dir;
  const IdxArray labels{{6}, {0, 1, 2, 3, 9, 5}};
  write_bytes(dir / "labels-no-extension", gzip_bytes(as_u8(encode_idx(labels))));
  write_bytes(dir / "raw-named.gz", as_u8(encode_idx(labels)));
  for (const char* name : {"labels-no-extension", "raw-named.gz"}) {
    const IdxArray loaded = read_idx(dir / name);
    EXPECT_EQ(loaded.dims, labels.dims);
    EXPECT_EQ(loaded.data, labels.data);
  }
}

TEST_F(IdxBad, RejectsBadMagic) {
  auto bytes = as_u8(encode_idx(sample_images()));
  bytes[0] = 'P';
  EXPECT_THAT(error_for(bytes),
              HasSubstr("not an IDX file: magic starts with 0x50 0x00, expected 0x00 0x00"));
}

TEST_F(IdxBad, RejectsNonUbyteType) {
  auto bytes = as_u8(encode_idx(sample_images()));
  bytes[2] = 0x0d;
  EXPECT_THAT(error_for(bytes),
              HasSubstr("IDX type code 0x0d (float) is not supported; only 0x08 (unsigned byte)"));
}

TEST_F(IdxBad, RejectsBadDimensionCountAndZeroDims) {
  EXPECT_THAT(error_for({0, 0, 8, 0}), HasSubstr("IDX has 0 dimensions, expected 1 to 4"));
  EXPECT_THAT(error_for({0, 0, 8, 5}), HasSubstr("IDX has 5 dimensions, expected 1 to 4"));
  EXPECT_THAT(error_for({0, 0, 8, 2, 0, 0, 0, 3, 0, 0, 0, 0}),
              HasSubstr("IDX dimension 1 is 0, expected > 0"));
  EXPECT_THAT(error_for({0, 0, 8, 3, 0, 0, 0, 3}),
              HasSubstr("truncated: file has 8 bytes, the IDX header of 3 dimensions needs 16"));
  EXPECT_THAT(error_for({0, 0}), HasSubstr("truncated: file has 2 bytes"));
}

TEST_F(IdxBad, RejectsTruncatedPayload) {
  auto bytes = as_u8(encode_idx(sample_images()));
  bytes.resize(bytes.size() - 10);
  EXPECT_THAT(error_for(bytes),
              HasSubstr("truncated: expected 60 bytes of data (3x4x5) after the 16-byte header, found 50"));
}

TEST_F(IdxBad, RejectsTrailingGarbage) {
  auto bytes = as_u8(encode_idx(sample_images()));
  bytes.push_back(1);
  bytes.push_back(2);
  EXPECT_THAT(error_for(bytes), HasSubstr("unexpected 2 trailing bytes after the 60 bytes of data (3x4x5)"));
  EXPECT_THAT(error_for(gzip_bytes(bytes), "g.gz"), HasSubstr("trailing bytes after the 60 bytes of data"));
}

TEST_F(IdxBad, RejectsTruncatedGzip) {
  IdxArray big{{50, 28, 28}, std::vector<uint8_t>(50 * 28 * 28)};
  for (std::size_t i = 0; i < big.data.size(); ++i) big.data[i] = static_cast<uint8_t>((i * 7919) >> 3);
  auto gz = gzip_bytes(as_u8(encode_idx(big)));
  gz.resize(gz.size() / 2);
  EXPECT_THAT(error_for(gz, "t.gz"),
              HasSubstr("truncated: expected 39200 bytes of data (50x28x28) after the 16-byte header"));
  EXPECT_THAT(error_for(gz, "t.gz"), HasSubstr("gzip stream ends early"));
  auto no_trailer = gzip_bytes(as_u8(encode_idx(big)));
  no_trailer.resize(no_trailer.size() - 8);  // CRC32 + ISIZE
  EXPECT_THAT(error_for(no_trailer, "u.gz"), HasSubstr("truncated gzip stream"));
}

// A fuzz finding: a 64-byte gzip file whose header claims ~3.9 GB made the reader allocate (and zero) all of
// it before finding the stream short. The buffer now grows with what the stream delivers.
TEST_F(IdxBad, ASmallGzipClaimingGigabytesCostsWhatItInflatesTo) {
  std::vector<uint8_t> bytes(12 + 100, 7);
  const uint8_t header[12] = {0, 0, 8, 2, 0, 0, 0xea, 0x60, 0, 0, 0xfd, 0xe8};  // 60000 x 65000
  std::copy(std::begin(header), std::end(header), bytes.begin());
  rusage before{};
  getrusage(RUSAGE_SELF, &before);
  EXPECT_THAT(error_for(gzip_bytes(bytes), "claims.gz"),
              HasSubstr("truncated: expected 3900000000 bytes of data (60000x65000)"));
  rusage after{};
  getrusage(RUSAGE_SELF, &after);
  EXPECT_LT(after.ru_maxrss - before.ru_maxrss, 64 * 1024) << "KiB of peak RSS for a 100-byte payload";
}

TEST_F(IdxBad, RejectsCorruptGzip) {
  auto gz = gzip_bytes(as_u8(encode_idx(sample_images())));
  gz[10] = 0xff;  // first deflate block header: block type 3 is reserved
  EXPECT_THAT(error_for(gz, "c.gz"), HasSubstr("corrupt gzip data"));
}

// Uses the real MNIST files only when a developer has them cached.
TEST(Idx, ReadsRealMnistIfCached) {
  const char* home = std::getenv("HOME");
  const auto path = std::filesystem::path(home ? home : "/") / ".cache/vkae/mnist/t10k-labels-idx1-ubyte";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " not present";
  const IdxArray labels = read_idx(path);
  EXPECT_EQ(labels.dims, std::vector<uint32_t>{10000});
  EXPECT_EQ(labels.data[0], 7);  // the first MNIST test digit is a 7
}

}  // namespace
}  // namespace vkae::nn
