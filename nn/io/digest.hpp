// Non-cryptographic 64-bit digests for caches and checksums: XXH64 (fast, 8 bytes a round in four lanes)
// and FNV-1a (a different construction, so the two together make a 128-bit key). Neither resists an
// adversary; both are for detecting change and corruption. Hand-written (60 lines, checked against
// xxHash's own sanity table in the tests) rather than a build dependency on libxxhash-dev for one function.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace vkae::nn {

// XXH64 as specified by xxHash (the same values as the reference implementation, e.g. xxh64("") with seed 0
// is 0xef46db3751d8e999).
uint64_t xxh64(std::span<const std::byte> bytes, uint64_t seed = 0) noexcept;

// 64-bit FNV-1a (offset basis 0xcbf29ce484222325, prime 0x100000001b3).
uint64_t fnv1a64(std::span<const std::byte> bytes) noexcept;

}  // namespace vkae::nn
