// .npy writing: the exact header bytes numpy.save writes (magic, version 1.0, little-endian length, the dict
// padded to a multiple of 64 with spaces and '\n'), data round trips through the subset reader, and the
// reader refusing what it does not support.
#include "nn/io/npy.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>

#include "base/error.hpp"
#include "nn/io/atomic_file.hpp"

namespace vkae::nn {
namespace {

std::string as_text(const std::vector<std::byte>& bytes, size_t n) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), std::min(n, bytes.size()));
}

TEST(Npy, FloatHeaderIsExactlyNumpys) {
  const float data[6] = {0, 1, 2, 3, 4, 5};
  const uint64_t shape[2] = {3, 2};
  const std::vector<std::byte> file = encode_npy(data, shape);
  const std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }";
  const std::string expected = std::string("\x93NUMPY\x01\x00", 8) + "v" + std::string(1, '\0') + dict +
                               std::string(58, ' ') + "\n";  // 10 + 118 = 128 bytes
  ASSERT_EQ(expected.size(), 128u);
  EXPECT_EQ(as_text(file, 128), expected);
  ASSERT_EQ(file.size(), 128u + sizeof data);
  EXPECT_EQ(std::memcmp(file.data() + 128, data, sizeof data), 0) << "little-endian float32, C order";
}

TEST(Npy, OneDimensionalShapeIsAPythonOneTuple) {
  const uint64_t shape[1] = {3};
  const std::string header = npy_header("|u1", shape);
  EXPECT_EQ(header.size() % 64, 0u);
  EXPECT_NE(header.find("'shape': (3,), }"), std::string::npos) << header;
  EXPECT_EQ(header.back(), '\n');
}

TEST(Npy, HeaderLengthStaysAMultipleOf64ForLongShapes) {
  for (uint64_t n : {1ull, 9ull, 12345678901ull}) {
    const uint64_t shape[3] = {n, n, n};
    const std::string header = npy_header("<f4", shape);
    EXPECT_EQ(header.size() % 64, 0u) << header;
    EXPECT_EQ(uint8_t(header[8]) | uint8_t(header[9]) << 8, header.size() - 10);
  }
}

TEST(Npy, FloatsAndBytesRoundTripThroughAFile) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("vkae-npy-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::vector<float> values(5 * 7);
  for (size_t i = 0; i < values.size(); ++i) values[i] = float(i) * 0.37f - 3.0f;
  values[3] = -0.0f;
  values[4] = 1e-38f;
  const uint64_t shape[2] = {5, 7};
  write_npy(dir / "a.npy", values, shape);
  const NpyArray a = read_npy(dir / "a.npy");
  EXPECT_EQ(a.descr, "<f4");
  EXPECT_EQ(a.shape, (std::vector<uint64_t>{5, 7}));
  ASSERT_EQ(a.floats.size(), values.size());
  EXPECT_EQ(std::memcmp(a.floats.data(), values.data(), values.size() * 4), 0);

  const std::vector<uint8_t> labels{7, 2, 1, 0, 4, 255};
  const uint64_t n = labels.size();
  write_npy(dir / "l.npy", labels, std::span<const uint64_t>(&n, 1));
  const NpyArray l = read_npy(dir / "l.npy");
  EXPECT_EQ(l.descr, "|u1");
  EXPECT_EQ(l.shape, (std::vector<uint64_t>{6}));
  EXPECT_EQ(l.bytes, labels);
  std::filesystem::remove_all(dir);
}

TEST(Npy, ShapeMismatchAndUnsupportedFilesAreInputErrors) {
  const float data[4] = {};
  const uint64_t wrong[2] = {3, 2};
  EXPECT_THROW(encode_npy(data, wrong), InputError);

  const uint64_t shape[1] = {4};
  std::vector<std::byte> file = encode_npy(data, shape);
  EXPECT_THROW(decode_npy(std::span(file).first(file.size() - 1), "cut.npy"), InputError);
  std::vector<std::byte> v2 = file;
  v2[6] = std::byte{2};
  EXPECT_THROW(decode_npy(v2, "v2.npy"), InputError);
  std::string text = as_text(file, file.size());
  text.replace(text.find("<f4"), 3, "<f8");
  std::vector<std::byte> f8(text.size());
  std::memcpy(f8.data(), text.data(), text.size());
  try {
    decode_npy(f8, "f8.npy");
    FAIL() << "a float64 array was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("f8.npy: npy dtype '<f8'"), std::string::npos) << e.what();
  }
  const std::byte junk[16] = {};
  EXPECT_THROW(decode_npy(junk, "junk.npy"), InputError);
}

}  // namespace
}  // namespace vkae::nn
