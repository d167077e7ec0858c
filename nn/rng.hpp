// CPU twin of shaders/rng.glsl (Philox4x32-10 + Box-Muller), so GPU noise can be checked and reproduced on
// the host; and the seeded host generator used for weight initialisation and shuffling.
#pragma once
#include <array>
#include <cmath>
#include <cstdint>

namespace vkae::nn {

// Streams keep independent uses of one seed apart.
enum class RngStream : uint32_t { Noise = 1, Reparameterize = 2, Validation = 3, Crop = 4 };

inline std::array<uint32_t, 4> philox4x32_10(std::array<uint32_t, 4> c, std::array<uint32_t, 2> k) {
  for (int round = 0; round < 10; ++round) {
    const uint64_t p0 = uint64_t{0xD2511F53u} * c[0];
    const uint64_t p1 = uint64_t{0xCD9E8D57u} * c[2];
    const uint32_t hi0 = static_cast<uint32_t>(p0 >> 32), lo0 = static_cast<uint32_t>(p0);
    const uint32_t hi1 = static_cast<uint32_t>(p1 >> 32), lo1 = static_cast<uint32_t>(p1);
    c = {hi1 ^ c[1] ^ k[0], lo1, hi0 ^ c[3] ^ k[1], lo0};
    k[0] += 0x9E3779B9u;
    k[1] += 0xBB67AE85u;
  }
  return c;
}

inline float uniform_open0(uint32_t bits) {
  return static_cast<float>((bits >> 8) + 1u) * (1.0f / 16777216.0f);
}

// Same counter layout as the shaders: (element, step, stream, 0), key = the 64-bit seed.
inline float normal_at(uint64_t seed, uint32_t element, uint32_t step, RngStream stream) {
  const auto r = philox4x32_10({element, step, static_cast<uint32_t>(stream), 0u},
                               {static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32)});
  const float u1 = uniform_open0(r[0]);
  const float u2 = uniform_open0(r[1]);
  return std::sqrt(-2.0f * std::log(u1)) * std::cos(6.28318530717958647692f * u2);
}

// Small seeded host generator (splitmix64) for weight init and permutations: fast, portable, reproducible.
class HostRng {
 public:
  explicit HostRng(uint64_t seed) : state_(seed) {}
  uint64_t next_u64() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next_u64() >> 11) * (1.0 / 9007199254740992.0); }  // [0,1)
  float uniform(float lo, float hi) { return lo + static_cast<float>(uniform()) * (hi - lo); }
  uint64_t below(uint64_t n) { return n == 0 ? 0 : next_u64() % n; }  // modulo bias < 2^-40 for our sizes

 private:
  uint64_t state_;
};

}  // namespace vkae::nn
