// Tests for the digests: XXH64 and FNV-1a against the values their reference implementations give.
#include "nn/io/digest.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <string_view>
#include <vector>

namespace vkae::nn {
namespace {

// xxHash's sanity-check buffer (cli/xsum_sanity_check.c, XSUM_fillTestBuffer).
std::vector<std::byte> sanity_buffer(size_t length) {
  std::vector<std::byte> buffer(length);
  uint64_t generator = 2654435761u;
  for (auto& b : buffer) {
    b = static_cast<std::byte>(generator >> 56);
    generator *= 11400714785074694797ull;
  }
  return buffer;
}

TEST(Digest, MatchesThePublishedValues) {
  const auto bytes = [](std::string_view s) { return std::as_bytes(std::span(s.data(), s.size())); };
  EXPECT_EQ(xxh64(bytes("")), 0xef46db3751d8e999ull);
  EXPECT_EQ(xxh64(bytes("a")), 0xd24ec4f1a98c6e5bull);
  EXPECT_EQ(xxh64(bytes("abc")), 0x44bc2cf5ad770999ull);
  EXPECT_EQ(xxh64(bytes("Nobody inspects the spammish repetition")), 0xfbcea83c8a378bf1ull);  // > 32 bytes
  // xxHash's own table (XSUM_XXH64_testdata): every tail step (8, 4, 1 bytes) and the 32-byte stripes,
  // seeded.
  const uint64_t prime32 = 2654435761u;
  EXPECT_EQ(xxh64(sanity_buffer(0), prime32), 0xAC75FDA2929B17EFull);
  EXPECT_EQ(xxh64(sanity_buffer(1)), 0xE934A84ADB052768ull);
  EXPECT_EQ(xxh64(sanity_buffer(1), prime32), 0x5014607643A9B4C3ull);
  EXPECT_EQ(xxh64(sanity_buffer(4)), 0x9136A0DCA57457EEull);
  EXPECT_EQ(xxh64(sanity_buffer(14)), 0x8282DCC4994E35C8ull);
  EXPECT_EQ(xxh64(sanity_buffer(14), prime32), 0xC3BD6BF63DEB6DF0ull);
  EXPECT_EQ(xxh64(sanity_buffer(222)), 0xB641AE8CB691C174ull);
  EXPECT_EQ(xxh64(sanity_buffer(222), prime32), 0x20CB8AB7AE10C14Aull);
  EXPECT_EQ(fnv1a64(bytes("")), 0xcbf29ce484222325ull);
  EXPECT_EQ(fnv1a64(bytes("a")), 0xaf63dc4c8601ec8cull);
}

}  // namespace
}  // namespace vkae::nn
