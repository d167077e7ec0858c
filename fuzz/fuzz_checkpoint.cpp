// libFuzzer target: nn::decode_checkpoint (safetensors plus the metadata: format, model spec, run numbers,
// training control) on arbitrary bytes. An InputError is the expected answer; anything else is a finding.
#include <cstddef>
#include <cstdint>

#include "base/error.hpp"
#include "nn/train/checkpoint.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const vkae::nn::LoadedCheckpoint c =
        vkae::nn::decode_checkpoint({reinterpret_cast<const std::byte*>(data), size}, "fuzz");
    (void)vkae::nn::checkpoint_image_options(c.spec, c.info);
  } catch (const vkae::InputError&) {
  }
  return 0;
}
