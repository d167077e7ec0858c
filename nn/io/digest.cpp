// XXH64 written from the xxHash specification (doc/xxhash_spec.md): four accumulators over 32-byte
// stripes, then the tail in 8-, 4- and 1-byte steps, then the avalanche. Reads are little-endian via
// memcpy (the machines vkae runs on are little-endian; the cache files it guards are per machine).
#include "nn/io/digest.hpp"

#include <bit>
#include <cstring>

namespace vkae::nn {

namespace {

constexpr uint64_t kP1 = 0x9E3779B185EBCA87ull;
constexpr uint64_t kP2 = 0xC2B2AE3D27D4EB4Full;
constexpr uint64_t kP3 = 0x165667B19E3779F9ull;
constexpr uint64_t kP4 = 0x85EBCA77C2B2AE63ull;
constexpr uint64_t kP5 = 0x27D4EB2F165667C5ull;

uint64_t read64(const std::byte* p) noexcept {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

uint32_t read32(const std::byte* p) noexcept {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

uint64_t round(uint64_t acc, uint64_t input) noexcept {
  acc += input * kP2;
  return std::rotl(acc, 31) * kP1;
}

uint64_t merge_round(uint64_t acc, uint64_t lane) noexcept {
  acc ^= round(0, lane);
  return acc * kP1 + kP4;
}

}  // namespace

uint64_t xxh64(std::span<const std::byte> bytes, uint64_t seed) noexcept {
  const std::byte* p = bytes.data();
  const std::byte* const end = p + bytes.size();
  uint64_t h;
  if (bytes.size() >= 32) {
    uint64_t v1 = seed + kP1 + kP2, v2 = seed + kP2, v3 = seed, v4 = seed - kP1;
    for (; end - p >= 32; p += 32) {
      v1 = round(v1, read64(p));
      v2 = round(v2, read64(p + 8));
      v3 = round(v3, read64(p + 16));
      v4 = round(v4, read64(p + 24));
    }
    h = std::rotl(v1, 1) + std::rotl(v2, 7) + std::rotl(v3, 12) + std::rotl(v4, 18);
    h = merge_round(merge_round(merge_round(merge_round(h, v1), v2), v3), v4);
  } else {
    h = seed + kP5;
  }
  h += bytes.size();
  for (; end - p >= 8; p += 8) h = std::rotl(h ^ round(0, read64(p)), 27) * kP1 + kP4;
  if (end - p >= 4) {
    h = std::rotl(h ^ (uint64_t{read32(p)} * kP1), 23) * kP2 + kP3;
    p += 4;
  }
  for (; p < end; ++p) h = std::rotl(h ^ (std::to_integer<uint64_t>(*p) * kP5), 11) * kP1;
  h ^= h >> 33;
  h *= kP2;
  h ^= h >> 29;
  h *= kP3;
  h ^= h >> 32;
  return h;
}

uint64_t fnv1a64(std::span<const std::byte> bytes) noexcept {
  uint64_t h = 0xcbf29ce484222325ull;
  for (const std::byte b : bytes) h = (h ^ std::to_integer<uint64_t>(b)) * 0x100000001b3ull;
  return h;
}

}  // namespace vkae::nn
