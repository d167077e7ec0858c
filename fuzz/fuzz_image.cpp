// libFuzzer target: nn::decode_image (PNG, JPEG, BMP and stb_image's other formats) on arbitrary bytes.
// Inputs whose header declares more than kFuzzMaxPixels are skipped before decoding, so that each run stays
// fast (the project's own limit, kMaxImagePixels = 2^28, is checked by the tests); InputError is expected.
#include <stb_image.h>

#include <climits>
#include <cstddef>
#include <cstdint>

#include "base/error.hpp"
#include "nn/io/image.hpp"

namespace {
constexpr uint64_t kFuzzMaxPixels = uint64_t{1} << 20;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > INT_MAX) return 0;
  int w = 0, h = 0, comps = 0;
  if (stbi_info_from_memory(data, static_cast<int>(size), &w, &h, &comps) &&
      uint64_t(w) * uint64_t(h) > kFuzzMaxPixels)
    return 0;
  try {
    const vkae::nn::Image image = vkae::nn::decode_image({data, size}, "fuzz");
    (void)vkae::nn::convert_channels(image, image.channels == 1 ? 3 : 1);
  } catch (const vkae::InputError&) {
  }
  return 0;
}
