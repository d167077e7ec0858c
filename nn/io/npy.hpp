// NumPy .npy files (format version 1.0), the subset vkae writes: C-order arrays of little-endian float32
// ('<f4') or uint8 ('|u1') of any rank. Encoding, atomic writing, and a reader of that same subset (for tests
// and tools). Not a general .npy reader: no other dtypes, no Fortran order, no format 2.0/3.0, no pickles.
#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vkae::nn {

// "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }" padded with spaces and ended by '\n' so that
// magic + version + length + header is a multiple of 64 bytes, as numpy.save writes it.
std::string npy_header(std::string_view descr, std::span<const uint64_t> shape);

// The whole file: header then the data. InputError when the shape does not match the element count.
std::vector<std::byte> encode_npy(std::span<const float> data, std::span<const uint64_t> shape);
std::vector<std::byte> encode_npy(std::span<const uint8_t> data, std::span<const uint64_t> shape);

// Written atomically (the target is the old file or the new one, never half of one).
void write_npy(const std::filesystem::path& path, std::span<const float> data,
               std::span<const uint64_t> shape);
void write_npy(const std::filesystem::path& path, std::span<const uint8_t> data,
               std::span<const uint64_t> shape);

struct NpyArray {
  std::string descr;  // "<f4" or "|u1"
  std::vector<uint64_t> shape;
  std::vector<float> floats;   // when descr is "<f4"
  std::vector<uint8_t> bytes;  // when descr is "|u1"
};

// InputError "<what>: <reason>" for anything outside the subset above or a file that is cut short.
NpyArray decode_npy(std::span<const std::byte> file, std::string_view what);
NpyArray read_npy(const std::filesystem::path& path);

}  // namespace vkae::nn
