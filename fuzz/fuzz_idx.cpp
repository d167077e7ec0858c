// libFuzzer target: nn::decode_idx on arbitrary bytes, raw IDX or gzip (1f 8b) alike. An InputError is the
// expected answer to a bad file; anything else (a crash, a sanitizer report, another exception) is a finding.
#include <cstddef>
#include <cstdint>

#include "base/error.hpp"
#include "nn/data/idx.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const vkae::nn::IdxArray a =
        vkae::nn::decode_idx({reinterpret_cast<const std::byte*>(data), size}, "fuzz");
    (void)vkae::nn::format_dims(a.dims);
  } catch (const vkae::InputError&) {
  }
  return 0;
}
