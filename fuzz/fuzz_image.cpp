// libFuzzer target: nn::decode_image_info then nn::decode_image (PNG, JPEG, BMP, GIF, TGA, PNM through
// stb_image, behind the project's own checks) on arbitrary bytes. Inputs whose header declares more than
// kFuzzMaxPixels are not decoded, so that each run stays fast (the project's own limit, kMaxImagePixels =
// 2^28, is checked by the tests); InputError is the expected answer.
#include <cstddef>
#include <cstdint>

#include "base/error.hpp"
#include "nn/io/image.hpp"

namespace {
constexpr uint64_t kFuzzMaxPixels = uint64_t{1} << 12;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const vkae::nn::Image info = vkae::nn::decode_image_info({data, size}, "fuzz");
    if (uint64_t{info.width} * info.height > kFuzzMaxPixels) return 0;
    const vkae::nn::Image image = vkae::nn::decode_image({data, size}, "fuzz");
    (void)vkae::nn::convert_channels(image, image.channels == 1 ? 3 : 1);
  } catch (const vkae::InputError&) {
  }
  return 0;
}
