// Counter-based random numbers: Philox4x32-10 (Salmon et al., SC'11), keyed by a 64-bit seed, with a
// 128-bit counter the caller builds from (element, step, stream). Its CPU twin is nn/rng.hpp; keep both equal.

uvec4 philox4x32_10(uvec4 counter, uvec2 key) {
  for (int round = 0; round < 10; ++round) {
    uint hi0, lo0, hi1, lo1;
    umulExtended(0xD2511F53u, counter.x, hi0, lo0);
    umulExtended(0xCD9E8D57u, counter.z, hi1, lo1);
    counter = uvec4(hi1 ^ counter.y ^ key.x, lo1, hi0 ^ counter.w ^ key.y, lo0);
    key += uvec2(0x9E3779B9u, 0xBB67AE85u);
  }
  return counter;
}

// Uniform in (0, 1]: never 0, so log() is safe.
float uniform_open0(uint bits) { return float((bits >> 8) + 1u) * (1.0 / 16777216.0); }

// One standard normal per counter, by Box-Muller on the first two words.
float normal_at(uvec4 counter, uvec2 key) {
  uvec4 r = philox4x32_10(counter, key);
  float u1 = uniform_open0(r.x);
  float u2 = uniform_open0(r.y);
  return sqrt(-2.0 * log(u1)) * cos(6.28318530717958647692 * u2);
}
