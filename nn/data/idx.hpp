// IDX files (the MNIST container: 2 zero bytes, a type code, a dim count, big-endian u32 dims, raw data),
// raw or gzip-compressed (detected by the 1f 8b magic, not the file name). Only unsigned-byte data (0x08).
// Validates the header and that the payload is exactly product(dims) bytes; knows nothing about datasets.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vkae::nn {

struct IdxArray {
  std::vector<uint32_t> dims;  // e.g. {60000, 28, 28}
  std::vector<uint8_t> data;   // product(dims) bytes, row-major
};

// IDX arrays above this many bytes are rejected as corrupt headers.
inline constexpr uint64_t kMaxIdxBytes = uint64_t{1} << 32;

// Throws InputError "<path>: <problem>" (bad magic, unsupported type, bad dims, truncated, trailing bytes,
// corrupt gzip).
IdxArray read_idx(const std::filesystem::path& path);
// The same on bytes already in memory (raw or gzip); `what` names the input in messages.
IdxArray decode_idx(std::span<const std::byte> bytes, std::string_view what);

// Raw (uncompressed) IDX bytes for an unsigned-byte array; dims.size() in 1..4 and data sized to match.
std::vector<std::byte> encode_idx(const IdxArray& array);

// "60000x28x28"
std::string format_dims(std::span<const uint32_t> dims);

}  // namespace vkae::nn
