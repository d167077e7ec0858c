// Tests for safetensors: round trip, on-disk layout, and one test per malformed-file case.
#include "nn/io/safetensors.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>

#include "base/error.hpp"
#include "tests/nn/io/test_files.hpp"

namespace vkae::nn {
namespace {

using ::testing::HasSubstr;
using testing::TempDir;
using testing::write_bytes;

std::vector<NamedTensor> sample_tensors() {
  return {{"encoder.0.weight", {2, 1, 3, 3}, std::vector<float>(18)},
          {"encoder.0.bias", {2}, {0.5f, -1.25f}},
          {"scalar", {}, {3.0f}},
          {"empty", {0, 4}, {}}};
}

// A file with the given header text (unpadded) followed by `data_size` bytes.
std::vector<uint8_t> raw_file(const std::string& header, std::size_t data_size) {
  std::vector<uint8_t> bytes(8 + header.size() + data_size, 0);
  const uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<uint8_t>(n >> (8 * i));
  std::memcpy(bytes.data() + 8, header.data(), header.size());
  return bytes;
}

class SafetensorsBad : public ::testing::Test {
 protected:
  // Writes the bytes to a file and returns the InputError message from reading it.
  std::string error_for(const std::vector<uint8_t>& bytes) {
    const auto path = dir_ / "bad.safetensors";
    write_bytes(path, bytes);
    try {
      read_safetensors(path);
    } catch (const InputError& e) {
      const std::string message = e.what();
      EXPECT_THAT(message, HasSubstr(path.string()));
      EXPECT_EQ(message.find('\n'), std::string::npos);
      return message;
    }
    ADD_FAILURE() << "no InputError";
    return {};
  }
  std::string error_for(const std::string& header, std::size_t data_size) {
    return error_for(raw_file(header, data_size));
  }
  TempDir dir_;
};

TEST(Safetensors, RoundTripsTensorsAndMetadata) {
  TempDir dir;
  auto tensors = sample_tensors();
  for (std::size_t i = 0; i < 18; ++i) tensors[0].data[i] = static_cast<float>(i) * 0.1f - 0.7f;
  const std::map<std::string, std::string> metadata = {{"format", "vkae-1"}, {"spec", R"({"layers":[1,2]})"}};
  write_safetensors(dir / "c.safetensors", tensors, metadata);
  const Safetensors loaded = read_safetensors(dir / "c.safetensors");
  EXPECT_EQ(loaded.metadata, metadata);
  ASSERT_EQ(loaded.tensors.size(), tensors.size());
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    EXPECT_EQ(loaded.tensors[i].name, tensors[i].name);
    EXPECT_EQ(loaded.tensors[i].shape, tensors[i].shape);
    EXPECT_EQ(loaded.tensors[i].data, tensors[i].data);
  }
  EXPECT_EQ(loaded.at("encoder.0.bias").data[1], -1.25f);
  expect_tensor(loaded, "encoder.0.weight", {2, 1, 3, 3});
}

TEST(Safetensors, HeaderIsPaddedToEightBytesWithLittleEndianData) {
  const std::vector<NamedTensor> tensors = {{"w", {1}, {1.0f}}};
  const auto bytes = encode_safetensors(tensors, {});
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= static_cast<uint64_t>(bytes[i]) << (8 * i);
  EXPECT_EQ(n % 8, 0u);
  EXPECT_EQ(bytes.size(), 8 + n + 4);
  const std::string header(reinterpret_cast<const char*>(bytes.data() + 8), n);
  EXPECT_EQ(header.substr(0, header.find_last_not_of(' ') + 1),
            R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})");
  // 1.0f = 0x3f800000, little-endian.
  EXPECT_EQ(bytes[8 + n + 3], std::byte{0x3f});
  EXPECT_EQ(bytes[8 + n + 2], std::byte{0x80});
}

TEST(Safetensors, RejectsBadTensorsOnWrite) {
  TempDir dir;
  const std::vector<NamedTensor> wrong_size = {{"w", {2, 3}, std::vector<float>(5)}};
  try {
    write_safetensors(dir / "x.safetensors", wrong_size, {});
    FAIL();
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(),
                HasSubstr("x.safetensors: safetensors: tensor w has 5 values but shape [2,3] needs 6"));
  }
  const std::vector<NamedTensor> repeated = {{"w", {1}, {1}}, {"w", {1}, {2}}};
  EXPECT_THROW(encode_safetensors(repeated, {}), InputError);
  EXPECT_FALSE(std::filesystem::exists(dir / "x.safetensors"));
}

TEST(Safetensors, ExpectTensorNamesShapeMismatchAndMissing) {
  TempDir dir;
  const std::vector<NamedTensor> tensors = {{"encoder.0.weight", {32, 1, 3, 3}, std::vector<float>(288)}};
  write_safetensors(dir / "ck.safetensors", tensors, {});
  const Safetensors loaded = read_safetensors(dir / "ck.safetensors");
  try {
    expect_tensor(loaded, "encoder.0.weight", {16, 1, 3, 3});
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              "checkpoint " + (dir / "ck.safetensors").string() +
                  ": tensor encoder.0.weight has shape [32,1,3,3], expected [16,1,3,3]");
  }
  try {
    expect_tensor(loaded, "decoder.0.bias", {16});
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              "checkpoint " + (dir / "ck.safetensors").string() + ": missing tensor decoder.0.bias");
  }
}

TEST_F(SafetensorsBad, RejectsShortFile) {
  EXPECT_THAT(error_for(std::vector<uint8_t>{1, 2, 3, 4, 5}), HasSubstr("5 bytes, expected at least 8"));
}

TEST_F(SafetensorsBad, RejectsHeaderLongerThanFile) {
  auto bytes = raw_file("{}", 0);
  bytes[0] = 200;
  EXPECT_THAT(error_for(bytes), HasSubstr("header length 200 is larger than the 2 bytes after it"));
}

TEST_F(SafetensorsBad, RejectsAbsurdHeaderLength) {
  auto bytes = raw_file("{}", 0);
  bytes[7] = 0x7f;
  EXPECT_THAT(error_for(bytes), HasSubstr("is absurd"));
}

TEST_F(SafetensorsBad, RejectsHeaderThatIsNotJson) {
  EXPECT_THAT(
      error_for("{\"w\": nope}", 0),
      HasSubstr(": header: invalid JSON at byte 7: syntax error while parsing value - invalid literal"));
}

TEST_F(SafetensorsBad, RejectsHeaderThatIsNotObject) {
  EXPECT_THAT(error_for("[1,2]", 0), HasSubstr("header is an array, expected a JSON object"));
}

TEST_F(SafetensorsBad, RejectsEntryMissingFields) {
  EXPECT_THAT(error_for(R"({"w":{"shape":[1],"data_offsets":[0,4]}})", 4),
              HasSubstr("tensor w: missing key \"dtype\""));
  EXPECT_THAT(error_for(R"({"w":{"dtype":"F32","data_offsets":[0,4]}})", 4),
              HasSubstr("tensor w: missing key \"shape\""));
  EXPECT_THAT(error_for(R"({"w":{"dtype":"F32","shape":[1]}})", 4),
              HasSubstr("tensor w: missing key \"data_offsets\""));
  EXPECT_THAT(error_for(R"({"w":5})", 0), HasSubstr("tensor w: entry is a number, expected an object"));
}

TEST_F(SafetensorsBad, RejectsNonF32Dtype) {
  EXPECT_THAT(error_for(R"({"w":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}})", 4),
              HasSubstr("tensor w: dtype F16 is not supported (only F32)"));
}

TEST_F(SafetensorsBad, RejectsNegativeDims) {
  EXPECT_THAT(error_for(R"({"w":{"dtype":"F32","shape":[-1,4],"data_offsets":[0,0]}})", 0),
              HasSubstr("tensor w: shape has negative dimension -1"));
  EXPECT_THAT(error_for(R"({"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}})", 4),
              HasSubstr("expected an integer"));
}

TEST_F(SafetensorsBad, RejectsRangeNotMatchingShape) {
  EXPECT_THAT(error_for(R"({"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}})", 20),
              HasSubstr("tensor w: data_offsets [0,20] span 20 bytes, but shape [2,3] of F32 needs 24"));
}

TEST_F(SafetensorsBad, RejectsRangeOutsideDataSection) {
  EXPECT_THAT(error_for(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})", 8),
              HasSubstr("tensor w: data_offsets [4,12] lie outside the data section of 8 bytes"));
}

TEST_F(SafetensorsBad, RejectsOverlappingRanges) {
  EXPECT_THAT(error_for(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                        R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                        12),
              HasSubstr("tensors a [0,8] and b [4,12] have overlapping data_offsets"));
}

TEST_F(SafetensorsBad, RejectsUncoveredBytes) {
  EXPECT_THAT(error_for(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", 8),
              HasSubstr("data section bytes [0,4] are not covered by any tensor"));
  EXPECT_THAT(error_for(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", 12),
              HasSubstr("data section has 8 bytes after the last tensor"));
}

TEST_F(SafetensorsBad, RejectsNonStringMetadata) {
  EXPECT_THAT(error_for(R"({"__metadata__":{"epoch":3}})", 0),
              HasSubstr("__metadata__ value for \"epoch\" is a number, expected a string"));
  EXPECT_THAT(error_for(R"({"__metadata__":[1]})", 0), HasSubstr("__metadata__ is an array"));
}

TEST_F(SafetensorsBad, RejectsDuplicateTensorNames) {
  EXPECT_THAT(error_for(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                        R"("a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                        8),
              HasSubstr("\"a\" repeats"));
}

}  // namespace
}  // namespace vkae::nn
