// Test helper: a seeded Dataset of random bytes, lent to nn::train through TrainHooks (no files needed).
// Shared by the data split and TensorBoard tests.
#pragma once

#include <cstdint>
#include <cstring>

#include "nn/data/dataset.hpp"
#include "nn/rng.hpp"

namespace vkae::nn::testing {

inline Dataset synthetic(uint32_t count, uint32_t channels, uint32_t rows, uint32_t cols, uint64_t seed) {
  Dataset d;
  d.name = "synthetic";
  d.count = count;
  d.channels = channels;
  d.rows = rows;
  d.cols = cols;
  d.images.resize(uint64_t{count} * d.image_size());
  HostRng rng(seed);
  size_t i = 0;
  for (; i + 8 <= d.images.size(); i += 8) {
    const uint64_t r = rng.next_u64();
    std::memcpy(&d.images[i], &r, 8);
  }
  for (; i < d.images.size(); ++i) d.images[i] = static_cast<uint8_t>(rng.next_u64());
  d.labels.assign(count, 0);
  return d;
}

}  // namespace vkae::nn::testing
