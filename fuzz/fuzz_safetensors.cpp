// libFuzzer target: nn::decode_safetensors on arbitrary bytes (length, JSON header, data offsets). An
// InputError is the expected answer to a bad file; anything else is a finding.
#include <cstddef>
#include <cstdint>

#include "base/error.hpp"
#include "nn/io/safetensors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const vkae::nn::Safetensors f =
        vkae::nn::decode_safetensors({reinterpret_cast<const std::byte*>(data), size}, "fuzz");
    for (const vkae::nn::NamedTensor& t : f.tensors) (void)vkae::nn::format_shape(t.shape);
  } catch (const vkae::InputError&) {
  }
  return 0;
}
